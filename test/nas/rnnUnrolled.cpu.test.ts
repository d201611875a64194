/**
 * The unrolled (second-order) alpha gradient of the recurrent search against PyTorch
 * (scripts/fixtures/rnn_train_ref.py, after `rnn/architect.py`) on the cpu backend, how it relates
 * to the first-order gradient, and the unrolled search step's tensor count.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { TensorMap } from '../../src/nas/layer';
import type { RnnLossAt } from '../../src/nas/rnn/rnnArchGradient';
import { rnnUnrolledArchGrad } from '../../src/nas/rnn/rnnArchGradient';
import type { RnnDropoutMasks } from '../../src/nas/rnn/rnnCell';
import { NO_DROPOUT } from '../../src/nas/rnn/rnnDropout';
import { rnnLanguageModel } from '../../src/nas/rnn/rnnLanguageModel';
import { tokenCrossEntropy } from '../../src/nas/rnn/rnnLoss';
import { rnnSearchCell } from '../../src/nas/rnn/rnnSearchCell';
import type { RnnSearchConfig } from '../../src/nas/rnn/rnnSearchConfig';
import { checkRnnSearchConfig, PAPER_RNN_SEARCH_CONFIG } from '../../src/nas/rnn/rnnSearchConfig';
import { prepareRnnSearchData, disposeRnnSearchData } from '../../src/nas/rnn/rnnSearchLoop';
import { createRnnSearchState, disposeRnnSearchState } from '../../src/nas/rnn/rnnSearchState';
import { rnnSearchStep } from '../../src/nas/rnn/rnnSearchStep';
import { tokenSegment } from '../../src/nas/rnn/rnnTokenData';
import * as tf from '../../src/nas/tf';
import type { TensorJson } from '../support/fixtures';
import {
  loadFixture,
  relativeError,
  relativeL2Error,
  toTensor,
  toTensorMap,
} from '../support/fixtures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

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

describe('unrolled recurrent alpha gradient: parity with PyTorch (cpu)', () => {
  it('matches rnn/architect.py: gradient, ε, validation loss at w′ and its next state', async () => {
    const { inputs } = problem();
    const r = rnnUnrolledArchGrad(inputs);
    // Relative L2 error ~1e-6 measured on cpu (float32 against float64).
    expect(await relativeL2Error(r.grad, fx.gradAlphas)).toBeLessThan(1e-4);
    expect(await relativeError(r.grad, fx.gradAlphas)).toBeLessThan(1e-4);
    const [loss, epsilon] = [(await r.loss.data())[0], (await r.epsilon.data())[0]] as number[];
    expect(Math.abs((loss as number) - fx.valLoss) / fx.valLoss).toBeLessThan(1e-5);
    expect(Math.abs((epsilon as number) - fx.epsilon) / fx.epsilon).toBeLessThan(1e-5);
    expect(await relativeError(r.hidden, fx.hiddenValNext)).toBeLessThan(1e-5);
  });

  it('differs from the first-order gradient, and equals it when η = 0', async () => {
    const p = problem();
    const first = p.firstOrder();
    const unrolled = rnnUnrolledArchGrad(p.inputs).grad;
    const rel = async (a: tf.Tensor, b: tf.Tensor) =>
      (await tf.norm(tf.sub(a, b)).data())[0]! / (await tf.norm(b).data())[0]!;
    expect(await rel(unrolled, first)).toBeGreaterThan(0.5);
    const still = problem({ lr: 0 });
    const atZero = rnnUnrolledArchGrad(still.inputs).grad;
    expect(await rel(atZero, still.firstOrder())).toBeLessThan(1e-6);
  });
});

describe('unrolled recurrent search step', () => {
  const TINY: RnnSearchConfig = {
    ...PAPER_RNN_SEARCH_CONFIG,
    order: 2,
    nhid: 6,
    steps: 3,
    batchSize: 4,
    evalBatchSize: 4,
    bptt: 4,
    seed: 3,
  };
  const ids = (n: number, seed: number) =>
    Array.from({ length: n }, (_, i) => (i * 7 + seed * (i >> 2)) % 5);

  it('keeps a flat tensor count, moves the alphas otherwise than first order, and is reproducible', async () => {
    const run = async (config: RnnSearchConfig) => {
      const state = createRnnSearchState(config, 5);
      const data = prepareRnnSearchData(state, { train: ids(80, 1), valid: ids(60, 2) });
      let hTrain = state.model.initHidden(4);
      let hVal = state.model.initHidden(4);
      const counts: number[] = [];
      for (let i = 0; i < 3; i++) {
        const train = tokenSegment(data.train, i * 4, 4);
        const val = tokenSegment(data.search, i * 4, 4);
        const r = rnnSearchStep(state, train, val, hTrain, hVal);
        hTrain = r.hiddenTrain;
        hVal = r.hiddenVal;
        tf.dispose([r.trainLoss, r.valLoss, train.tokens, train.targets, val.tokens, val.targets]);
        counts.push(tf.memory().numTensors);
      }
      const alpha = Array.from(await state.alpha.data());
      tf.dispose([hTrain, hVal]);
      disposeRnnSearchData(data);
      disposeRnnSearchState(state);
      return { counts, alpha };
    };
    const before = tf.memory().numTensors;
    const second = await run(TINY);
    expect(tf.memory().numTensors).toBe(before);
    expect(new Set(second.counts).size).toBe(1);
    expect((await run(TINY)).alpha).toEqual(second.alpha);
    const first = await run({ ...TINY, order: 1 });
    expect(first.alpha).not.toEqual(second.alpha);
    const noDropout = await run({ ...TINY, dropout: NO_DROPOUT });
    expect(noDropout.alpha).not.toEqual(second.alpha);
  });

  it('refuses an order other than 1 or 2', () => {
    expect(() => checkRnnSearchConfig({ ...TINY, order: 3 as 1 })).toThrow(
      /order must be 1 \(first order\) or 2 \(unrolled\), got 3/,
    );
    expect(PAPER_RNN_SEARCH_CONFIG.order).toBe(1);
  });
});
