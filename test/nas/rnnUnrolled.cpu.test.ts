/**
 * The unrolled recurrent alpha gradient's PyTorch parity (rnnUnrolledParity.ts) on the cpu backend,
 * and the unrolled search step's tensor count.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { NO_DROPOUT } from '../../src/nas/rnn/model/rnnDropout';
import type { RnnSearchConfig } from '../../src/nas/rnn/search/rnnSearchConfig';
import {
  checkRnnSearchConfig,
  PAPER_RNN_SEARCH_CONFIG,
} from '../../src/nas/rnn/search/rnnSearchConfig';
import { prepareRnnSearchData, disposeRnnSearchData } from '../../src/nas/rnn/search/rnnSearchLoop';
import {
  createRnnSearchState,
  disposeRnnSearchState,
} from '../../src/nas/rnn/search/rnnSearchState';
import { rnnSearchStep } from '../../src/nas/rnn/search/rnnSearchStep';
import { tokenSegment } from '../../src/nas/rnn/model/rnnTokenData';
import * as tf from '../../src/nas/tensor/tf';
import { describeRnnUnrolledParity } from './rnnUnrolledParity';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describeRnnUnrolledParity('cpu', 1e-4);

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
