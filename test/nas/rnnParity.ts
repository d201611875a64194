/**
 * Parity of the recurrent search cell, the genotype cell and the language model around them with
 * PyTorch (scripts/fixtures/rnn_ref.py, after `rnn/model_search.py` and `rnn/model.py`): per-step
 * hidden states, log-probabilities, loss, TAR, the gradient w.r.t. every weight and the alphas,
 * and the BatchNorm running statistics, on the backend the calling test file selects.
 */
import { describe, expect, it } from 'vitest';
import type { ForwardContext, TensorMap } from '../../src/nas/tensor/layer';
import type { RecurrentCell, RnnDropoutMasks } from '../../src/nas/rnn/model/rnnCell';
import { rnnEvalCell } from '../../src/nas/rnn/model/rnnEvalCell';
import { rnnGenotypeFromJson } from '../../src/nas/rnn/genotype/rnnGenotype';
import type { RnnLanguageModel } from '../../src/nas/rnn/model/rnnLanguageModel';
import { rnnLanguageModel } from '../../src/nas/rnn/model/rnnLanguageModel';
import { temporalActivationPenalty, tokenCrossEntropy } from '../../src/nas/rnn/model/rnnLoss';
import { rnnSearchCell } from '../../src/nas/rnn/model/rnnSearchCell';
import { updatingContext } from '../../src/nas/ops/runningStats';
import * as tf from '../../src/nas/tensor/tf';
import { zipMap } from '../../src/nas/tensor/tensorMaps';
import type { TensorJson } from '../support/fixtures';
import { loadFixture, relativeError, toTensor, toTensorMap } from '../support/fixtures';

export interface ModelCase {
  name: string;
  training: boolean;
  params: Record<string, TensorJson>;
  tokens: number[][];
  targets: number[][];
  hidden: TensorJson;
  masks: Partial<Record<'x' | 'h' | 'embedding' | 'input' | 'output', TensorJson>>;
  hiddens: TensorJson;
  logProbs: TensorJson;
  loss: number;
  tar: number;
  gradParams: Record<string, TensorJson>;
  alphas?: TensorJson;
  gradAlphas?: TensorJson;
  buffersIn?: Record<string, TensorJson>;
  buffersOut?: Record<string, TensorJson>;
  genotype?: unknown;
}

interface RnnFixture {
  config: {
    ntoken: number;
    ninp: number;
    nhid: number;
    steps: number;
    seqLen: number;
    batch: number;
  };
  search: ModelCase[];
  eval: ModelCase[];
}

export const fx = loadFixture<RnnFixture>('rnn.json');

function masksOf(c: ModelCase): RnnDropoutMasks {
  const m = c.masks;
  return {
    ...(m.x ? { x: toTensor(m.x) as tf.Tensor2D } : {}),
    ...(m.h ? { h: toTensor(m.h) as tf.Tensor2D } : {}),
    ...(m.embedding ? { embedding: toTensor(m.embedding) as tf.Tensor1D } : {}),
    ...(m.input ? { input: toTensor(m.input) as tf.Tensor2D } : {}),
    ...(m.output ? { output: toTensor(m.output) as tf.Tensor2D } : {}),
  };
}

export interface Setup {
  model: RnnLanguageModel;
  weights: TensorMap;
  alpha: tf.Tensor2D | null;
  tokens: tf.Tensor2D;
  targets: tf.Tensor1D;
  hidden: tf.Tensor2D;
  masks: RnnDropoutMasks;
  ctx: ForwardContext;
}

export function setup(c: ModelCase, cell: RecurrentCell): Setup {
  const buffers = c.buffersIn ? toTensorMap(c.buffersIn) : {};
  return {
    model: rnnLanguageModel({ ntoken: fx.config.ntoken, cell }),
    weights: toTensorMap(c.params),
    alpha: c.alphas ? (toTensor(c.alphas) as tf.Tensor2D) : null,
    tokens: tf.tensor2d(c.tokens, undefined, 'int32'),
    targets: tf.tensor1d(c.targets.flat(), 'int32'),
    hidden: toTensor(c.hidden) as tf.Tensor2D,
    masks: masksOf(c),
    ctx: { training: c.training, buffers },
  };
}

export function searchCellOf(): RecurrentCell {
  return rnnSearchCell({ ninp: fx.config.ninp, nhid: fx.config.nhid, steps: fx.config.steps });
}

export function evalCellOf(c: ModelCase): RecurrentCell {
  return rnnEvalCell({
    ninp: fx.config.ninp,
    nhid: fx.config.nhid,
    genotype: rnnGenotypeFromJson(c.genotype),
  });
}

