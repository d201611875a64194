import { beforeAll, describe, expect, it } from 'vitest';
import { adamStep, createAdam, disposeAdam } from '../../src/nas/optim/adam';
import { NNI_CDARTS_CONFIG, regularizationDecay } from '../../src/nas/cdarts/cdartsConfig';
import { createCdartsVariables } from '../../src/nas/cdarts/network/cdartsModules';
import type { Mixtures } from '../../src/nas/cdarts/network/cdartsSearchNetwork';
import { cdartsSearchNetwork, edgeScales } from '../../src/nas/cdarts/network/cdartsSearchNetwork';
import type { OpName } from '../../src/nas/ops/primitives';
import { Rng } from '../../src/nas/tensor/random';
import {
  createRegularizedMutator,
  cutChoices,
  cutSmallest,
  maskedSoftmax,
  mutatorMixtures,
  penaltyMask,
  regularizationPenalty,
} from '../../src/nas/cdarts/regularizedMutator';
import * as tf from '../../src/nas/tensor/tf';
import { countKernels } from '../support/kernelCount';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const OPS: OpName[] = [
  'none',
  'max_pool_3x3',
  'avg_pool_3x3',
  'skip_connect',
  'sep_conv_3x3',
  'dil_conv_3x3',
];

// Two nodes: edges (node 0 ← s0, s1), (node 1 ← s0, s1, n0). In a reduction cell the first four
// edges have stride 2 and edge 4 (node 1 ← n0) stride 1. `none` and sep_conv hold 9: never
// penalized.
const NORMAL = [
  [9, 1, -2, 3, 9, 0.5],
  [9, -0.5, 0.25, -1, 9, 2],
  [9, 0, 0, 0, 9, -1],
  [9, 4, -4, 0.5, 9, 0],
  [9, 1, 1, 1, 9, 1],
];
const REDUCE = [
  [9, -1, 1, 2, 9, 3],
  [9, 0.5, 0.5, -0.5, 9, -0.5],
  [9, 2, 0, 1, 9, 0],
  [9, 0, -3, 0.25, 9, 1],
  [9, 1.5, 0.5, -2, 9, 0.75],
];

async function scalar(t: tf.Tensor): Promise<number> {
  const v = (await t.data())[0] as number;
  t.dispose();
  return v;
}

describe('regularization penalty on fixed alphas (hand-computed)', () => {
  const alphas = () => ({ normal: tf.tensor2d(NORMAL), reduce: tf.tensor2d(REDUCE) });

  it('official ops: both pools and skip_connect on every edge', async () => {
    // normal: (1+2+3) + (0.5+0.25+1) + 0 + (4+4+0.5) + (1+1+1) = 19.25
    // reduce: (1+1+2) + (0.5+0.5+0.5) + (2+0+1) + (0+3+0.25) + (1.5+0.5+2) = 15.75
    const mutator = createRegularizedMutator(OPS, 2, 'official');
    const a = alphas();
    expect(await scalar(regularizationPenalty(mutator, a))).toBeCloseTo(35, 6);
    tf.dispose([a.normal, a.reduce]);
  });

  it('NNI ops: pools, the identity skip (stride 1 only) and dilated convs', async () => {
    // normal: 19.25 + dil (0.5+2+1+0+1 = 4.5) = 23.75
    // reduce: pools (2+1+2+3+2 = 10) + skip on the stride-1 edge 4 only (2)
    //         + dil (3+0.5+0+1+0.75 = 5.25) = 17.25
    const mutator = createRegularizedMutator(OPS, 2, 'nni');
    const a = alphas();
    expect(await scalar(regularizationPenalty(mutator, a))).toBeCloseTo(41, 6);
    expect(penaltyMask('nni', OPS, 2, true).map((row) => row[3])).toEqual([0, 0, 0, 0, 1]);
    expect(penaltyMask('nni', OPS, 2, false).map((row) => row[3])).toEqual([1, 1, 1, 1, 1]);
    tf.dispose([a.normal, a.reduce]);
  });

  it('skips cut entries and has gradient sign(α) on penalized entries only', async () => {
    const mutator = createRegularizedMutator(OPS, 2, 'official');
    mutator.cut = {
      normal: NORMAL.map((row, e) => row.map((_, k) => e === 3 && k === 1)),
      reduce: REDUCE.map((row, e) => row.map((_, k) => e === 4 && k === 3)),
    };
    const a = alphas();
    const [gNormal, gReduce] = tf.grads((n: tf.Tensor, r: tf.Tensor) =>
      regularizationPenalty(mutator, { normal: n as tf.Tensor2D, reduce: r as tf.Tensor2D }),
    )([a.normal, a.reduce]);
    // 35 − |4| (normal e3 max_pool) − |−2| (reduce e4 skip)
    expect(await scalar(regularizationPenalty(mutator, a))).toBeCloseTo(29, 6);
    // (v + 0 turns −0 into 0.)
    const rows = async (t: tf.Tensor) =>
      ((await t.array()) as number[][]).map((row) => row.map((v) => v + 0));
    expect(await rows(gNormal as tf.Tensor)).toEqual([
      [0, 1, -1, 1, 0, 0],
      [0, -1, 1, -1, 0, 0],
      [0, 0, 0, 0, 0, 0],
      [0, 0, -1, 1, 0, 0],
      [0, 1, 1, 1, 0, 0],
    ]);
    expect(await rows(gReduce as tf.Tensor)).toEqual([
      [0, -1, 1, 1, 0, 0],
      [0, 1, 1, -1, 0, 0],
      [0, 1, 0, 1, 0, 0],
      [0, 0, -1, 1, 0, 0],
      [0, 1, 1, 0, 0, 0],
    ]);
    tf.dispose([a.normal, a.reduce, gNormal as tf.Tensor, gReduce as tf.Tensor]);
  });

  it('decays the weight linearly to 0 over regular_ratio of the cycles (NNI defaults)', () => {
    // 32 epochs, 2 warm-up, coeff 5, ratio 0.2: 5 · (1 − (e − 2) / 6).
    expect(regularizationDecay(NNI_CDARTS_CONFIG, 2)).toBe(5);
    expect(regularizationDecay(NNI_CDARTS_CONFIG, 5)).toBeCloseTo(2.5, 12);
    expect(regularizationDecay(NNI_CDARTS_CONFIG, 8)).toBe(0);
    expect(regularizationDecay(NNI_CDARTS_CONFIG, 20)).toBe(0);
  });
});

