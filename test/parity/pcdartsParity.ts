/**
 * Parity of PC-DARTS (src/nas/pcdarts) with PyTorch (scripts/fixtures/pcdarts_ref.py, after
 * PC-DARTS `model_search.py` and `architect.py`): the partial-channel mixed op at K 2 and 4 and
 * stride 1 and 2, the supernet's forward, weight gradients, first-order and unrolled gradients
 * of the alphas and the β, and the genotype rule with β.
 */
import { describe, expect, it } from 'vitest';
import type { LossAt } from '../../src/nas/darts/archGradient';
import {
  archTensors,
  firstOrderArchGrad,
  unrolledArchGrad,
} from '../../src/nas/darts/archGradient';
import { requireGrads, valueAndGradsOf } from '../../src/nas/recompute/cellCheckpoint';
import type { Alphas } from '../../src/nas/darts/supernet';
import { supernet } from '../../src/nas/darts/supernet';
import { softmaxRows } from '../../src/nas/genotype/genotype';
import { crossEntropy } from '../../src/nas/ops/loss';
import { SEARCH_OP_OPTIONS, buildOp } from '../../src/nas/ops/operations';
import { DARTS_PRIMITIVES } from '../../src/nas/ops/primitives';
import { edgeWeightValues } from '../../src/nas/pcdarts/edgeNormalization';
import { partialMixedOp } from '../../src/nas/pcdarts/partialMixedOp';
import { pcCellGenes } from '../../src/nas/pcdarts/pcGenotype';
import type { TensorMap } from '../../src/nas/tensor/layer';
import * as tf from '../../src/nas/tensor/tf';
import { zipMap } from '../../src/nas/tensor/tensorMaps';
import type { TensorJson } from '../support/fixtures';
import {
  loadFixture,
  relativeError,
  relativeL2Error,
  toTensor,
  toTensorMap,
} from '../support/fixtures';

type ArchJson = Record<'normal' | 'reduce' | 'betaNormal' | 'betaReduce', TensorJson>;

interface MixedOpCase {
  k: number;
  c: number;
  stride: number;
  params: Record<string, TensorJson>;
  x: TensorJson;
  alphaLogits: TensorJson;
  upstream: TensorJson;
  output: TensorJson;
  gradX: TensorJson;
  gradAlphaLogits: TensorJson;
}

interface NetworkJson {
  config: {
    c: number;
    layers: number;
    steps: number;
    multiplier: number;
    stemMultiplier: number;
    numClasses: number;
    imageChannels: number;
    partialChannels: number;
  };
  params: Record<string, TensorJson>;
  arch: ArchJson;
  xTrain: TensorJson;
  yTrain: number[];
  xVal: TensorJson;
  yVal: number[];
  lr: number;
  momentum: number;
  weightDecay: number;
  momentumBuffers: Record<string, TensorJson>;
  logitsTrain: TensorJson;
  lossTrain: number;
  lossVal: number;
  gradWeightsTrain: Record<string, TensorJson>;
  gradArchFirstOrder: ArchJson;
  unrolled: { epsilon: number; lossValUnrolled: number; grads: ArchJson };
  genotype: Record<'normal' | 'reduce', [string, number][]>;
}

interface GenotypeCase {
  steps: number;
  alphas: number[][];
  betas: number[];
  genes: [string, number][];
  dartsGenes: [string, number][];
}

export interface PcDartsFixture {
  mixedOps: MixedOpCase[];
  network: NetworkJson;
  genotypes: GenotypeCase[];
}

function archOf(a: ArchJson): Alphas {
  return {
    normal: toTensor(a.normal) as tf.Tensor2D,
    reduce: toTensor(a.reduce) as tf.Tensor2D,
    betas: {
      normal: toTensor(a.betaNormal) as tf.Tensor1D,
      reduce: toTensor(a.betaReduce) as tf.Tensor1D,
    },
  };
}

/** Each of the four architecture gradients against the fixture's. */
async function archErrors(
  grads: { normal: tf.Tensor; reduce: tf.Tensor; betas?: { normal: tf.Tensor; reduce: tf.Tensor } },
  expected: ArchJson,
): Promise<Record<string, number>> {
  if (!grads.betas) throw new Error('no β gradients');
  return {
    normal: await relativeL2Error(grads.normal, expected.normal),
    reduce: await relativeL2Error(grads.reduce, expected.reduce),
    betaNormal: await relativeL2Error(grads.betas.normal, expected.betaNormal),
    betaReduce: await relativeL2Error(grads.betas.reduce, expected.betaReduce),
  };
}

