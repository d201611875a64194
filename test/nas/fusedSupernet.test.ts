/**
 * The fused supernet (`kernels: 'fused'`) against the reference one (`kernels: 'reference'`,
 * one mixed op per edge, itself checked against PyTorch in test/parity): same parameters, same
 * forward values, weight gradients, alpha gradients (first order and unrolled), BatchNorm
 * statistics and search steps, in several times fewer kernels.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { LossAt } from '../../src/nas/darts/archGradient';
import { firstOrderArchGrad, unrolledArchGrad } from '../../src/nas/darts/archGradient';
import { createVariables } from '../../src/nas/tensor/initParams';
import type { BatchStats, ForwardContext, TensorMap } from '../../src/nas/tensor/layer';
import { crossEntropy } from '../../src/nas/ops/loss';
import { SEARCH_OP_OPTIONS } from '../../src/nas/ops/operations';
import type { OpName } from '../../src/nas/ops/primitives';
import { DARTS_PRIMITIVES } from '../../src/nas/ops/primitives';
import { Rng } from '../../src/nas/tensor/random';
import { SMALL_SEARCH_CONFIG, validateSearchConfig } from '../../src/nas/darts/searchConfig';
import type { CellKernels } from '../../src/nas/darts/searchCell';
import { searchCell } from '../../src/nas/darts/searchCell';
import { edgeCount } from '../../src/nas/genotype/cellTopology';
import type { SearchState } from '../../src/nas/darts/searchState';
import { createSearchState, disposeSearchState } from '../../src/nas/darts/searchState';
import { searchStep } from '../../src/nas/darts/searchStep';
import type { Alphas, SupernetSpec } from '../../src/nas/darts/supernet';
import { supernet } from '../../src/nas/darts/supernet';
import * as tf from '../../src/nas/tensor/tf';
import { zipMap } from '../../src/nas/tensor/tensorMaps';
import { countKernels, formatKernelCount } from '../support/kernelCount';
import { subset } from '../../src/data/dataset';
import { toDevice } from '../../src/data/deviceSplit';
import { syntheticDataset } from '../../src/data/synthetic';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** ‖a − b‖₂ / ‖b‖₂ over all elements of the lists. */
async function relativeL2(a: readonly tf.Tensor[], b: readonly tf.Tensor[]): Promise<number> {
  expect(a.map((t) => t.shape)).toEqual(b.map((t) => t.shape));
  let diff = 0;
  let norm = 0;
  for (const [i, t] of a.entries()) {
    const x = await t.data();
    const y = await (b[i] as tf.Tensor).data();
    y.forEach((v, j) => {
      diff += ((x[j] as number) - v) ** 2;
      norm += v * v;
    });
  }
  return Math.sqrt(diff / norm);
}

/** A network (3 cells, the middle and last ones reducing) with random weights and alphas. */
function setup(spec: Partial<SupernetSpec> = {}) {
  const full: SupernetSpec = {
    c: 2,
    layers: 3,
    steps: 3,
    multiplier: 3,
    stemMultiplier: 3,
    numClasses: 3,
    imageChannels: 2,
    primitives: [...DARTS_PRIMITIVES],
    ...spec,
  };
  const reference = supernet({ ...full, kernels: 'reference' });
  const fused = supernet({ ...full, kernels: 'fused' });
  const rng = Rng.fromSeed(7);
  const weights = createVariables(reference.params, rng, true);
  // Running statistics away from (0, 1), so that evaluation mode tests something.
  const buffers: Record<string, tf.Tensor> = {};
  for (const b of reference.buffers) {
    const positive = b.name.endsWith('runningVar');
    buffers[b.name] = tf.tensor(
      Array.from({ length: b.shape[0] as number }, () =>
        positive ? 0.5 + rng.uniform(0, 1) : rng.uniform(-1, 1),
      ),
      [...b.shape],
    );
  }
  const edges = edgeCount(full.steps);
  const alphas: Alphas = {
    normal: tf.randomNormal([edges, full.primitives.length], 0, 1, 'float32', 1) as tf.Tensor2D,
    reduce: tf.randomNormal([edges, full.primitives.length], 0, 1, 'float32', 2) as tf.Tensor2D,
  };
  const x = tf.randomNormal([3, 8, 8, full.imageChannels], 0, 1, 'float32', 3) as tf.Tensor4D;
  const y = tf.tensor1d([0, 2, 1], 'int32');
  const x2 = tf.randomNormal([3, 8, 8, full.imageChannels], 0, 1, 'float32', 4) as tf.Tensor4D;
  const y2 = tf.tensor1d([1, 1, 0], 'int32');
  return { reference, fused, weights, buffers, alphas, x, y, x2, y2 };
}

