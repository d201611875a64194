/**
 * SGD, Adam, global-norm clipping and the cosine schedule against torch.optim
 * (test/fixtures/optim.json); run per backend by optimizers.<backend>.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { adamStep, createAdam } from '../../src/nas/optim/adam';
import { clipByGlobalNorm } from '../../src/nas/optim/clipGradNorm';
import { cosineLr } from '../../src/nas/optim/cosineSchedule';
import { createSgd, sgdStep } from '../../src/nas/optim/sgd';
import * as tf from '../../src/nas/tensor/tf';
import type { TensorJson } from '../support/fixtures';
import { loadFixture, relativeError, toTensor } from '../support/fixtures';

interface OptimRun {
  lr: number;
  momentum?: number;
  weightDecay: number;
  betas?: [number, number];
  eps?: number;
  params0: TensorJson[];
  grads: TensorJson[][];
  paramsAfter: TensorJson[][];
}

const fx = loadFixture<{
  sgd: OptimRun;
  adam: OptimRun;
  clip: { maxNorm: number; grads: TensorJson[]; clipped: TensorJson[]; totalNorm: number }[];
  cosine: { lrMax: number; lrMin: number; epochs: number; lr: number[] };
}>('optim.json');

const named = (ts: TensorJson[]) => Object.fromEntries(ts.map((t, i) => [`p${i}`, toTensor(t)]));

/** The suite on the backend set up by the caller's beforeAll. */
export function describeOptimizerParity(backend: string): void {
  describe(`optimizers match torch.optim on ${backend}`, () => {
    it('SGD with momentum and coupled weight decay, three steps', async () => {
      const run = fx.sgd;
      const params = Object.fromEntries(
        run.params0.map((t, i) => [`p${i}`, tf.variable(toTensor(t))]),
      );
      const state = createSgd(params, {
        momentum: run.momentum as number,
        weightDecay: run.weightDecay,
      });
      for (const [step, grads] of run.grads.entries()) {
        sgdStep(state, params, named(grads), run.lr);
        for (const [i, expected] of (run.paramsAfter[step] as TensorJson[]).entries()) {
          expect(await relativeError(params[`p${i}`] as tf.Tensor, expected)).toBeLessThan(1e-6);
        }
      }
    });

    it('Adam with coupled weight decay, three steps', async () => {
      const run = fx.adam;
      const params = Object.fromEntries(
        run.params0.map((t, i) => [`p${i}`, tf.variable(toTensor(t))]),
      );
      const [beta1, beta2] = run.betas as [number, number];
      const state = createAdam(params, {
        beta1,
        beta2,
        eps: run.eps as number,
        weightDecay: run.weightDecay,
      });
      for (const [step, grads] of run.grads.entries()) {
        adamStep(state, params, named(grads), run.lr);
        for (const [i, expected] of (run.paramsAfter[step] as TensorJson[]).entries()) {
          expect(await relativeError(params[`p${i}`] as tf.Tensor, expected)).toBeLessThan(1e-6);
        }
      }
    });

    it('global-norm clipping as clip_grad_norm_, above and below the bound', async () => {
      expect(fx.clip.some((c) => c.totalNorm > c.maxNorm)).toBe(true);
      expect(fx.clip.some((c) => c.totalNorm < c.maxNorm)).toBe(true);
      for (const c of fx.clip) {
        const { grads, norm } = clipByGlobalNorm(named(c.grads), c.maxNorm);
        expect((await norm.data())[0]).toBeCloseTo(c.totalNorm, 4);
        for (const [i, expected] of c.clipped.entries()) {
          expect(await relativeError(grads[`p${i}`] as tf.Tensor, expected)).toBeLessThan(1e-6);
        }
      }
    });

    it('cosine learning rate per epoch as the DARTS search uses it', () => {
      const { lrMax, lrMin, epochs, lr } = fx.cosine;
      lr.forEach((expected, e) =>
        expect(cosineLr(e, epochs, lrMax, lrMin)).toBeCloseTo(expected, 12),
      );
      // The log line quoted in quark0/darts#7: "epoch 49 lr 1.023679e-03".
      expect(cosineLr(49, 50, 0.025, 0.001).toExponential(6)).toBe('1.023679e-3');
    });
  });
}