describe('choice cutting with a mask', () => {
  it('cuts the smallest logits cumulatively, later op first on ties', () => {
    const logits = [
      [0.3, -1, 2, -1, 0.1],
      [5, 4, 3, 2, 1],
    ];
    const none = logits.map((row) => row.map(() => false));
    const two = cutSmallest(logits, none, 2);
    expect(two).toEqual([
      [false, true, false, true, false],
      [false, false, false, true, true],
    ]);
    // A cut op stays cut even if its logit has grown since.
    const grown = [
      [0.3, 9, 2, 9, 0.1],
      [5, 4, 3, 9, 9],
    ];
    expect(cutSmallest(grown, two, 3)).toEqual([
      [false, true, false, true, true],
      [false, false, true, true, true],
    ]);
    expect(cutSmallest([[1, 0, 0]], [[false, false, false]], 1)).toEqual([[false, false, true]]);
    expect(() => cutSmallest(logits, two, 1)).toThrow(
      /already has 2 cut ops; cut counts are cumulative/,
    );
    expect(() => cutSmallest(logits, none, 5)).toThrow(/cut count must be an integer from 0 to 4/);
  });

  it('gives cut ops exactly zero weight and zero gradient, never NaN, and keeps alphas finite', async () => {
    const mutator = createRegularizedMutator(OPS, 2, 'official');
    const alphas = {
      normal: tf.variable(tf.tensor2d(NORMAL)) as tf.Variable<tf.Rank.R2>,
      reduce: tf.variable(tf.tensor2d(REDUCE)) as tf.Variable<tf.Rank.R2>,
    };
    await cutChoices(mutator, alphas, 2);
    // normal e0 cuts avg_pool (−2) and dil_conv (0.5); reduce e4 cuts skip (−2) and avg (0.5).
    expect(mutator.cut.normal[0]).toEqual([false, false, true, false, false, true]);
    expect(mutator.cut.reduce[4]).toEqual([false, false, true, true, false, false]);
    const adam = createAdam(alphas, { beta1: 0.5, beta2: 0.999, eps: 1e-8, weightDecay: 1e-3 });
    for (let step = 0; step < 3; step++) {
      const grads = tf.tidy(() => {
        const g = tf.grads((n: tf.Tensor, r: tf.Tensor) => {
          const m = mutatorMixtures(mutator, {
            normal: n as tf.Tensor2D,
            reduce: r as tf.Tensor2D,
          });
          const target = tf.tensor2d(NORMAL.map((row) => row.map((_, k) => k / 10)));
          return tf.add(
            tf.sum(tf.mul(m.normal.weights, target)),
            tf.add(
              tf.sum(tf.square(m.reduce.weights)),
              regularizationPenalty(mutator, {
                normal: n as tf.Tensor2D,
                reduce: r as tf.Tensor2D,
              }),
            ),
          );
        })([alphas.normal, alphas.reduce]);
        return { normal: g[0] as tf.Tensor, reduce: g[1] as tf.Tensor };
      });
      const gNormal = (await grads.normal.array()) as number[][];
      const gReduce = (await grads.reduce.array()) as number[][];
      for (const [g, cut] of [
        [gNormal, mutator.cut.normal],
        [gReduce, mutator.cut.reduce],
      ] as const) {
        g.forEach((row, e) =>
          row.forEach((v, k) => {
            expect(Number.isFinite(v)).toBe(true);
            if (cut[e]?.[k]) expect(v).toBe(0);
          }),
        );
      }
      adamStep(adam, alphas, grads, 0.2);
      tf.dispose([grads.normal, grads.reduce]);
    }
    const probs = maskedSoftmax(alphas.normal, mutator.cut.normal);
    const p = (await probs.array()) as number[][];
    const values = [...(await alphas.normal.data()), ...(await alphas.reduce.data())];
    expect(values.every(Number.isFinite)).toBe(true);
    p.forEach((row, e) => {
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      row.forEach((v, k) => {
        expect(Number.isFinite(v)).toBe(true);
        if (mutator.cut.normal[e]?.[k]) expect(v).toBe(0);
        else expect(v).toBeGreaterThan(0);
      });
    });
    tf.dispose([probs, alphas.normal, alphas.reduce]);
    disposeAdam(adam);
  });

  it('equals the softmax over the kept ops', async () => {
    const alpha = tf.tensor2d([[0.2, -0.1, 0.7, 0.05]]);
    const p = (await maskedSoftmax(alpha, [[false, true, false, true]]).array()) as number[][];
    const z = Math.exp(0.2) + Math.exp(0.7);
    expect(p[0]?.[0]).toBeCloseTo(Math.exp(0.2) / z, 6);
    expect(p[0]?.[2]).toBeCloseTo(Math.exp(0.7) / z, 6);
    expect(p[0]?.[1]).toBe(0);
    expect(() => maskedSoftmax(alpha, [[true, true, true, true]])).toThrow(
      /every op of edge 0 is cut/,
    );
    expect(() => maskedSoftmax(alpha, [[true, true]])).toThrow(/cut mask does not match/);
    alpha.dispose();
  });
});