const TRAINING: ForwardContext = { training: true, buffers: {} };

describe('fused supernet kernels', () => {
  it('have exactly the parameters and buffers of the reference network, in order', () => {
    const { reference, fused } = setup();
    expect(fused.params).toEqual(reference.params);
    expect(fused.buffers).toEqual(reference.buffers);
    expect(fused.kernels).toBe('fused');
    expect(reference.kernels).toBe('reference');
  });

  it('compute the same logits in training and in evaluation mode', async () => {
    const { reference, fused, weights, buffers, alphas, x } = setup();
    for (const ctx of [TRAINING, { training: false, buffers }]) {
      const a = fused.forward(x, weights, alphas, ctx);
      const b = reference.forward(x, weights, alphas, ctx);
      expect(await relativeL2([a], [b])).toBeLessThan(1e-5);
      // Not a vacuous comparison: the logits differ between the modes.
      expect(Math.max(...(await tf.abs(b).data()))).toBeGreaterThan(1e-3);
    }
  });

  it('compute the same weight gradients', async () => {
    const { reference, fused, weights, alphas, x, y } = setup();
    const names = Object.keys(weights);
    const grads = (net: typeof fused) =>
      tf.grads((...ws: tf.Tensor[]) =>
        crossEntropy(net.forward(x, zipMap(names, ws), alphas, TRAINING), y),
      )(names.map((n) => weights[n] as tf.Tensor));
    const a = grads(fused);
    const b = grads(reference);
    expect(await relativeL2(a, b)).toBeLessThan(1e-5);
    // Every tensor on its own, to the gradient's scale (BatchNorm makes the gradients of the
    // convs before it nearly cancel: some are 1000× smaller than others, with the same
    // absolute float32 round-off).
    const norms = await Promise.all(
      b.map(async (t) => Math.sqrt((await tf.sum(tf.square(t)).data())[0] as number)),
    );
    const scale = Math.max(...norms);
    const worst: string[] = [];
    for (const [i, name] of names.entries()) {
      const diff = (
        await tf.norm(tf.sub(a[i] as tf.Tensor, b[i] as tf.Tensor)).data()
      )[0] as number;
      if (!(diff < 1e-5 * scale)) worst.push(`${name}: ${diff / scale}`);
    }
    expect(worst).toEqual([]);
  });

  it('compute the same first-order and unrolled alpha gradients', async () => {
    const { reference, fused, weights, alphas, x, y, x2, y2 } = setup();
    const lossOn =
      (net: typeof fused, xs: tf.Tensor4D, ys: tf.Tensor1D): LossAt =>
      (w: TensorMap, a: Alphas) =>
        crossEntropy(net.forward(xs, w, a, TRAINING), ys);
    const first = (net: typeof fused) => firstOrderArchGrad(lossOn(net, x2, y2), weights, alphas);
    const a = first(fused);
    const b = first(reference);
    expect(
      await relativeL2([a.grads.normal, a.grads.reduce], [b.grads.normal, b.grads.reduce]),
    ).toBeLessThan(1e-5);
    const unrolled = (net: typeof fused) =>
      unrolledArchGrad({
        lossTrain: lossOn(net, x, y),
        lossVal: lossOn(net, x2, y2),
        weights,
        weightNames: Object.keys(weights),
        alphas,
        lr: 0.025,
        momentum: 0.9,
        weightDecay: 3e-4,
      });
    const u = unrolled(fused);
    const v = unrolled(reference);
    // The finite difference divides round-off by ε ≈ 0.01/‖v‖ (see docs/DECISIONS.md).
    expect(
      await relativeL2([u.grads.normal, u.grads.reduce], [v.grads.normal, v.grads.reduce]),
    ).toBeLessThan(1e-4);
    expect(await relativeL2([u.grads.normal], [a.grads.normal])).toBeGreaterThan(1e-3);
  });

  it('report the same BatchNorm statistics for every BatchNorm', async () => {
    const { reference, fused, weights, alphas, x } = setup();
    const collect = async (net: typeof fused) => {
      const stats = new Map<string, BatchStats>();
      net.forward(x, weights, alphas, {
        training: true,
        buffers: {},
        // The fused BatchNorm's statistics live as long as the callback: keep them.
        onBatchStats: (s) =>
          stats.set(s.prefix, { ...s, mean: tf.keep(s.mean), variance: tf.keep(s.variance) }),
      });
      return stats;
    };
    const a = await collect(fused);
    const b = await collect(reference);
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    expect(a.size).toBe(reference.buffers.length / 2);
    const bad: string[] = [];
    for (const [prefix, s] of b) {
      const t = a.get(prefix) as BatchStats;
      const err = await relativeL2([t.mean, t.variance], [s.mean, s.variance]);
      if (!(err < 1e-5) || t.count !== s.count) bad.push(`${prefix}: ${err}, ${t.count}`);
    }
    expect(bad).toEqual([]);
  });

  const opSets: [string, OpName[]][] = [
    [
      'a reordered subset',
      ['sep_conv_3x3', 'skip_connect', 'none', 'max_pool_3x3', 'dil_conv_5x5'],
    ],
    ['sep_conv_7x7 with a dilated conv', ['dil_conv_3x3', 'sep_conv_7x7', 'avg_pool_3x3']],
    ['pools and skip only', ['avg_pool_3x3', 'none', 'skip_connect']],
  ];
  for (const [what, primitives] of opSets) {
    it(`handle ${what}: forward and all gradients`, async () => {
      const { reference, fused, weights, alphas, x, y } = setup({
        primitives,
        steps: 2,
        multiplier: 2,
      });
      expect(fused.kernels).toBe('fused');
      const names = Object.keys(weights);
      const run = (net: typeof fused) => {
        const { value, grads } = tf.valueAndGrads((...ws: tf.Tensor[]) =>
          crossEntropy(
            net.forward(
              x,
              zipMap(names, ws.slice(2)),
              { normal: ws[0] as tf.Tensor2D, reduce: ws[1] as tf.Tensor2D },
              TRAINING,
            ),
            y,
          ),
        )([alphas.normal, alphas.reduce, ...names.map((n) => weights[n] as tf.Tensor)]);
        return [value, ...grads];
      };
      expect(await relativeL2(run(fused), run(reference))).toBeLessThan(1e-5);
    });
  }

  it('run cut choices (CDARTS) exactly as the reference cell does', async () => {
    const spec = {
      prefix: 'c',
      steps: 2,
      multiplier: 2,
      cPrevPrev: 2,
      cPrev: 2,
      c: 2,
      reduction: false,
      reductionPrev: false,
      primitives: [...DARTS_PRIMITIVES],
      opOptions: SEARCH_OP_OPTIONS,
    };
    const fused = searchCell({ ...spec, kernels: 'fused' });
    const reference = searchCell({ ...spec, kernels: 'reference' });
    const weights = createVariables(reference.params, Rng.fromSeed(2), true);
    const s = tf.randomNormal([2, 6, 6, 2], 0, 1, 'float32', 5) as tf.Tensor4D;
    const softmax = tf.softmax(tf.randomNormal([5, 8], 0, 1, 'float32', 6)) as tf.Tensor2D;
    const skip = Array.from({ length: 5 }, (_, e) =>
      DARTS_PRIMITIVES.map((_, k) => (e + k) % 3 === 0),
    );
    const a = fused.apply(s, s, softmax, weights, TRAINING, skip);
    const b = reference.apply(s, s, softmax, weights, TRAINING, skip);
    expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
  });

  it('refuse what they cannot compute, and the default falls back to the reference cell', () => {
    const spec = {
      prefix: 'c',
      steps: 2,
      multiplier: 2,
      cPrevPrev: 2,
      cPrev: 2,
      c: 2,
      reduction: false,
      reductionPrev: false,
      primitives: ['sep_conv_3x3', 'conv_7x1_1x7'] as OpName[],
      opOptions: SEARCH_OP_OPTIONS,
    };
    expect(() => searchCell({ ...spec, kernels: 'fused' })).toThrow(
      /fused cell cannot compute conv_7x1_1x7; use kernels: 'reference'/,
    );
    expect(searchCell(spec).kernels).toBe('reference');
    const affine = {
      ...spec,
      primitives: [...DARTS_PRIMITIVES],
      opOptions: { affine: true, bnAfterPool: true },
    };
    expect(() => searchCell({ ...affine, kernels: 'fused' })).toThrow(/affine-free BatchNorm/);
    expect(searchCell(affine).kernels).toBe('reference');
    expect(() => searchCell({ ...spec, kernels: 'fast' as CellKernels })).toThrow(
      /kernels must be 'fused' or 'reference', got fast/,
    );
  });
});

