/**
 * BatchNorm recalibration before an evaluation, written once for every convolutional loop (the
 * DARTS search, CDARTS's two networks, the retrain). In a short run the running statistics
 * (momentum 0.1) trail the weights far behind, and an evaluation with them can score below
 * chance while training scores well. Recalibration recomputes every BatchNorm's statistics
 * over K training batches in training mode, without gradients, as the cumulative average of
 * the batch means and unbiased batch variances: PyTorch's `BatchNorm2d(momentum=None)` after
 * `reset_running_stats()`. The statistics serve that one evaluation: the network's own running
 * statistics (those a checkpoint saves) are not touched, and the batches come from a generator
 * of their own over the un-augmented training images, so that the training draws nothing less
 * and nothing more (docs/DECISIONS.md, "BatchNorm recalibration").
 */
import * as tf from '../tensor/tf';
import type { BatchStats, ForwardContext, TensorMap } from '../tensor/layer';
import { Rng } from '../tensor/random';
import type { EvaluationStatistics } from './bnRecalibrationSetting';

/** Training images read by batches of indices (a loop's `BatchSource`, un-augmented). */
export interface RecalibrationImages {
  readonly count: number;
  batch(indices: ArrayLike<number>): { readonly x: tf.Tensor4D; readonly y: tf.Tensor1D };
}

/** What a loop recalibrates with: K, the images, their batch size and the run's seed. */
export interface RecalibrationPlan {
  /** K, the number of training batches; 0: off (the running statistics, as the papers). */
  readonly batches: number;
  readonly images: RecalibrationImages;
  readonly batchSize: number;
  /** The run's seed: the batches' generator derives from it, apart from every other. */
  readonly seed: number;
}

/** Keeps the recalibration's draws apart from every other generator seeded from the run's seed. */
const SEED_SALT = 0x4b4e5243;

/**
 * The batches of indices a recalibration reads: the first K·B of a permutation of the images
 * drawn by a generator of its own (the same every time, for the same seed and count), cut into
 * batches of B; fewer than K when the images hold fewer, the last one possibly smaller.
 */
export function recalibrationBatches(
  count: number,
  batchSize: number,
  batches: number,
  seed: number,
): Int32Array[] {
  if (!Number.isInteger(batches) || batches < 0) {
    throw new Error(`BatchNorm recalibration needs a whole number of batches, got ${batches}`);
  }
  if (batches === 0 || count === 0) return [];
  const order = Rng.fromSeed((seed ^ SEED_SALT) | 0).permutation(count);
  const out: Int32Array[] = [];
  for (let start = 0; start < count && out.length < batches; start += batchSize) {
    out.push(order.slice(start, Math.min(start + batchSize, count)));
  }
  return out;
}

/** One BatchNorm's statistics so far and how many batches they average. */
interface Accumulated {
  mean: tf.Tensor;
  variance: tf.Tensor;
  batches: number;
}

/**
 * Every BatchNorm's statistics over the inputs, as `momentum=None` after a reset computes them:
 * after the n-th batch, s ← (1 − 1/n)·s + (1/n)·batch statistic (the unbiased variance). Each
 * input runs through `forward` in training mode without gradients; a BatchNorm that reports
 * twice in one forward counts twice, as PyTorch's `num_batches_tracked` does. Returns new
 * tensors named `<prefix>.runningMean` / `<prefix>.runningVar`; the caller disposes them.
 */
export function recalibratedStatistics(
  inputs: number,
  input: (i: number) => tf.Tensor4D,
  forward: (x: tf.Tensor4D, ctx: ForwardContext) => unknown,
  buffers: TensorMap,
): Record<string, tf.Tensor> {
  const acc = new Map<string, Accumulated>();
  for (let i = 0; i < inputs; i++) {
    const reports: BatchStats[] = [];
    const x = input(i);
    try {
      tf.tidy(() => {
        forward(x, {
          training: true,
          buffers,
          onBatchStats: (s) => {
            reports.push({ ...s, mean: tf.keep(s.mean), variance: tf.keep(s.variance) });
          },
        });
      });
      for (const s of reports) accumulate(acc, s);
    } finally {
      tf.dispose([x, ...reports.flatMap((s) => [s.mean, s.variance])]);
    }
  }
  const out: Record<string, tf.Tensor> = {};
  for (const [prefix, a] of acc) {
    out[`${prefix}.runningMean`] = a.mean;
    out[`${prefix}.runningVar`] = a.variance;
  }
  return out;
}

/** Folds one batch's statistics into a BatchNorm's average (PyTorch's cumulative factor 1/n). */
function accumulate(acc: Map<string, Accumulated>, s: BatchStats): void {
  const unbias = s.count > 1 ? s.count / (s.count - 1) : 1;
  const before = acc.get(s.prefix);
  const n = (before?.batches ?? 0) + 1;
  const next = tf.tidy(() => {
    const variance = tf.mul(s.variance, unbias);
    if (!before) return { mean: tf.clone(s.mean), variance };
    const f = 1 / n;
    return {
      mean: tf.add(tf.mul(before.mean, 1 - f), tf.mul(s.mean, f)),
      variance: tf.add(tf.mul(before.variance, 1 - f), tf.mul(variance, f)),
    };
  });
  if (before) tf.dispose([before.mean, before.variance]);
  acc.set(s.prefix, { ...next, batches: n });
}

/**
 * Runs `evaluate` with the buffers it should use: the network's running statistics when the plan
 * is absent or off, else those statistics with every BatchNorm that `forward` reaches
 * recalibrated over the plan's batches (freed once `evaluate` is done).
 */
export async function evaluateWithStatistics<T>(
  plan: RecalibrationPlan | undefined,
  buffers: TensorMap,
  forward: (x: tf.Tensor4D, ctx: ForwardContext) => unknown,
  evaluate: (buffers: TensorMap) => Promise<T>,
  images: RecalibrationImages | undefined = plan?.images,
): Promise<{ readonly result: T; readonly statistics: EvaluationStatistics }> {
  if (!plan || plan.batches === 0 || !images) {
    return { result: await evaluate(buffers), statistics: { recalibratedBatches: 0 } };
  }
  const batches = recalibrationBatches(images.count, plan.batchSize, plan.batches, plan.seed);
  const recalibrated = recalibratedStatistics(
    batches.length,
    (i) => {
      const b = images.batch(batches[i] as Int32Array);
      tf.dispose(b.y);
      return b.x;
    },
    forward,
    buffers,
  );
  try {
    const result = await evaluate({ ...buffers, ...recalibrated });
    return { result, statistics: { recalibratedBatches: batches.length } };
  } finally {
    tf.dispose(Object.values(recalibrated));
  }
}
