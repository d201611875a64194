/**
 * Checkpointed cells on tfjs's wasm backend with the core's kernels (the CLI's default backend,
 * where memory is bounded by a 4 GiB heap): the fused supernet's weight and alpha gradients and
 * running statistics equal the plain backward's, and a retrain step with drop path moves every
 * variable as the plain step does. test/nas/checkpointed*.test.ts test the rest on cpu.
 */
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { toDevice } from '../../src/data/deviceSplit';
import { syntheticDataset } from '../../src/data/synthetic';
import { registerWasmTrainingKernels } from '../../src/nas/backends/wasmKernels/index';
import { validateSearchConfig } from '../../src/nas/darts/searchConfig';
import { createSearchState, disposeSearchState } from '../../src/nas/darts/searchState';
import { DARTS_V2 } from '../../src/nas/genotype/publishedGenotypes';
import { crossEntropy } from '../../src/nas/ops/loss';
import { updatingContext } from '../../src/nas/ops/runningStats';
import { valueAndGradsOf } from '../../src/nas/recompute/cellCheckpoint';
import { SMALL_RETRAIN_CONFIG } from '../../src/nas/retrain/retrainConfig';
import { createRetrainState, disposeRetrainState } from '../../src/nas/retrain/retrainState';
import { retrainStep } from '../../src/nas/retrain/retrainStep';
import * as tf from '../../src/nas/tensor/tf';
import { differingTensors } from '../support/tensorCompare';
import { TINY_CONFIG } from '../support/tiny';

beforeAll(async () => {
  registerWasmTrainingKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
});

const SHAPE = { height: 16, width: 16, channels: 3, numClasses: 3 };

function batch() {
  const split = toDevice(syntheticDataset({ count: 8, size: 16, channels: 3, numClasses: 3 }));
  const b = split.batch([0, 1, 2, 3, 4, 5, 6, 7]);
  split.dispose();
  return b;
}

describe('checkpointed cells on wasm', () => {
  it("give the plain backward's supernet gradients and running statistics", async () => {
    const config = validateSearchConfig({ ...TINY_CONFIG, layers: 4, nodes: 3, multiplier: 3 });
    const b = batch();
    const run = (checkpointCells: boolean) => {
      const s = createSearchState({ ...config, checkpointCells }, SHAPE);
      const stack = s.net.stack(b.x, s.weights, s.alphas, updatingContext(s.buffers));
      const objective = {
        stacks: [stack],
        objective: (states: readonly (readonly tf.Tensor4D[])[]) =>
          crossEntropy(s.net.logits(states[0] ?? [], s.weights), b.y),
      };
      const names = [...Object.keys(s.weights), 'alphas.normal', 'alphas.reduce'];
      const wrt = [...Object.values(s.weights), s.alphas.normal, s.alphas.reduce];
      const { grads } = valueAndGradsOf(objective, wrt, checkpointCells);
      const named = Object.fromEntries(names.map((n, i) => [n, grads[i] as tf.Tensor]));
      return { s, named };
    };
    const plain = run(false);
    const ckpt = run(true);
    expect(await differingTensors(ckpt.named, plain.named, 1e-5)).toEqual([]);
    expect(await differingTensors(ckpt.s.buffers, plain.s.buffers, 1e-6)).toEqual([]);
    disposeSearchState(plain.s);
    disposeSearchState(ckpt.s);
  });

  it('move every retrain variable as the plain step does, drop path on', async () => {
    const b = batch();
    const run = (checkpointCells: boolean) => {
      const config = { ...SMALL_RETRAIN_CONFIG, channels: 4, layers: 4, checkpointCells };
      const s = createRetrainState(config, DARTS_V2, SHAPE);
      const start = tf.tidy(() => Object.values(s.weights).map((w) => tf.clone(w)));
      tf.dispose(Object.values(retrainStep(s, b, { lr: 0.05, dropPathProb: 0.3 })));
      const changes = Object.fromEntries(
        Object.entries(s.weights).map(([n, w], i) => [n, tf.sub(w, start[i] as tf.Tensor)]),
      );
      tf.dispose(start);
      return { s, changes };
    };
    const plain = run(false);
    const ckpt = run(true);
    expect(await differingTensors(ckpt.changes, plain.changes, 1e-5)).toEqual([]);
    disposeRetrainState(plain.s);
    disposeRetrainState(ckpt.s);
  });
});