describe('cut ops in the search network', () => {
  const shape = {
    c: 2,
    layers: 3,
    steps: 2,
    multiplier: 2,
    stemMultiplier: 1,
    numClasses: 3,
    imageChannels: 1,
    headWidths: [3, 4] as [number, number],
  };
  const full: OpName[] = ['none', 'max_pool_3x3', 'sep_conv_3x3', 'skip_connect'];
  const kept: OpName[] = ['none', 'max_pool_3x3', 'skip_connect'];

  it('are never run, and the network equals the one built without them', async () => {
    const net = cdartsSearchNetwork({ ...shape, primitives: full });
    const small = cdartsSearchNetwork({ ...shape, primitives: kept });
    const rng = Rng.fromSeed(4);
    const weights = createCdartsVariables(net.params, rng, true);
    const buffers = createCdartsVariables(net.buffers, rng, false);
    const x = tf.randomNormal([2, 8, 8, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const alphaRows = Array.from({ length: 5 }, (_, e) => full.map((_, k) => 0.1 * (e - k)));
    const alpha = tf.tensor2d(alphaRows);
    const alphaKept = tf.tensor2d(alphaRows.map((row) => [row[0], row[1], row[3]] as number[]));
    const mutator = createRegularizedMutator(full, 2, 'official');
    mutator.cut = {
      normal: alphaRows.map(() => [false, false, true, false]),
      reduce: alphaRows.map(() => [false, false, true, false]),
    };
    const ctx = { training: true, buffers };
    const run = (m: Mixtures, network = net) => network.forward(x, weights, m, ctx, true);
    const cutCount = await countKernels(() =>
      tf.tidy(() => run(mutatorMixtures(mutator, { normal: alpha, reduce: alpha })).logits),
    );
    const fullMutator = createRegularizedMutator(full, 2, 'official');
    const fullCount = await countKernels(() =>
      tf.tidy(() => run(mutatorMixtures(fullMutator, { normal: alpha, reduce: alpha })).logits),
    );
    expect(fullCount.byName.get('DepthwiseConv2dNative') ?? 0).toBeGreaterThan(0);
    expect(cutCount.byName.get('DepthwiseConv2dNative') ?? 0).toBe(0);

    const smallMutator = createRegularizedMutator(kept, 2, 'official');
    const [cut, reference] = tf.tidy(() => {
      const a = run(mutatorMixtures(mutator, { normal: alpha, reduce: alpha }));
      const b = run(mutatorMixtures(smallMutator, { normal: alphaKept, reduce: alphaKept }), small);
      return [
        tf.concat([a.logits, a.ensemble as tf.Tensor2D]),
        tf.concat([b.logits, b.ensemble as tf.Tensor2D]),
      ];
    });
    const [u, v] = [await cut.data(), await reference.data()];
    u.forEach((value, i) => expect(value).toBeCloseTo(v[i] as number, 6));
    tf.dispose([
      cut,
      reference,
      x,
      alpha,
      alphaKept,
      ...Object.values(weights),
      ...Object.values(buffers),
    ]);
  });

  it('weights each incoming edge of node i by 1/(i + 2) (the official fixed β)', () => {
    expect(Array.from(edgeScales(3))).toEqual(
      [1 / 2, 1 / 2, 1 / 3, 1 / 3, 1 / 3, 1 / 4, 1 / 4, 1 / 4, 1 / 4].map(Math.fround),
    );
  });
});