async function checkCase(c: ModelCase, cell: RecurrentCell, tolerance: number): Promise<void> {
  const s = setup(c, cell);
  const { config } = fx;
  const lossOf = (weights: TensorMap, alpha: tf.Tensor2D | null) =>
    tokenCrossEntropy(
      s.model.forward(s.tokens, s.hidden, weights, alpha, s.ctx, s.masks).logits,
      s.targets,
    );

  const out = s.model.forward(s.tokens, s.hidden, s.weights, s.alpha, s.ctx, s.masks);
  const hiddens = tf.reshape(out.hiddens, [config.seqLen, config.batch, config.nhid]);
  expect(await relativeError(hiddens, c.hiddens)).toBeLessThan(tolerance);
  expect(await relativeError(tf.logSoftmax(out.logits), c.logProbs)).toBeLessThan(tolerance);
  const lastStep = tf.slice(hiddens, [config.seqLen - 1, 0, 0], [1, -1, -1]);
  expect(await tf.equal(tf.reshape(lastStep, out.hidden.shape), out.hidden).all().data()).toEqual(
    new Uint8Array([1]),
  );
  const loss = (await tokenCrossEntropy(out.logits, s.targets).data())[0] as number;
  expect(Math.abs(loss - c.loss) / c.loss).toBeLessThan(tolerance);
  const tar = (await temporalActivationPenalty(out.hiddens, config.batch).data())[0] as number;
  expect(Math.abs(tar - c.tar) / c.tar).toBeLessThan(tolerance);

  const names = Object.keys(c.gradParams);
  expect(names.sort()).toEqual(s.model.params.map((p) => p.name).sort());
  const xs = [...names.map((n) => s.weights[n] as tf.Tensor), ...(s.alpha ? [s.alpha] : [])];
  const grads = tf.grads((...ts: tf.Tensor[]) =>
    lossOf(
      { ...s.weights, ...zipMap(names, ts.slice(0, names.length)) },
      s.alpha ? (ts[names.length] as tf.Tensor2D) : null,
    ),
  )(xs);
  for (const [i, name] of names.entries()) {
    const err = await relativeError(grads[i] as tf.Tensor, c.gradParams[name] as TensorJson);
    expect({ name, ok: err < tolerance, err }).toEqual({ name, ok: true, err });
  }
  if (c.gradAlphas) {
    expect(await relativeError(grads[names.length] as tf.Tensor, c.gradAlphas)).toBeLessThan(
      tolerance,
    );
  }
}

/** The parity suites at max-abs error / max-abs value ≤ tolerance. */
export function describeRnnParity(backend: string, tolerance: number): void {
  describe(`recurrent search cell and language model: parity with PyTorch (${backend})`, () => {
    for (const c of fx.search) {
      it(`${c.name}: hidden states, log-probabilities, loss, TAR and every gradient`, async () => {
        await checkCase(c, searchCellOf(), tolerance);
      });
    }

    it('updates the one BatchNorm running statistics 9 times per step, as PyTorch', async () => {
      const c = fx.search.find((x) => x.name === 'train') as ModelCase;
      const s = setup(c, searchCellOf());
      const buffers = {
        'cell.bn.runningMean': tf.variable(
          toTensor(c.buffersIn?.['cell.bn.runningMean'] as TensorJson),
        ),
        'cell.bn.runningVar': tf.variable(
          toTensor(c.buffersIn?.['cell.bn.runningVar'] as TensorJson),
        ),
      };
      s.model.forward(s.tokens, s.hidden, s.weights, s.alpha, updatingContext(buffers), s.masks);
      for (const [name, v] of Object.entries(buffers)) {
        expect(await relativeError(v, c.buffersOut?.[name] as TensorJson)).toBeLessThan(tolerance);
      }
    });
  });

  describe(`recurrent cell of a genotype: parity with PyTorch (${backend})`, () => {
    for (const c of fx.eval) {
      it(`${c.name}: hidden states, log-probabilities, loss, TAR and every gradient`, async () => {
        await checkCase(c, evalCellOf(c), tolerance);
      });
    }
  });

  describe(`truncated backpropagation through time (${backend})`, () => {
    it('two segments with the hidden state carried equal one forward over the whole sequence', async () => {
      for (const c of [fx.search[2] as ModelCase, fx.eval[0] as ModelCase]) {
        const s = setup(c, c.genotype ? evalCellOf(c) : searchCellOf());
        const whole = s.model.forward(s.tokens, s.hidden, s.weights, s.alpha, s.ctx, s.masks);
        const head = tf.slice(s.tokens, [0, 0], [2, -1]);
        const tail = tf.slice(s.tokens, [2, 0], [1, -1]);
        const first = s.model.forward(head, s.hidden, s.weights, s.alpha, s.ctx, s.masks);
        const second = s.model.forward(tail, first.hidden, s.weights, s.alpha, s.ctx, s.masks);
        const joined = await tf.concat([first.hiddens, second.hiddens], 0).data();
        const expected = await whole.hiddens.data();
        expect(Array.from(joined)).toEqual(Array.from(expected));
        // A fresh (zero) state gives something else: the carried state is really used.
        const fresh = s.model.forward(
          tail,
          s.model.initHidden(4),
          s.weights,
          s.alpha,
          s.ctx,
          s.masks,
        );
        const diff = await tf.max(tf.abs(tf.sub(fresh.hiddens, second.hiddens))).data();
        expect(diff[0]).toBeGreaterThan(1e-3);
      }
    });
  });
}
