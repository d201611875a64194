/**
 * Parity of the candidate ops and the search cell with PyTorch (fixtures from
 * scripts/fixtures). One spec, registered once per backend with that backend's tolerance.
 */
import { describe, expect, it } from 'vitest';
import { batchNorm } from '../../src/nas/ops/batchNorm';
import type { ForwardContext, Layer } from '../../src/nas/tensor/layer';
import {
  buildOp,
  factorizedReduce,
  reluConvBn,
  SEARCH_OP_OPTIONS,
} from '../../src/nas/ops/operations';
import { DARTS_PRIMITIVES, isOpName } from '../../src/nas/ops/primitives';
import { edgeOpWeights } from '../../src/nas/darts/supernet';
import { searchCell } from '../../src/nas/darts/searchCell';
import * as tf from '../../src/nas/tensor/tf';
import type { TensorJson } from '../support/fixtures';
import { loadFixture, relativeError, toTensor, toTensorMap } from '../support/fixtures';

interface OpCase {
  name: string;
  op: string;
  stride: number;
  cIn: number;
  cOut: number;
  input: TensorJson;
  params: Record<string, TensorJson>;
  upstream: TensorJson;
  output: TensorJson;
  gradInput: TensorJson;
  gradParams: Record<string, TensorJson>;
  runningMean?: TensorJson;
  runningVar?: TensorJson;
}

interface CellCase {
  name: string;
  steps: number;
  multiplier: number;
  cPP: number;
  cP: number;
  c: number;
  reduction: boolean;
  reductionPrev: boolean;
  s0: TensorJson;
  s1: TensorJson;
  alphas: TensorJson;
  params: Record<string, TensorJson>;
  upstream: TensorJson;
  output: TensorJson;
  gradS0: TensorJson;
  gradS1: TensorJson;
  gradAlphas: TensorJson;
  gradParams: Record<string, TensorJson>;
}

const P = 'op';

function layerFor(c: OpCase): Layer {
  switch (c.op) {
    case 'relu_conv_bn':
      return reluConvBn(P, c.cIn, c.cOut, 1, c.stride, 0, false);
    case 'factorized_reduce':
      return factorizedReduce(P, c.cIn, c.cOut, false);
    case 'bn':
      return batchNorm(P, c.cIn, false);
    case 'bn_affine':
      return batchNorm(P, c.cIn, true);
    default:
      if (!isOpName(c.op)) throw new Error(`fixture names unknown op ${c.op}`);
      return buildOp(c.op, P, c.cIn, c.stride, SEARCH_OP_OPTIONS);
  }
}

/** The fixture's local parameter names (dw1, conv, gamma) under the layer's prefix. */
function prefixed(local: string): string {
  return `${P}.${local}`;
}

