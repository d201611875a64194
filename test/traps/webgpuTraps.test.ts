/**
 * WebGPU-only traps of tfjs 4.22 (on Dawn through the npm `webgpu` package): AddN with 8 or
 * more inputs and rank-5 pad silently return wrong values. The core sums in chunks of ≤ 7 and
 * keeps every tensor of the differentiable path at rank ≤ 4.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseNodeBackend, useNodeBackend } from '../../src/cli/nodeBackend';
import { edgeOpWeights } from '../../src/nas/darts/supernet';
import { searchCell } from '../../src/nas/darts/searchCell';
import { SEARCH_OP_OPTIONS } from '../../src/nas/ops/operations';
import { DARTS_PRIMITIVES } from '../../src/nas/ops/primitives';
import { sumAll } from '../../src/nas/tensor/tensorSum';
import * as tf from '../../src/nas/tensor/tf';
import { createVariables } from '../../src/nas/tensor/initParams';
import { Rng } from '../../src/nas/tensor/random';
import { evaluateSplit } from '../../src/nas/darts/evaluateSplit';
import { createSearchState, disposeSearchState } from '../../src/nas/darts/searchState';
import { evaluate } from '../../src/nas/darts/searchStep';
import { TINY_CONFIG, tinyData } from '../support/tiny';

beforeAll(async () => {
  await useNodeBackend('webgpu');
});
afterAll(() => releaseNodeBackend());

describe('WebGPU traps and their workarounds', () => {
  it('addN of 9 tensors is wrong on webgpu; sumAll is right', async () => {
    // Fresh inputs for each sum: the invalid AddN pipeline drops its whole command buffer,
    // inputs computed in the same submit included.
    const parts = () => Array.from({ length: 9 }, (_, i) => tf.fill([4], i + 1));
    const naive = await tf.addN(parts()).data();
    expect(Array.from(naive)).not.toEqual([45, 45, 45, 45]);
    expect(Array.from(await sumAll(parts()).data())).toEqual([45, 45, 45, 45]);
  });

  it('rank-5 pad is wrong on webgpu; rank-4 pad is right', async () => {
    const x5 = tf.range(1, 17).reshape([1, 2, 2, 2, 2]);
    const padded5 = await tf
      .pad(x5, [
        [0, 0],
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ])
      .data();
    const expected5 = [
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 0, 5, 6, 7, 8, 0, 0,
    ];
    expect(Array.from(padded5.slice(0, 28))).not.toEqual(expected5);
    const x4 = tf.range(1, 5).reshape([1, 2, 2, 1]);
    expect(
      Array.from(
        await tf
          .pad(x4, [
            [0, 0],
            [1, 1],
            [1, 1],
            [0, 0],
          ])
          .data(),
      ),
    ).toEqual([0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0]);
  });

  it('a search cell forward and backward runs no kernel on a tensor of rank > 4', async () => {
    const cell = searchCell({
      prefix: 'c',
      steps: 4,
      multiplier: 4,
      cPrevPrev: 4,
      cPrev: 4,
      c: 4,
      reduction: true,
      reductionPrev: false,
      primitives: [...DARTS_PRIMITIVES],
      opOptions: SEARCH_OP_OPTIONS,
    });
    const weights = createVariables(cell.params, Rng.fromSeed(1), true);
    const alphas = tf.variable(tf.randomNormal([14, 8]));
    const s = tf.randomNormal([2, 8, 8, 4]) as tf.Tensor4D;
    const profile = await tf.profile(
      () =>
        tf.variableGrads(
          () =>
            tf.sum(
              cell.apply(s, s, edgeOpWeights(alphas as tf.Tensor2D), weights, {
                training: true,
                buffers: {},
              }),
            ) as tf.Scalar,
        ).value,
    );
    const highRank = profile.kernels.filter((k) =>
      k.outputShapes.some((shape) => (shape?.length ?? 0) > 4),
    );
    expect(profile.kernels.length).toBeGreaterThan(100);
    expect(highRank.map((k) => k.name)).toEqual([]);
  });

  it('averages the loss over many validation batches correctly (no AddN of 8+ inputs)', async () => {
    const data = tinyData(128);
    const state = createSearchState({ ...TINY_CONFIG, batchSize: 8 }, data.shape);
    const all = await evaluateSplit(data.val, 8, (batch) => evaluate(state, batch));
    let loss = 0;
    for (let start = 0; start < data.val.count; start += 8) {
      const batch = data.val.batch(Array.from({ length: 8 }, (_, i) => start + i));
      const r = evaluate(state, batch);
      loss += ((await r.loss.data())[0] as number) / 8;
      tf.dispose([batch.x, batch.y, r.loss, r.accuracy]);
    }
    expect(data.val.count / 8).toBe(8);
    expect(all.loss).toBeCloseTo(loss, 4);
    disposeSearchState(state);
    data.train.dispose();
    data.val.dispose();
  });
});
