/**
 * The retrain loop as an async generator of progress events (`cnn/train.py`): each epoch uses
 * the cosine learning rate (stepped at the epoch's start, annealing to `lrMin`) and the linear
 * drop-path probability, shuffles the training images, and ends with an evaluation on the test
 * set. Per step it reads back two scalars in one transfer.
 */
import * as tf from './tf';
import { cosineLr } from './cosineSchedule';
import { dropPathProbAt } from './evalLoss';
import type { RetrainState } from './retrainState';
import type { EvaluableNetwork } from './retrainStep';
import { evaluateRetrained, retrainStep } from './retrainStep';
import type { BatchSource } from './searchLoop';
import { stepsPerEpoch } from './searchLoop';
import { sumAll } from './tensorSum';

export interface RetrainData {
  readonly train: BatchSource;
  readonly test: BatchSource;
}

export interface RetrainStepEvent {
  readonly type: 'step';
  readonly epoch: number;
  /** 1-based count of steps done. */
  readonly step: number;
  readonly stepInEpoch: number;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  readonly lr: number;
  readonly dropPathProb: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  readonly imagesPerSecond: number;
  readonly elapsedMs: number;
}

export interface RetrainEpochEvent {
  readonly type: 'epoch';
  readonly epoch: number;
  readonly step: number;
  readonly testLoss: number;
  readonly testAccuracy: number;
}

export interface RetrainDoneEvent {
  readonly type: 'done';
  readonly steps: number;
  readonly testLoss: number;
  readonly testAccuracy: number;
}

export type RetrainEvent = RetrainStepEvent | RetrainEpochEvent | RetrainDoneEvent;

export interface RetrainLoopOptions {
  readonly signal?: AbortSignal;
  /** Replaces the configured maximum learning rate; read before every step. */
  readonly lr?: () => number | undefined;
  readonly now?: () => number;
}

/** Loss and accuracy over a whole split in evaluation mode, read back once. */
export async function evaluateRetrainSplit(
  state: EvaluableNetwork & Pick<RetrainState, 'config'>,
  split: BatchSource,
): Promise<{ loss: number; accuracy: number }> {
  const b = state.config.batchSize;
  const sums: tf.Tensor1D[] = [];
  for (let start = 0; start < split.count; start += b) {
    const size = Math.min(b, split.count - start);
    const batch = split.batch(Array.from({ length: size }, (_, i) => start + i));
    const r = evaluateRetrained(state, batch);
    sums.push(
      tf.tidy(() => tf.stack([tf.mul(r.loss, size), tf.mul(r.accuracy, size)]) as tf.Tensor1D),
    );
    tf.dispose([batch.x, batch.y, r.loss, r.accuracy]);
  }
  const total = tf.tidy(() => tf.div(sumAll(sums), split.count));
  const [loss, accuracy] = Array.from(await total.data());
  tf.dispose([total, ...sums]);
  return { loss: loss as number, accuracy: accuracy as number };
}

export function checkRetrainData(state: RetrainState, data: RetrainData): void {
  if (data.train.count < state.config.batchSize) {
    throw new Error(
      `batch size ${state.config.batchSize} is larger than the training set (${data.train.count} images)`,
    );
  }
  if (data.test.count < 1) throw new Error('the test set is empty');
}

export async function* runRetrain(
  state: RetrainState,
  data: RetrainData,
  options: RetrainLoopOptions = {},
): AsyncGenerator<RetrainEvent, void, undefined> {
  checkRetrainData(state, data);
  const now = options.now ?? (() => performance.now());
  const { config, rng } = state;
  const perEpoch = stepsPerEpoch(data.train.count, config.batchSize);
  const totalSteps = perEpoch * config.epochs;
  const started = now();
  let step = 0;
  let last = { loss: Number.NaN, accuracy: Number.NaN };
  for (let epoch = 0; epoch < config.epochs; epoch++) {
    const order = rng.permutation(data.train.count);
    const dropPathProb = dropPathProbAt(epoch, config.epochs, config.dropPathProb);
    for (let s = 0; s < perEpoch; s++) {
      if (options.signal?.aborted) return;
      const lr = cosineLr(epoch, config.epochs, options.lr?.() ?? config.lr, config.lrMin);
      const t0 = now();
      const batch = data.train.batch(
        order.subarray(s * config.batchSize, (s + 1) * config.batchSize),
      );
      const scalars = retrainStep(state, batch, { lr, dropPathProb });
      const packed = tf.tidy(() => tf.stack([scalars.loss, scalars.accuracy]));
      const images = batch.y.shape[0];
      tf.dispose([batch.x, batch.y, scalars.loss, scalars.accuracy]);
      const [trainLoss, trainAccuracy] = Array.from(await packed.data()) as [number, number];
      packed.dispose();
      step++;
      const t1 = now();
      yield {
        type: 'step',
        epoch,
        step,
        stepInEpoch: s,
        stepsPerEpoch: perEpoch,
        totalSteps,
        lr,
        dropPathProb,
        trainLoss,
        trainAccuracy,
        imagesPerSecond: images / Math.max((t1 - t0) / 1000, 1e-9),
        elapsedMs: t1 - started,
      };
    }
    last = await evaluateRetrainSplit(state, data.test);
    yield { type: 'epoch', epoch, step, testLoss: last.loss, testAccuracy: last.accuracy };
  }
  yield { type: 'done', steps: step, testLoss: last.loss, testAccuracy: last.accuracy };
}
