/**
 * Checkpointed cells in the retrain step (`recompute/cellCheckpoint.ts` through `retrainStep.ts`):
 * with drop path on (each cell's masks replayed when it is recomputed) and the auxiliary head on
 * a middle cell's output, steps move every weight, running statistic and momentum buffer as the
 * plain step does, draw the same masks from the run's generator, for the CIFAR stem (s0 = s1)
 * and the ImageNet one (s0 ≠ s1); the tensor count stays flat and the memory peak is lower.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { syntheticDataset } from '../../src/data/synthetic';
import { toDevice } from '../../src/data/deviceSplit';
import { DARTS_V2 } from '../../src/nas/genotype/publishedGenotypes';
import type { RetrainConfig } from '../../src/nas/retrain/retrainConfig';
import { SMALL_RETRAIN_CONFIG, validateRetrainConfig } from '../../src/nas/retrain/retrainConfig';
import type { RetrainState } from '../../src/nas/retrain/retrainState';
import { createRetrainState, disposeRetrainState } from '../../src/nas/retrain/retrainState';
import { retrainStep } from '../../src/nas/retrain/retrainStep';
import * as tf from '../../src/nas/tensor/tf';
import { differingTensors, peakBytesOf } from '../support/tensorCompare';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * 5 cells (reductions at 1 and 3, the auxiliary head on cell 3), C 4, batch 8. (At batch 4 on
 * 8×8 images the auxiliary head's BatchNorms see four values per channel, some of them dropped:
 * the second step then magnifies float32 round-off a thousandfold in either backward.)
 */
const CONFIG: RetrainConfig = validateRetrainConfig({
  ...SMALL_RETRAIN_CONFIG,
  channels: 4,
  layers: 5,
  batchSize: 8,
  auxiliary: true,
  auxWeight: 0.4,
  seed: 3,
});
const RATES = { lr: 0.05, dropPathProb: 0.3 };

function setup(size: number, config: RetrainConfig, checkpointCells: boolean) {
  const data = syntheticDataset({ count: 8, size, channels: 3, numClasses: 3, seed: 4 });
  const split = toDevice(data);
  const batch = split.batch([0, 1, 2, 3, 4, 5, 6, 7]);
  split.dispose();
  const shape = { height: size, width: size, channels: 3, numClasses: 3 };
  const state = createRetrainState({ ...config, checkpointCells }, DARTS_V2, shape);
  return {
    state,
    batch,
    dispose() {
      disposeRetrainState(state);
      tf.dispose([batch.x, batch.y]);
    },
  };
}

function variables(s: RetrainState): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [n, v] of Object.entries(s.weights)) out[`w:${n}`] = v;
  for (const [n, v] of Object.entries(s.buffers)) out[`b:${n}`] = v;
  for (const [n, v] of Object.entries(s.optimizer.buffers)) out[`m:${n}`] = v;
  return out;
}

/** Two steps; the losses and accuracies, and every variable's change. */
async function run(size: number, config: RetrainConfig, checkpointCells: boolean) {
  const r = setup(size, config, checkpointCells);
  const start = tf.tidy(() =>
    Object.fromEntries(Object.entries(variables(r.state)).map(([n, v]) => [n, tf.clone(v)])),
  );
  const figures: number[] = [];
  for (let i = 0; i < 2; i++) {
    const out = retrainStep(r.state, r.batch, RATES);
    figures.push(...(await out.loss.data()), ...(await out.accuracy.data()));
    tf.dispose([out.loss, out.accuracy]);
  }
  const changes = tf.tidy(() =>
    Object.fromEntries(
      Object.entries(variables(r.state)).map(([n, v]) => [n, tf.sub(v, start[n] as tf.Tensor)]),
    ),
  );
  tf.dispose(Object.values(start));
  const nextDraw = r.state.rng.next();
  r.dispose();
  return { figures, changes, nextDraw };
}

describe('checkpointed cells (retrain)', () => {
  const cases: [string, number, RetrainConfig][] = [
    ['CIFAR stem', 16, CONFIG],
    // No auxiliary head: at 32×32 it would see a 1×1 map.
    [
      'ImageNet stem',
      32,
      validateRetrainConfig({ ...CONFIG, stem: 'imagenet', layers: 4, auxiliary: false }),
    ],
  ];
  for (const [what, size, config] of cases) {
    it(`moves every variable as the plain step does, drop path on (${what})`, async () => {
      const plain = await run(size, config, false);
      const ckpt = await run(size, config, true);
      ckpt.figures.forEach((v, i) => expect(v).toBeCloseTo(plain.figures[i] as number, 5));
      expect(await differingTensors(ckpt.changes, plain.changes, 1e-5)).toEqual([]);
      // The same number of masks drawn: the generators stand at the same place.
      expect(ckpt.nextDraw).toBe(plain.nextDraw);
      tf.dispose([...Object.values(plain.changes), ...Object.values(ckpt.changes)]);
    });
  }

  it('keeps the tensor count flat and lowers the peak', async () => {
    const peak = async (checkpointCells: boolean) => {
      // 16×16: at 8×8 the step's peak is the optimizer's (the auxiliary head's weights, their
      // gradients and their updated copies), the same either way.
      const r = setup(16, CONFIG, checkpointCells);
      const counts: number[] = [];
      let first = 0;
      for (let i = 0; i < 3; i++) {
        const { peak: bytes, result } = await peakBytesOf(() =>
          retrainStep(r.state, r.batch, RATES),
        );
        if (i === 0) first = bytes;
        tf.dispose([result.loss, result.accuracy]);
        counts.push(tf.memory().numTensors);
      }
      expect(new Set(counts).size).toBe(1);
      r.dispose();
      return first;
    };
    const plain = await peak(false);
    const ckpt = await peak(true);
    expect(ckpt).toBeLessThan(0.8 * plain);
  });
});
