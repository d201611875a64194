/**
 * Parity of the retrain step with PyTorch's `cnn/train.py` train() loop
 * (scripts/fixtures/retrain_ref.py): three iterations of training forward with drop path
 * (replaying PyTorch's masks), CE + 0.4·CE(aux), gradients clipped to global norm 5 and SGD
 * with momentum and weight decay, compared per step (loss, accuracy) and after the three steps
 * (every weight, its change, BatchNorm running statistics, momentum buffers). Run per backend
 * by retrainStep.<backend>.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { KeepMaskSource } from '../../src/nas/ops/dropPath';
import type { EvalNetworkSpec } from '../../src/nas/retrain/evalNetwork';
import { evalNetwork } from '../../src/nas/retrain/evalNetwork';
import { genotypeFromJson, genotypesEqual } from '../../src/nas/genotype/genotype';
import { createVariables } from '../../src/nas/tensor/initParams';
import { DARTS_V2 } from '../../src/nas/genotype/publishedGenotypes';
import { Rng } from '../../src/nas/tensor/random';
import type { RetrainConfig } from '../../src/nas/retrain/retrainConfig';
import { PAPER_RETRAIN_CONFIG, validateRetrainConfig } from '../../src/nas/retrain/retrainConfig';
import type { RetrainState } from '../../src/nas/retrain/retrainState';
import { createRetrainState, disposeRetrainState } from '../../src/nas/retrain/retrainState';
import { retrainStep } from '../../src/nas/retrain/retrainStep';
import type { DataShape } from '../../src/nas/darts/searchState';
import { createSgd } from '../../src/nas/optim/sgd';
import * as tf from '../../src/nas/tensor/tf';
import type { TensorJson } from '../support/fixtures';
import { loadFixture, relativeL2Error, toTensor } from '../support/fixtures';

interface RetrainFixture {
  genotypeName: string;
  genotype: unknown;
  network: Omit<EvalNetworkSpec, 'genotype' | 'auxiliaryWidths'> & {
    auxiliaryWidths: [number, number];
  };
  training: {
    lr: number;
    momentum: number;
    weightDecay: number;
    gradClip: number;
    auxWeight: number;
    dropPathProb: number;
  };
  params: Record<string, TensorJson>;
  batches: { x: TensorJson; y: number[] }[];
  steps: { loss: number; accuracy: number; gradNorm: number; dropPathMasks: number[][] }[];
  finalParams: Record<string, TensorJson>;
  runningStats: Record<string, TensorJson>;
  momentumBuffers: Record<string, TensorJson>;
}

const LOSS_TOLERANCE = 1e-5;

const fx = loadFixture<RetrainFixture>('retrainStep.json');
const genotype = genotypeFromJson(fx.genotype);
const [firstBatch] = fx.batches;
if (!firstBatch) throw new Error('retrainStep.json holds no batch');
const [, height, width, channels] = firstBatch.x.shape as [number, number, number, number];
const data: DataShape = { height, width, channels, numClasses: fx.network.numClasses };

const config: RetrainConfig = validateRetrainConfig({
  ...PAPER_RETRAIN_CONFIG,
  channels: fx.network.c,
  layers: fx.network.layers,
  batchSize: firstBatch.y.length,
  epochs: 1,
  lr: fx.training.lr,
  momentum: fx.training.momentum,
  weightDecay: fx.training.weightDecay,
  gradClip: fx.training.gradClip,
  auxiliary: fx.network.auxiliary,
  auxWeight: fx.training.auxWeight,
  dropPathProb: fx.training.dropPathProb,
  cutout: 0,
  stem: fx.network.stem ?? 'cifar',
});

/**
 * createRetrainState's state with the fixture's weights, and the auxiliary head's hidden widths
 * of the fixture (DARTS's 128/768 would make it megabytes).
 */
function fixtureState(): RetrainState {
  const net = evalNetwork({ ...fx.network, genotype });
  const weights: Record<string, tf.Variable> = {};
  for (const p of net.params) {
    const t = fx.params[p.name];
    if (!t) throw new Error(`the fixture has no initial value of "${p.name}"`);
    weights[p.name] = tf.tidy(() => tf.variable(toTensor(t), true));
  }
  return {
    config,
    genotype,
    net,
    weights,
    buffers: createVariables(net.buffers, Rng.fromSeed(0), false),
    optimizer: createSgd(weights, { momentum: config.momentum, weightDecay: config.weightDecay }),
    rng: Rng.fromSeed(config.seed),
    data,
  };
}

/** Replays one step's PyTorch masks in draw order; `left` says how many were not drawn. */
function replayMasks(masks: number[][]): KeepMaskSource & { left: () => number } {
  let i = 0;
  return {
    next(batch) {
      const m = masks[i++];
      if (!m) throw new Error(`drop path drew mask ${i}, PyTorch drew only ${masks.length}`);
      if (m.length !== batch) throw new Error(`mask ${i} has ${m.length} values, batch ${batch}`);
      return Float32Array.from(m);
    },
    left: () => masks.length - i,
  };
}

