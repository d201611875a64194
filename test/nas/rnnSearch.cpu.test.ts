/**
 * The recurrent search (first order, and one unrolled epoch) on a tiny synthetic Markov text (cpu
 * backend): it learns (train loss and validation perplexity fall), holds a flat tensor count, is
 * reproducible from its seed, and its data helpers keep DARTS's batchify layout.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/nas/tensor/random';
import { drawDropoutMasks, NO_DROPOUT } from '../../src/nas/rnn/model/rnnDropout';
import type { RnnSearchConfig } from '../../src/nas/rnn/search/rnnSearchConfig';
import {
  checkRnnSearchConfig,
  PAPER_RNN_SEARCH_CONFIG,
  SMALL_RNN_SEARCH_CONFIG,
} from '../../src/nas/rnn/search/rnnSearchConfig';
import type { RnnSearchEvent, RnnStepEvent } from '../../src/nas/rnn/search/rnnSearchLoop';
import {
  disposeRnnSearchData,
  prepareRnnSearchData,
  runRnnSearch,
} from '../../src/nas/rnn/search/rnnSearchLoop';
import {
  createRnnSearchState,
  disposeRnnSearchState,
} from '../../src/nas/rnn/search/rnnSearchState';
import { evaluateRnnTokens } from '../../src/nas/rnn/search/rnnSearchStep';
import { batchify, tokenSegment } from '../../src/nas/rnn/model/rnnTokenData';
import * as tf from '../../src/nas/tensor/tf';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const VOCAB = 6;
/** The likely successor of each token. */
const NEXT = [3, 0, 5, 1, 2, 4];

/**
 * A Markov text: each token is followed by NEXT[token] with probability 0.9, else by a random
 * one. (A strictly periodic text would not do: its batch columns would hold the same token at
 * every time step, and the search cell's BatchNorm over the batch erases what they share.)
 */
function markovIds(length: number, seed: number): number[] {
  const rng = Rng.fromSeed(seed);
  const out = [rng.int(VOCAB)];
  while (out.length < length) {
    const last = out[out.length - 1] as number;
    out.push(rng.next() < 0.9 ? (NEXT[last] as number) : rng.int(VOCAB));
  }
  return out;
}

/** DARTS's search at toy size; lr 10 instead of 20 (a step of norm 0.25·20 is large at nhid 8). */
const TINY: RnnSearchConfig = {
  ...PAPER_RNN_SEARCH_CONFIG,
  nhid: 8,
  steps: 4,
  batchSize: 8,
  evalBatchSize: 4,
  bptt: 6,
  epochs: 3,
  lr: 10,
  dropout: NO_DROPOUT,
  seed: 11,
};

const CORPUS = { train: markovIds(960, 1), valid: markovIds(240, 2) };