export function describeOpsParity(backend: string, tolerance: number): void {
  const ops = loadFixture<{ cases: OpCase[] }>('ops.json');
  const cells = loadFixture<{ cases: CellCase[] }>('cell.json');

  describe(`candidate ops match PyTorch on ${backend}`, () => {
    it('covers every DARTS primitive at stride 1 and 2', () => {
      for (const name of DARTS_PRIMITIVES) {
        for (const stride of [1, 2]) {
          expect(ops.cases.some((c) => c.op === name && c.stride === stride)).toBe(true);
        }
      }
    });

    for (const c of ops.cases) {
      it(`${c.name}: forward, input and weight gradients`, async () => {
        const layer = layerFor(c);
        const paramNames = Object.keys(c.params).map(prefixed);
        expect([...paramNames].sort()).toEqual(layer.params.map((p) => p.name).sort());
        const stats: { mean: tf.Tensor; variance: tf.Tensor; count: number }[] = [];
        const ctx: ForwardContext = {
          training: true,
          buffers: {},
          onBatchStats: (s) =>
            stats.push({ mean: tf.keep(s.mean), variance: tf.keep(s.variance), count: s.count }),
        };
        const x = toTensor(c.input) as tf.Tensor4D;
        const params = Object.values(toTensorMap(c.params));
        const upstream = toTensor(c.upstream);
        const f = (xx: tf.Tensor, ...ps: tf.Tensor[]) => {
          const weights = Object.fromEntries(paramNames.map((n, i) => [n, ps[i] as tf.Tensor]));
          return layer.apply(xx as tf.Tensor4D, weights, ctx);
        };
        const out = f(x, ...params);
        expect(await relativeError(out, c.output)).toBeLessThan(tolerance);
        if (c.op === 'none') return; // constant zero: no gradient path
        const grads = tf.grads((xx: tf.Tensor, ...ps: tf.Tensor[]) =>
          tf.sum(tf.mul(f(xx, ...ps), upstream)),
        )([x, ...params]);
        expect(await relativeError(grads[0] as tf.Tensor, c.gradInput)).toBeLessThan(tolerance);
        for (const [i, local] of Object.keys(c.params).entries()) {
          const err = await relativeError(
            grads[i + 1] as tf.Tensor,
            c.gradParams[local] as TensorJson,
          );
          expect({ param: local, err: err < tolerance }).toEqual({ param: local, err: true });
        }
        if (c.runningMean && c.runningVar) {
          const { updatedRunningStats } = await import('../../src/nas/ops/batchNorm');
          const s = stats[0];
          if (!s) throw new Error('batch norm reported no statistics');
          const next = updatedRunningStats(tf.zeros([c.cIn]), tf.ones([c.cIn]), s);
          expect(await relativeError(next.mean, c.runningMean)).toBeLessThan(tolerance);
          expect(await relativeError(next.variance, c.runningVar)).toBeLessThan(tolerance);
        }
      });
    }
  });

  describe(`search cell matches PyTorch on ${backend}`, () => {
    for (const c of cells.cases) {
      it(`${c.name}: forward and gradients of inputs, alphas and weights`, async () => {
        const cell = searchCell({
          prefix: 'cell',
          steps: c.steps,
          multiplier: c.multiplier,
          cPrevPrev: c.cPP,
          cPrev: c.cP,
          c: c.c,
          reduction: c.reduction,
          reductionPrev: c.reductionPrev,
          primitives: [...DARTS_PRIMITIVES],
          opOptions: SEARCH_OP_OPTIONS,
        });
        const names = Object.keys(c.params);
        expect(names.map((n) => `cell.${n}`).sort()).toEqual(cell.params.map((p) => p.name).sort());
        const ctx: ForwardContext = { training: true, buffers: {} };
        const upstream = toTensor(c.upstream);
        const f = (s0: tf.Tensor, s1: tf.Tensor, alphas: tf.Tensor, ...ps: tf.Tensor[]) => {
          const weights = Object.fromEntries(
            names.map((n, i) => [`cell.${n}`, ps[i] as tf.Tensor]),
          );
          return cell.apply(
            s0 as tf.Tensor4D,
            s1 as tf.Tensor4D,
            edgeOpWeights(alphas as tf.Tensor2D),
            weights,
            ctx,
          );
        };
        const inputs = [
          toTensor(c.s0),
          toTensor(c.s1),
          toTensor(c.alphas),
          ...names.map((n) => toTensor(c.params[n] as TensorJson)),
        ];
        const [s0, s1, alphas, ...ps] = inputs as [tf.Tensor, tf.Tensor, tf.Tensor, ...tf.Tensor[]];
        expect(await relativeError(f(s0, s1, alphas, ...ps), c.output)).toBeLessThan(tolerance);
        const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, al: tf.Tensor, ...rest: tf.Tensor[]) =>
          tf.sum(tf.mul(f(a, b, al, ...rest), upstream)),
        )(inputs);
        expect(await relativeError(grads[0] as tf.Tensor, c.gradS0)).toBeLessThan(tolerance);
        expect(await relativeError(grads[1] as tf.Tensor, c.gradS1)).toBeLessThan(tolerance);
        expect(await relativeError(grads[2] as tf.Tensor, c.gradAlphas)).toBeLessThan(tolerance);
        const bad: string[] = [];
        for (const [i, n] of names.entries()) {
          const err = await relativeError(grads[i + 3] as tf.Tensor, c.gradParams[n] as TensorJson);
          if (!(err < tolerance)) bad.push(`${n}: ${err}`);
        }
        expect(bad).toEqual([]);
      });
    }
  });
}