/** The lab's default preset ('quick demo'): 3 cells, C 2, 2 nodes, batch 4, 8×8×1 images. */
const QUICK_DEMO = validateSearchConfig({
  ...SMALL_SEARCH_CONFIG,
  layers: 3,
  channels: 2,
  nodes: 2,
  multiplier: 2,
  batchSize: 4,
});

/** Eight 8×8 grey images of 10 classes, as the quick demo's Fashion-MNIST. */
const IMAGES = syntheticDataset({ count: 8, size: 8, channels: 1, numClasses: 10, seed: 3 });

describe('a search step with fused kernels', () => {
  async function stepOnce(kernels: CellKernels, order: 1 | 2) {
    const state = createSearchState({ ...QUICK_DEMO, order }, IMAGES, { kernels });
    const split = (from: number) =>
      toDevice(
        subset(
          IMAGES,
          Array.from({ length: 4 }, (_, i) => from + i),
        ),
      );
    const [trainSplit, valSplit] = [split(0), split(4)];
    const all = [0, 1, 2, 3];
    const train = trainSplit.batch(all);
    const val = valSplit.batch(all);
    const rates = { weightLr: 0.025, alphaLr: 3e-3 };
    const count = await countKernels(() => {
      const r = searchStep(state, train, val, rates);
      return [r.trainLoss, r.trainAccuracy, r.valLoss];
    });
    tf.dispose([train.x, train.y, val.x, val.y]);
    trainSplit.dispose();
    valSplit.dispose();
    return { state, count };
  }

  const groups = (state: SearchState): Record<string, [string, tf.Tensor][]> => ({
    weights: Object.entries(state.weights),
    buffers: Object.entries(state.buffers),
    alphas: Object.entries(state.alphas),
  });

  for (const order of [1, 2] as const) {
    it(`moves weights, BatchNorm buffers and alphas as the reference does (order ${order})`, async () => {
      const fused = await stepOnce('fused', order);
      const reference = await stepOnce('reference', order);
      expect(fused.state.net.kernels).toBe('fused');
      expect(reference.state.net.kernels).toBe('reference');
      const a = groups(fused.state);
      const b = groups(reference.state);
      for (const kind of Object.keys(b)) {
        const [x, y] = [a[kind] ?? [], b[kind] ?? []];
        expect(x.map(([n]) => n)).toEqual(y.map(([n]) => n));
        const err = await relativeL2(
          x.map(([, t]) => t),
          y.map(([, t]) => t),
        );
        expect(err, kind).toBeLessThan(1e-5);
      }
      // The step moved the alphas (a step that did nothing would compare equal trivially).
      const before = createSearchState({ ...QUICK_DEMO, order }, IMAGES);
      expect(await relativeL2([fused.state.alphas.normal], [before.alphas.normal])).toBeGreaterThan(
        1e-3,
      );
      for (const s of [fused.state, reference.state, before]) disposeSearchState(s);
    });
  }

  it('dispatches at most a third of the reference kernels (quick demo, first order)', async () => {
    const fused = await stepOnce('fused', 1);
    const reference = await stepOnce('reference', 1);
    disposeSearchState(fused.state);
    disposeSearchState(reference.state);
    expect(
      fused.count.total * 3,
      `fused ${formatKernelCount(fused.count, 6)}; reference ${formatKernelCount(reference.count, 6)}`,
    ).toBeLessThanOrEqual(reference.count.total);
    expect(fused.count.total).toBeGreaterThan(1000);
  });

  it('is the default of createSearchState', () => {
    const state = createSearchState(QUICK_DEMO, IMAGES);
    expect(state.net.kernels).toBe('fused');
    disposeSearchState(state);
  });
});