async function collect(
  config: RnnSearchConfig,
  corpus = CORPUS,
  maxSteps?: number,
): Promise<{ events: RnnSearchEvent[]; initialValLoss: number; tensorsAtSteps: number[] }> {
  const state = createRnnSearchState(config, VOCAB);
  const data = prepareRnnSearchData(state, corpus);
  const initialValLoss = await evaluateRnnTokens(state, data.valid, config.bptt);
  const events: RnnSearchEvent[] = [];
  const tensorsAtSteps: number[] = [];
  for await (const e of runRnnSearch(state, data, maxSteps === undefined ? {} : { maxSteps })) {
    events.push(e);
    if (e.type === 'step') tensorsAtSteps.push(tf.memory().numTensors);
  }
  disposeRnnSearchData(data);
  disposeRnnSearchState(state);
  return { events, initialValLoss, tensorsAtSteps };
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('recurrent search loop (first order)', () => {
  it('lowers the train loss and the validation perplexity on a Markov text', async () => {
    const before = tf.memory().numTensors;
    const { events, initialValLoss } = await collect(TINY);
    expect(tf.memory().numTensors).toBe(before);
    const steps = events.filter((e): e is RnnStepEvent => e.type === 'step');
    const epochs = events.filter((e) => e.type === 'epoch');
    // 120 rows of 8 columns, segments of 6 (or 3) rows from row 0 while i < rows − 2.
    expect(steps.length).toBeGreaterThanOrEqual(3 * 20);
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
    expect(events.at(-1)?.type).toBe('done');
    for (const x of steps) {
      expect(x.trainPerplexity).toBeCloseTo(Math.exp(x.trainLoss), 6);
      expect(x.valPerplexity).toBeCloseTo(Math.exp(x.valLoss), 6);
    }
    const losses = steps.map((s) => s.trainLoss);
    expect(mean(losses.slice(-5))).toBeLessThan(0.7 * mean(losses.slice(0, 5)));
    const last = epochs.at(-1);
    if (last?.type !== 'epoch') throw new Error('no epoch event');
    expect(initialValLoss).toBeGreaterThan(0.9 * Math.log(VOCAB));
    expect(last.valPerplexity).toBeLessThan(0.7 * Math.exp(initialValLoss));
    expect(last.valPerplexity).toBeCloseTo(Math.exp(last.valLoss), 6);
    // Every step reports the alphas' softmax and the genotype derived from it.
    const s = steps.at(-1) as RnnStepEvent;
    expect(s.alphaSoftmax).toHaveLength(10);
    expect(s.alphaSoftmax.every((row) => Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5)).toBe(
      true,
    );
    expect(s.genotype.recurrent).toHaveLength(4);
    expect(s.genotype.concat).toEqual([1, 2, 3, 4]);
    // Each epoch walks the 120 rows once: segments of 6 or 3 rows (the last one cut at the
    // end), until fewer than 2 rows are left (DARTS: while i < rows − 2).
    for (const epoch of [0, 1, 2]) {
      const lengths = steps.filter((x) => x.epoch === epoch).map((x) => x.segmentLength);
      const walked = lengths.reduce((a, b) => a + b, 0);
      expect(walked === 118 || walked === 119).toBe(true);
      expect(lengths.slice(0, -1).every((l) => l === 6 || l === 3)).toBe(true);
    }
    // The alphas moved away from their 1e-3 init.
    const spread = Math.max(...s.alphaSoftmax.flat()) - Math.min(...s.alphaSoftmax.flat());
    expect(spread).toBeGreaterThan(1e-3);
  });

  it('second order: one epoch lowers the validation perplexity too', async () => {
    const { events, initialValLoss } = await collect({ ...TINY, order: 2, epochs: 1 });
    const epoch = events.find((e) => e.type === 'epoch');
    if (epoch?.type !== 'epoch') throw new Error('no epoch event');
    // Measured: validation loss 1.79 → 1.42 nats (perplexity × 0.69).
    expect(epoch.valPerplexity).toBeLessThan(0.8 * Math.exp(initialValLoss));
  });

  it('keeps a flat tensor count from step to step, with DARTS dropout on', async () => {
    const config = { ...TINY, epochs: 1, dropout: PAPER_RNN_SEARCH_CONFIG.dropout };
    const { tensorsAtSteps } = await collect(config, undefined, 8);
    expect(tensorsAtSteps).toHaveLength(8);
    expect(new Set(tensorsAtSteps.slice(1)).size).toBe(1);
    expect(tensorsAtSteps[0]).toBe(tensorsAtSteps[1]);
  });

  it('is reproducible from its seed, and another seed gives another run', async () => {
    const config = { ...TINY, dropout: PAPER_RNN_SEARCH_CONFIG.dropout };
    const lossesOf = async (seed: number) =>
      (await collect({ ...config, seed }, undefined, 4)).events.flatMap((e) =>
        e.type === 'step' ? [e.trainLoss, e.valLoss] : [],
      );
    const a = await lossesOf(5);
    expect(await lossesOf(5)).toEqual(a);
    expect(await lossesOf(6)).not.toEqual(a);
  });

  it('refuses token ids outside the vocabulary and texts too short to batch', () => {
    const state = createRnnSearchState(TINY, VOCAB);
    try {
      expect(() => prepareRnnSearchData(state, { train: [0, 1, 6, 2], valid: [0] })).toThrow(
        /train token 2 is 6, outside the vocabulary 0..5/,
      );
      expect(() => prepareRnnSearchData(state, { train: markovIds(15, 3), valid: [0] })).toThrow(
        /15 tokens cannot fill 2 rows of 8 columns/,
      );
    } finally {
      disposeRnnSearchState(state);
    }
  });
});

describe('recurrent search data and settings', () => {
  it("batchify keeps DARTS's column layout and segments shift the targets by one row", async () => {
    const cols = batchify([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 2);
    expect(cols.rows).toBe(5);
    expect(await cols.data.array()).toEqual([
      [0, 5],
      [1, 6],
      [2, 7],
      [3, 8],
      [4, 9],
    ]);
    const seg = tokenSegment(cols, 2, 6);
    expect(seg.length).toBe(2);
    expect(await seg.tokens.array()).toEqual([
      [2, 7],
      [3, 8],
    ]);
    expect(Array.from(await seg.targets.data())).toEqual([3, 8, 4, 9]);
    expect(() => tokenSegment(cols, 4, 1)).toThrow(/outside rows 0..3/);
    tf.dispose([cols.data, seg.tokens, seg.targets]);
  });

  it('dropout masks keep 1 − rate of the entries at 1/(1 − rate), only for rates above 0', async () => {
    const masks = drawDropoutMasks(
      Rng.fromSeed(1),
      { embedding: 0.5, input: 0, x: 0.75, h: 0.25, output: 0 },
      { batch: 50, ntoken: 400, ninp: 40, nhid: 40 },
    );
    expect(Object.keys(masks).sort()).toEqual(['embedding', 'h', 'x']);
    for (const [mask, rate] of [
      [masks.embedding, 0.5],
      [masks.x, 0.75],
      [masks.h, 0.25],
    ] as const) {
      const values = Array.from(await (mask as tf.Tensor).data());
      expect(new Set(values)).toEqual(new Set([0, Math.fround(1 / (1 - rate))]));
      const kept = values.filter((v) => v > 0).length / values.length;
      expect(Math.abs(kept - (1 - rate))).toBeLessThan(0.05);
    }
    tf.dispose(Object.values(masks));
    expect(() =>
      drawDropoutMasks(
        Rng.fromSeed(1),
        { ...NO_DROPOUT, h: 1 },
        {
          batch: 2,
          ntoken: 2,
          ninp: 2,
          nhid: 2,
        },
      ),
    ).toThrow(/dropout rate h must be in \[0, 1\), got 1/);
  });

  it('the presets are valid and bad settings are named', () => {
    expect(() => checkRnnSearchConfig(PAPER_RNN_SEARCH_CONFIG)).not.toThrow();
    expect(() => checkRnnSearchConfig(SMALL_RNN_SEARCH_CONFIG)).not.toThrow();
    expect(() => checkRnnSearchConfig({ ...TINY, batchSize: 1 })).toThrow(/batchSize must be/);
    expect(() => checkRnnSearchConfig({ ...TINY, lr: 0 })).toThrow(/lr must be > 0/);
    expect(() => checkRnnSearchConfig({ ...TINY, alphaBeta2: 1 })).toThrow(/alphaBeta2/);
    expect(() => checkRnnSearchConfig({ ...TINY, nhid: 2.5 })).toThrow(/nhid must be/);
  });
});
