/**
 * The unrolled (second-order) alpha gradient of the recurrent search against PyTorch
 * (scripts/fixtures/rnn_train_ref.py, after `rnn/architect.py`, fixture rnnTrain.json 'unrolled')
 * and how it relates to the first-order gradient, on the backend the calling test file selects.
 */
import { describe, expect, it } from 'vitest';
import type { TensorMap } from '../../src/nas/tensor/layer';
import type { RnnLossAt } from '../../src/nas/rnn/search/rnnArchGradient';
import { rnnUnrolledArchGrad } from '../../src/nas/rnn/search/rnnArchGradient';
import type { RnnDropoutMasks } from '../../src/nas/rnn/model/rnnCell';
import { rnnLanguageModel } from '../../src/nas/rnn/model/rnnLanguageModel';
import { tokenCrossEntropy } from '../../src/nas/rnn/model/rnnLoss';
import { rnnSearchCell } from '../../src/nas/rnn/model/rnnSearchCell';
import * as tf from '../../src/nas/tensor/tf';
import type { TensorJson } from '../support/fixtures';
import {
  loadFixture,
  relativeError,
  relativeL2Error,
  toTensor,
  toTensorMap,
} from '../support/fixtures';

type MaskJson = Partial<Record<keyof RnnDropoutMasks, TensorJson>>;

interface SegmentJson {
  tokens: number[][];
  targets: number[][];
  hidden: TensorJson;
}

interface UnrolledFixture {
  config: {
    ntoken: number;
    nhid: number;
    steps: number;
    batch: number;
    eta: number;
    clip: number;
    weightDecay: number;
  };
  params: Record<string, TensorJson>;
  alphas: TensorJson;
  train: SegmentJson;
  valid: SegmentJson;
  masks: Record<'virtual' | 'valid' | 'plus' | 'minus', MaskJson>;
  valLoss: number;
  hiddenValNext: TensorJson;
  epsilon: number;
  gradAlphas: TensorJson;
}

const fx = loadFixture<{ unrolled: UnrolledFixture }>('rnnTrain.json').unrolled;

function masksOf(m: MaskJson): RnnDropoutMasks {
  const out: Record<string, tf.Tensor> = {};
  for (const [k, t] of Object.entries(m)) out[k] = toTensor(t as TensorJson);
  return out as RnnDropoutMasks;
}

function problem(overrides: { lr?: number } = {}) {
  const { config } = fx;
  const cell = rnnSearchCell({ ninp: config.nhid, nhid: config.nhid, steps: config.steps });
  const model = rnnLanguageModel({ ntoken: config.ntoken, cell });
  const ctx = { training: true, buffers: {} };
  const lossAt =
    (seg: SegmentJson, masks: MaskJson): RnnLossAt =>
    (weights, alpha) => {
      const out = model.forward(
        tf.tensor2d(seg.tokens, undefined, 'int32'),
        toTensor(seg.hidden) as tf.Tensor2D,
        weights,
        alpha,
        ctx,
        masksOf(masks),
      );
      return {
        loss: tokenCrossEntropy(out.logits, tf.tensor1d(seg.targets.flat(), 'int32')),
        hidden: out.hidden,
      };
    };
  const weights: TensorMap = toTensorMap(fx.params);
  const alpha = toTensor(fx.alphas) as tf.Tensor2D;
  const inputs = {
    trainLoss: lossAt(fx.train, fx.masks.virtual),
    valLoss: lossAt(fx.valid, fx.masks.valid),
    plusLoss: lossAt(fx.train, fx.masks.plus),
    minusLoss: lossAt(fx.train, fx.masks.minus),
    weights,
    weightNames: model.params.map((p) => p.name),
    alpha,
    lr: overrides.lr ?? config.eta,
    weightDecay: config.weightDecay,
    clip: config.clip,
  };
  const firstOrder = (): tf.Tensor2D =>
    tf.grad((a: tf.Tensor) => inputs.valLoss(weights, a as tf.Tensor2D).loss)(alpha) as tf.Tensor2D;
  return { inputs, firstOrder };
}

/**
 * The suite on the backend set up by the caller's beforeAll: the gradient at relative error
 * `tolerance`, the scalars and the next hidden state at `tolerance / 10`. `relations: false` leaves
 * out the first-order / η = 0 comparison (four more gradients), for backends too slow to repeat it
 * on (SwiftShader WebGPU: 38 s); it checks the algorithm, which cpu and wasm already cover.
 */
export function describeRnnUnrolledParity(
  backend: string,
  tolerance: number,
  { relations = true }: { relations?: boolean } = {},
): void {
  describe(`unrolled recurrent alpha gradient: parity with PyTorch (${backend})`, () => {
    it('matches rnn/architect.py: gradient, ε, validation loss at w′ and its next state', async () => {
      const { inputs } = problem();
      const r = rnnUnrolledArchGrad(inputs);
      // Relative L2 error ~1e-6 measured on cpu (float32 against float64).
      expect(await relativeL2Error(r.grad, fx.gradAlphas)).toBeLessThan(tolerance);
      expect(await relativeError(r.grad, fx.gradAlphas)).toBeLessThan(tolerance);
      const [loss, epsilon] = [(await r.loss.data())[0], (await r.epsilon.data())[0]] as number[];
      expect(Math.abs((loss as number) - fx.valLoss) / fx.valLoss).toBeLessThan(tolerance / 10);
      expect(Math.abs((epsilon as number) - fx.epsilon) / fx.epsilon).toBeLessThan(tolerance / 10);
      expect(await relativeError(r.hidden, fx.hiddenValNext)).toBeLessThan(tolerance / 10);
    });

    it.runIf(relations)(
      'differs from the first-order gradient, and equals it when η = 0',
      async () => {
        const p = problem();
        const first = p.firstOrder();
        const unrolled = rnnUnrolledArchGrad(p.inputs).grad;
        const rel = async (a: tf.Tensor, b: tf.Tensor) =>
          (await tf.norm(tf.sub(a, b)).data())[0]! / (await tf.norm(b).data())[0]!;
        expect(await rel(unrolled, first)).toBeGreaterThan(0.5);
        const still = problem({ lr: 0 });
        const atZero = rnnUnrolledArchGrad(still.inputs).grad;
        expect(await rel(atZero, still.firstOrder())).toBeLessThan(1e-6);
      },
    );
  });
}
