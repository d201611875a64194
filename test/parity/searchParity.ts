/**
 * Parity of the supernet, the first-order and the unrolled (second-order) architecture
 * gradients with PyTorch (scripts/fixtures/architect_ref.py, after `cnn/architect.py`).
 */
import { describe, expect, it } from 'vitest';
import type { LossAt } from '../../src/nas/darts/archGradient';
import { firstOrderArchGrad, unrolledArchGrad } from '../../src/nas/darts/archGradient';
import type { TensorMap } from '../../src/nas/tensor/layer';
import { crossEntropy } from '../../src/nas/ops/loss';
import { DARTS_PRIMITIVES } from '../../src/nas/ops/primitives';
import type { Alphas } from '../../src/nas/darts/supernet';
import { supernet } from '../../src/nas/darts/supernet';
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

interface UnrolledJson {
  epsilon: number;
  lossValUnrolled: number;
  gradAlphas: { normal: TensorJson; reduce: TensorJson };
}

/** One whole `train_search.py` iteration from the fixture's start (make_fixtures.py). */
export interface IterationJson {
  alphaLr: number;
  alphaBetas: [number, number];
  alphaWeightDecay: number;
  gradClip: number;
  alphasAfter: { normal: TensorJson; reduce: TensorJson };
  weightsAfter: Record<string, TensorJson>;
}

/** search.json: the search problem and PyTorch's results on it. */
export interface SearchFixture {
  config: {
    c: number;
    layers: number;
    steps: number;
    multiplier: number;
    stemMultiplier: number;
    numClasses: number;
    imageChannels: number;
    imageSize: number;
  };
  params: Record<string, TensorJson>;
  alphas: { normal: TensorJson; reduce: TensorJson };
  xTrain: TensorJson;
  yTrain: number[];
  xVal: TensorJson;
  yVal: number[];
  lr: number;
  momentum: number;
  weightDecay: number;
  momentumBuffers: Record<string, TensorJson>;
  lossTrain: number;
  lossVal: number;
  logitsTrain: TensorJson;
  gradWeightsTrain: Record<string, TensorJson>;
  gradAlphasFirstOrder: { normal: TensorJson; reduce: TensorJson };
  unrolled: UnrolledJson;
  unrolledNoMomentum: UnrolledJson;
  largeWeightDecay: number;
  unrolledLargeDecay: UnrolledJson;
  iteration: Record<'1' | '2', IterationJson>;
}

export function describeSearchParity(
  backend: string,
  tolerance: number,
  unrolledTolerance: number,
): void {
  const fx = loadFixture<SearchFixture>('search.json');

  const setup = () => {
    const net = supernet({ ...fx.config, primitives: [...DARTS_PRIMITIVES] });
    const weights = toTensorMap(fx.params);
    const alphas: Alphas = {
      normal: toTensor(fx.alphas.normal) as tf.Tensor2D,
      reduce: toTensor(fx.alphas.reduce) as tf.Tensor2D,
    };
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
      lossTrain: lossOn(fx.xTrain, fx.yTrain),
      lossVal: lossOn(fx.xVal, fx.yVal),
    };
  };

  describe(`supernet and architecture gradients match PyTorch on ${backend}`, () => {
    it('names exactly the parameters of the reference network', () => {
      const { net } = setup();
      expect(net.params.map((p) => p.name).sort()).toEqual(Object.keys(fx.params).sort());
    });

    it('forward logits, train loss and weight gradients', async () => {
      const { net, weights, alphas, ctx, lossTrain } = setup();
      const logits = net.forward(toTensor(fx.xTrain) as tf.Tensor4D, weights, alphas, ctx);
      expect(await relativeError(logits, fx.logitsTrain)).toBeLessThan(tolerance);
      const names = Object.keys(fx.params);
      const { value, grads } = tf.valueAndGrads((...ws: tf.Tensor[]) =>
        lossTrain({ ...weights, ...zipMap(names, ws) }, alphas),
      )(names.map((n) => weights[n] as tf.Tensor));
      expect(Math.abs((await value.data())[0]! - fx.lossTrain) / fx.lossTrain).toBeLessThan(
        tolerance,
      );
      // All weight gradients as one vector: relative L2 error of the whole gradient.
      const flat = tf.concat(grads.map((g) => tf.reshape(g, [-1])));
      const expected = names.flatMap((n) => (fx.gradWeightsTrain[n] as TensorJson).data);
      expect(
        await relativeL2Error(flat, { shape: [expected.length], data: expected }),
      ).toBeLessThan(tolerance);
    });

    it('first-order alpha gradient', async () => {
      const { weights, alphas, lossVal } = setup();
      const r = firstOrderArchGrad(lossVal, weights, alphas);
      expect(Math.abs((await r.loss.data())[0]! - fx.lossVal) / fx.lossVal).toBeLessThan(tolerance);
      expect(await relativeError(r.grads.normal, fx.gradAlphasFirstOrder.normal)).toBeLessThan(
        tolerance,
      );
      expect(await relativeError(r.grads.reduce, fx.gradAlphasFirstOrder.reduce)).toBeLessThan(
        tolerance,
      );
    });

    const cases = [
      { name: 'with momentum buffers', expected: fx.unrolled, momentum: true },
      { name: 'on the first iteration (no momentum)', expected: fx.unrolledNoMomentum },
      // Large enough that the virtual step without its weight-decay term fails the comparison.
      {
        name: `with momentum buffers and weight decay ${fx.largeWeightDecay}`,
        expected: fx.unrolledLargeDecay,
        momentum: true,
        weightDecay: fx.largeWeightDecay,
      },
    ];
    for (const { name, expected, momentum: withMomentum, weightDecay } of cases) {
      it(`unrolled alpha gradient ${name}`, async () => {
        const { weights, alphas, lossTrain, lossVal } = setup();
        const r = unrolledArchGrad({
          lossTrain,
          lossVal,
          weights,
          weightNames: Object.keys(fx.params),
          alphas,
          ...(withMomentum ? { momentumBuffers: toTensorMap(fx.momentumBuffers) } : {}),
          lr: fx.lr,
          momentum: fx.momentum,
          weightDecay: weightDecay ?? fx.weightDecay,
        });
        const eps = (await r.epsilon.data())[0]!;
        expect(Math.abs(eps - expected.epsilon) / expected.epsilon).toBeLessThan(unrolledTolerance);
        const loss = (await r.loss.data())[0]!;
        expect(Math.abs(loss - expected.lossValUnrolled) / expected.lossValUnrolled).toBeLessThan(
          unrolledTolerance,
        );
        expect(await relativeL2Error(r.grads.normal, expected.gradAlphas.normal)).toBeLessThan(
          unrolledTolerance,
        );
        expect(await relativeL2Error(r.grads.reduce, expected.gradAlphas.reduce)).toBeLessThan(
          unrolledTolerance,
        );
        // The unrolled gradient must differ from the first-order one (the NNI no-op bug would not).
        const first = firstOrderArchGrad(lossVal, weights, alphas);
        const diff = await relativeError(r.grads.normal, {
          shape: first.grads.normal.shape,
          data: Array.from(await first.grads.normal.data()),
        });
        expect(diff).toBeGreaterThan(10 * unrolledTolerance);
      });
    }
  });
}