function expectAllBelow(errors: Record<string, number>, tolerance: number): void {
  for (const [key, err] of Object.entries(errors)) {
    expect({ key, err, ok: err < tolerance }).toMatchObject({ key, ok: true });
  }
}

/**
 * `slow`: a backend that takes minutes per network gradient (WebGPU on SwiftShader): the
 * network's forward and first-order gradients only, with minutes each; cpu and wasm run the
 * checkpointed and unrolled cases too.
 */
export function describePcDartsParity(
  backend: string,
  tolerance: number,
  unrolledTolerance: number,
  slow = false,
): void {
  const netTimeout = slow ? 600_000 : undefined;
  const full = slow ? it.skip : it;
  const fx = loadFixture<PcDartsFixture>('pcdarts.json');

  describe(`PC-DARTS partial-channel mixed op matches PyTorch on ${backend}`, () => {
    for (const c of fx.mixedOps) {
      it(`K ${c.k}, stride ${c.stride}: output, input and alpha gradients`, async () => {
        const op = partialMixedOp(c.k, c.c, c.stride, (channels) =>
          DARTS_PRIMITIVES.map((name) =>
            buildOp(name, name, channels, c.stride, SEARCH_OP_OPTIONS),
          ),
        );
        expect(op.params.map((p) => p.name).sort()).toEqual(Object.keys(c.params).sort());
        const weights = toTensorMap(c.params);
        const ctx = { training: true, buffers: {} };
        const f = (x: tf.Tensor, logits: tf.Tensor) => {
          const w = tf.unstack(tf.softmax(logits)) as tf.Scalar[];
          const out = op.apply(x as tf.Tensor4D, w, weights, ctx);
          if (!out) throw new Error('the partial mixed op gave no output');
          return out;
        };
        const x = toTensor(c.x);
        const logits = toTensor(c.alphaLogits);
        expect(await relativeError(f(x, logits), c.output)).toBeLessThan(tolerance);
        const upstream = toTensor(c.upstream);
        const [gx, ga] = tf.grads((xx: tf.Tensor, ll: tf.Tensor) =>
          tf.sum(tf.mul(f(xx, ll), upstream)),
        )([x, logits]);
        expect(await relativeError(gx as tf.Tensor, c.gradX)).toBeLessThan(tolerance);
        expect(await relativeError(ga as tf.Tensor, c.gradAlphaLogits)).toBeLessThan(tolerance);
      });
    }
  });

  describe(`PC-DARTS supernet and architecture gradients match PyTorch on ${backend}`, () => {
    const n = fx.network;
    const setup = () => {
      const net = supernet({ ...n.config, primitives: [...DARTS_PRIMITIVES] });
      const weights = toTensorMap(n.params);
      const alphas = archOf(n.arch);
      const ctx = { training: true, buffers: {} };
      const lossOn = (x: TensorJson, y: number[]): LossAt => {
        const xs = toTensor(x) as tf.Tensor4D;
        const ys = tf.tensor1d(y, 'int32');
        return (w: TensorMap, a: Alphas) => crossEntropy(net.forward(xs, w, a, ctx), ys);
      };
      return {
        net,
        weights,
        alphas,
        ctx,
        lossTrain: lossOn(n.xTrain, n.yTrain),
        lossVal: lossOn(n.xVal, n.yVal),
      };
    };

    it('names exactly the parameters of the reference network (ops at C/K channels)', () => {
      const { net } = setup();
      expect(net.params.map((p) => p.name).sort()).toEqual(Object.keys(n.params).sort());
      expect(net.kernels).toBe('reference');
    });

    it(
      'forward logits, train loss and weight gradients',
      async () => {
        const { net, weights, alphas, ctx, lossTrain } = setup();
        const logits = net.forward(toTensor(n.xTrain) as tf.Tensor4D, weights, alphas, ctx);
        expect(await relativeError(logits, n.logitsTrain)).toBeLessThan(tolerance);
        const names = Object.keys(n.params);
        const { value, grads } = tf.valueAndGrads((...ws: tf.Tensor[]) =>
          lossTrain({ ...weights, ...zipMap(names, ws) }, alphas),
        )(names.map((k) => weights[k] as tf.Tensor));
        expect(Math.abs((await value.data())[0]! - n.lossTrain) / n.lossTrain).toBeLessThan(
          tolerance,
        );
        const flat = tf.concat(grads.map((g) => tf.reshape(g, [-1])));
        const expected = names.flatMap((k) => (n.gradWeightsTrain[k] as TensorJson).data);
        expect(
          await relativeL2Error(flat, { shape: [expected.length], data: expected }),
        ).toBeLessThan(tolerance);
      },
      netTimeout,
    );

    it(
      'first-order gradients of the alphas and the β',
      async () => {
        const { weights, alphas, lossVal } = setup();
        const r = firstOrderArchGrad(lossVal, weights, alphas);
        expect(Math.abs((await r.loss.data())[0]! - n.lossVal) / n.lossVal).toBeLessThan(tolerance);
        expectAllBelow(await archErrors(r.grads, n.gradArchFirstOrder), tolerance);
      },
      netTimeout,
    );

    full(
      'the same first-order gradients with checkpointed cells (the search step’s default)',
      async () => {
        const { net, weights, alphas, ctx } = setup();
        const xs = toTensor(n.xVal) as tf.Tensor4D;
        const ys = tf.tensor1d(n.yVal, 'int32');
        const objective = {
          stacks: [net.stack(xs, weights, alphas, ctx)],
          objective: (states: readonly (readonly tf.Tensor4D[])[]) =>
            crossEntropy(net.logits(states[0] ?? [], weights), ys),
        };
        const r = valueAndGradsOf(objective, archTensors(alphas), true);
        const [normal, reduce, betaNormal, betaReduce] = requireGrads(r.grads, [
          'a',
          'b',
          'c',
          'd',
        ]);
        const grads = {
          normal: normal as tf.Tensor,
          reduce: reduce as tf.Tensor,
          betas: { normal: betaNormal as tf.Tensor, reduce: betaReduce as tf.Tensor },
        };
        expectAllBelow(await archErrors(grads, n.gradArchFirstOrder), tolerance);
      },
    );

    full('unrolled gradients of the alphas and the β (with momentum buffers)', async () => {
      const { weights, alphas, lossTrain, lossVal } = setup();
      const r = unrolledArchGrad({
        lossTrain,
        lossVal,
        weights,
        weightNames: Object.keys(n.params),
        alphas,
        momentumBuffers: toTensorMap(n.momentumBuffers),
        lr: n.lr,
        momentum: n.momentum,
        weightDecay: n.weightDecay,
      });
      const eps = (await r.epsilon.data())[0]!;
      expect(Math.abs(eps - n.unrolled.epsilon) / n.unrolled.epsilon).toBeLessThan(
        unrolledTolerance,
      );
      const loss = (await r.loss.data())[0]!;
      expect(Math.abs(loss - n.unrolled.lossValUnrolled) / n.unrolled.lossValUnrolled).toBeLessThan(
        unrolledTolerance,
      );
      expectAllBelow(await archErrors(r.grads, n.unrolled.grads), unrolledTolerance);
    });
  });

  describe(`PC-DARTS genotype rule matches PyTorch's (${backend} run)`, () => {
    it('derives the network fixture genotype and every generated case', () => {
      const n = fx.network;
      const genes = (alphas: TensorJson, betas: TensorJson) =>
        pcCellGenes(
          softmaxRows(toRows(alphas)),
          edgeWeightValues(betas.data, n.config.steps),
          n.config.steps,
          DARTS_PRIMITIVES,
        );
      expect(genes(n.arch.normal, n.arch.betaNormal)).toEqual(n.genotype.normal);
      expect(genes(n.arch.reduce, n.arch.betaReduce)).toEqual(n.genotype.reduce);
      for (const c of fx.genotypes) {
        const probs = softmaxRows(c.alphas);
        const edges = edgeWeightValues(c.betas, c.steps);
        expect(pcCellGenes(probs, edges, c.steps, DARTS_PRIMITIVES)).toEqual(c.genes);
      }
      // The β change the answer: the cases were drawn so that DARTS's rule differs.
      expect(
        fx.genotypes.some((c) => JSON.stringify(c.genes) !== JSON.stringify(c.dartsGenes)),
      ).toBe(true);
    });
  });
}

function toRows(t: TensorJson): number[][] {
  const [rows, cols] = t.shape as [number, number];
  return Array.from({ length: rows }, (_, r) => t.data.slice(r * cols, (r + 1) * cols));
}
