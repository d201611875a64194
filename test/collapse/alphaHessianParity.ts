/**
 * The collapse monitor's eigenvalue against PyTorch: the largest eigenvalue of the exact Hessian
 * of the validation loss w.r.t. the alphas (scripts/fixtures/hessian_ref.py,
 * `torch.autograd.functional.hessian` on tiny supernets of darts_ref.py) against the power
 * iteration on finite-difference products (src/nas/collapse/), within 5 %, on one backend.
 */
import { describe, expect, it } from 'vitest';
import { alphaHessianEigenvalue } from '../../src/nas/collapse/alphaHessian';
import { crossEntropy } from '../../src/nas/ops/loss';
import type { OpName } from '../../src/nas/ops/primitives';
import type { Alphas } from '../../src/nas/darts/supernet';
import { supernet } from '../../src/nas/darts/supernet';
import * as tf from '../../src/nas/tensor/tf';
import type { TensorMap } from '../../src/nas/tensor/layer';
import type { TensorJson } from '../support/fixtures';
import { loadFixture, toTensor, toTensorMap } from '../support/fixtures';
import type { SearchFixture } from '../parity/searchParity';

interface HessianCase {
  readonly ops: readonly OpName[];
  readonly params: Record<string, TensorJson>;
  readonly alphas: { readonly normal: TensorJson; readonly reduce: TensorJson };
  readonly xVal: TensorJson;
  readonly yVal: number[];
  /** The exact Hessian's spectrum, ascending. */
  readonly eigenvalues: readonly number[];
  readonly largest: number;
}

interface HessianFixture {
  readonly config: SearchFixture['config'];
  readonly cases: readonly HessianCase[];
}

export function describeAlphaHessianParity(backend: string): void {
  const fx = loadFixture<HessianFixture>('hessian.json');

  const setup = (c: HessianCase) => {
    const net = supernet({ ...fx.config, primitives: [...c.ops] });
    const x = toTensor(c.xVal) as tf.Tensor4D;
    const y = tf.tensor1d(c.yVal, 'int32');
    const ctx = { training: true, buffers: {} };
    return {
      loss: (w: TensorMap, a: Alphas) => crossEntropy(net.forward(x, w, a, ctx), y),
      weights: toTensorMap(c.params),
      alphas: {
        normal: toTensor(c.alphas.normal) as tf.Tensor2D,
        reduce: toTensor(c.alphas.reduce) as tf.Tensor2D,
      },
    };
  };

  describe(`the alpha Hessian's largest eigenvalue matches PyTorch's on ${backend}`, () => {
    for (const c of fx.cases) {
      it(`on the ops ${c.ops.join(', ')} (largest ${c.largest})`, async () => {
        const { loss, weights, alphas } = setup(c);
        const estimate = await alphaHessianEigenvalue(loss, weights, alphas, 0);
        expect(estimate.converged).toBe(true);
        expect(Math.abs(estimate.eigenvalue - c.largest) / c.largest).toBeLessThan(0.05);
        // The next eigenvalue would not pass: the estimate is the largest one.
        const next = c.eigenvalues.at(-2) as number;
        expect(Math.abs(next - c.largest) / c.largest).toBeGreaterThan(0.5);
      });
    }

    it("adds the alphas' weight decay as R-DARTS does (H + wd·I)", async () => {
      const { loss, weights, alphas } = setup(fx.cases[0] as HessianCase);
      const wd = 0.5;
      const plain = await alphaHessianEigenvalue(loss, weights, alphas, 0);
      const decayed = await alphaHessianEigenvalue(loss, weights, alphas, wd);
      // The same start vector and products shifted by wd·v: the estimate moves by wd.
      expect(decayed.eigenvalue - plain.eigenvalue).toBeCloseTo(wd, 2);
    });
  });
}
