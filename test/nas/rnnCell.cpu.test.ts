/** The recurrent parity suites (rnnParity.ts) on the cpu backend, and bad-input checks. */
import { beforeAll, describe, expect, it } from 'vitest';
import { rnnLanguageModel } from '../../src/nas/rnn/model/rnnLanguageModel';
import { rnnSearchCell } from '../../src/nas/rnn/model/rnnSearchCell';
import * as tf from '../../src/nas/tensor/tf';
import type { ModelCase } from './rnnParity';
import { describeRnnParity, fx, searchCellOf, setup } from './rnnParity';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describeRnnParity('cpu', 1e-4);

describe('recurrent model: bad input', () => {
  const c = fx.search[0] as ModelCase;

  it('refuses a training batch of 1 (BatchNorm over one sample), as PyTorch does', () => {
    const s = setup(c, searchCellOf());
    const tokens = tf.slice(s.tokens, [0, 0], [-1, 1]);
    const hidden = tf.slice(s.hidden, [0, 0], [1, -1]);
    expect(() => s.model.forward(tokens, hidden, s.weights, s.alpha, s.ctx)).toThrow(
      /batch of at least 2/,
    );
  });

  it('names wrong alpha shapes, missing alphas and a wrong hidden state', () => {
    const s = setup(c, searchCellOf());
    expect(() =>
      s.model.forward(s.tokens, s.hidden, s.weights, tf.zeros([35, 5]) as tf.Tensor2D, s.ctx),
    ).toThrow(/alphas must be \[36, 5\]/);
    expect(() => s.model.forward(s.tokens, s.hidden, s.weights, null, s.ctx)).toThrow(
      /needs its alphas/,
    );
    expect(() =>
      s.model.forward(s.tokens, tf.zeros([3, 8]) as tf.Tensor2D, s.weights, s.alpha, s.ctx),
    ).toThrow(/hidden state must be \[4, 8\]/);
    const { 'cell.ws.3': _dropped, ...partial } = s.weights;
    expect(() => s.model.forward(s.tokens, s.hidden, partial, s.alpha, s.ctx)).toThrow(
      /missing tensor "cell.ws.3"/,
    );
  });

  it('refuses ninp ≠ nhid (the tied decoder) and bad op sets', () => {
    expect(() =>
      rnnLanguageModel({ ntoken: 10, cell: rnnSearchCell({ ninp: 6, nhid: 8 }) }),
    ).toThrow(/ninp = nhid/);
    expect(() => rnnSearchCell({ ninp: 8, nhid: 8, primitives: ['none'] })).toThrow(
      /other than none/,
    );
    expect(() => rnnSearchCell({ ninp: 8, nhid: 8, steps: 0 })).toThrow(/at least 1 node/);
  });
});