/** Relative L2 error of each named tensor; the names over the tolerance with their errors. */
async function mismatches(
  actual: Readonly<Record<string, tf.Tensor>>,
  expected: Record<string, TensorJson>,
  tolerance: number,
): Promise<string[]> {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  const bad: string[] = [];
  for (const [name, t] of Object.entries(expected)) {
    const err = await relativeL2Error(actual[name] as tf.Tensor, t);
    if (!(err <= tolerance)) bad.push(`${name}: ${err}`);
  }
  return bad;
}

/** The suite on the backend set up by the caller's beforeAll, at relative L2 `tolerance`. */
export function describeRetrainStepParity(backend: string, tolerance: number): void {
  describe(`retrain step matches PyTorch cnn/train.py on ${backend}`, () => {
    it('the fixture is DARTS_V2 in the network createRetrainState builds, and exercises clipping', () => {
      expect(fx.genotypeName).toBe('DARTS_V2');
      expect(genotypesEqual(genotype, DARTS_V2)).toBe(true);
      expect(fx.steps.length).toBe(3);
      expect(fx.steps.some((s) => s.gradNorm > config.gradClip)).toBe(true);
      for (const s of fx.steps) {
        const flat = s.dropPathMasks.flat();
        expect(flat).toContain(0);
        expect(flat).toContain(1);
      }
      // Same parameters and buffers as the retrain builds; only the head's hidden widths differ.
      const built = createRetrainState(config, genotype, data);
      try {
        expect(Object.keys(built.weights).sort()).toEqual(Object.keys(fx.params).sort());
        expect(Object.keys(built.buffers).sort()).toEqual(Object.keys(fx.runningStats).sort());
        const shapes = (named: Record<string, { shape: number[] }>) =>
          Object.entries(named)
            .filter(([name]) => !name.startsWith('auxiliary.'))
            .map(([name, t]) => `${name} ${JSON.stringify(t.shape)}`)
            .sort();
        expect(shapes(built.weights)).toEqual(shapes(fx.params));
        expect(built.optimizer.options).toEqual({
          momentum: fx.training.momentum,
          weightDecay: fx.training.weightDecay,
        });
      } finally {
        disposeRetrainState(built);
      }
    });

    it('three steps: losses, accuracies, weights, running statistics and momentum buffers', async () => {
      const state = fixtureState();
      const tensorsBefore = tf.memory().numTensors;
      try {
        const losses: number[] = [];
        const accuracies: number[] = [];
        for (const [i, step] of fx.steps.entries()) {
          const b = fx.batches[i];
          if (!b) throw new Error(`retrainStep.json has no batch for step ${i + 1}`);
          const batch = { x: toTensor(b.x) as tf.Tensor4D, y: tf.tensor1d(b.y, 'int32') };
          const masks = replayMasks(step.dropPathMasks);
          const scalars = retrainStep(
            state,
            batch,
            { lr: fx.training.lr, dropPathProb: fx.training.dropPathProb },
            masks,
          );
          expect(masks.left()).toBe(0);
          losses.push((await scalars.loss.data())[0] as number);
          accuracies.push((await scalars.accuracy.data())[0] as number);
          tf.dispose([batch.x, batch.y, scalars.loss, scalars.accuracy]);
        }
        expect(tf.memory().numTensors).toBe(tensorsBefore);

        const lossErrors = losses.map((l, i) => {
          const expected = (fx.steps[i] as RetrainFixture['steps'][number]).loss;
          return Math.abs(l - expected) / Math.abs(expected);
        });
        expect(lossErrors.filter((e) => !(e <= LOSS_TOLERANCE))).toEqual([]);
        expect(accuracies).toEqual(fx.steps.map((s) => s.accuracy));

        expect(await mismatches(state.weights, fx.finalParams, tolerance)).toEqual([]);
        // The change of all weights over the three steps, as one vector: the weight-decay term is
        // ~1e-5 of the weights but ~1e-3 of their change, so this catches what the final values
        // alone cannot. (Per tensor, the change of a weight with a near-zero gradient is dominated
        // by the float32 rounding of the weight.)
        const names = Object.keys(fx.params);
        const moved = tf.tidy(() =>
          tf.concat(
            names.map((n) =>
              tf.reshape(
                tf.sub(state.weights[n] as tf.Variable, toTensor(fx.params[n] as TensorJson)),
                [-1],
              ),
            ),
          ),
        );
        const expectedMoves = names.flatMap((n) => {
          const initial = (fx.params[n] as TensorJson).data;
          return (fx.finalParams[n] as TensorJson).data.map((v, i) => v - (initial[i] as number));
        });
        const moveError = await relativeL2Error(moved, {
          shape: [expectedMoves.length],
          data: expectedMoves,
        });
        moved.dispose();
        expect(moveError).toBeLessThan(tolerance);
        expect(await mismatches(state.buffers, fx.runningStats, tolerance)).toEqual([]);
        expect(await mismatches(state.optimizer.buffers, fx.momentumBuffers, tolerance)).toEqual(
          [],
        );
      } finally {
        disposeRetrainState(state);
      }
    });
  });
}
