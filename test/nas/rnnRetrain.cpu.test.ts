/**
 * Retraining a recurrent genotype (`rnn/train.py`) on the cpu backend: the PyTorch parity of
 * rnnRetrainParity.ts (SGD, the switch, ASGD with its averaging), the switch rule, the
 * segment-length rule, and a short retrain on a Markov text that must learn.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/nas/tensor/random';
import { NO_DROPOUT } from '../../src/nas/rnn/model/rnnDropout';
import type { RnnRetrainConfig } from '../../src/nas/rnn/retrain/rnnRetrainConfig';
import {
  checkRnnRetrainConfig,
  PAPER_RNN_RETRAIN_CONFIG,
  SMALL_RNN_RETRAIN_CONFIG,
} from '../../src/nas/rnn/retrain/rnnRetrainConfig';
import type {
  RnnRetrainEpochEvent,
  RnnRetrainEvent,
  RnnRetrainStepEvent,
} from '../../src/nas/rnn/retrain/rnnRetrainLoop';
import {
  disposeRnnRetrainData,
  prepareRnnRetrainData,
  runRnnRetrain,
} from '../../src/nas/rnn/retrain/rnnRetrainLoop';
import {
  createRnnRetrainState,
  disposeRnnRetrainState,
  shouldSwitchToAsgd,
} from '../../src/nas/rnn/retrain/rnnRetrainState';
import { drawSegmentLength, segmentLengthOf } from '../../src/nas/rnn/model/rnnSegmentLength';
import * as tf from '../../src/nas/tensor/tf';
import { describeRnnRetrainParity } from './rnnRetrainParity';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describeRnnRetrainParity('cpu', 1e-4);

describe('recurrent retrain rules', () => {
  it('switches to ASGD exactly when the loss is worse than the best of all but the last nonmono', () => {
    // Not before nonmono + 1 SGD epochs were evaluated.
    expect(shouldSwitchToAsgd([], 9, 1)).toBe(false);
    expect(shouldSwitchToAsgd([1], 9, 1)).toBe(false);
    expect(shouldSwitchToAsgd([1, 0.5], 9, 1)).toBe(true);
    expect(shouldSwitchToAsgd([3, 2, 1, 0.5, 0.4], 9, 5)).toBe(false);
    // min over [3, 2, 1] (the last two excluded) is 1.
    expect(shouldSwitchToAsgd([3, 2, 1, 0.5, 0.4], 1.01, 2)).toBe(true);
    expect(shouldSwitchToAsgd([3, 2, 1, 0.5, 0.4], 1, 2)).toBe(false);
    expect(shouldSwitchToAsgd([3, 2, 1, 0.5, 0.4], 0.99, 2)).toBe(false);
    // The excluded recent epochs do not count, even when better.
    expect(shouldSwitchToAsgd([3, 2, 0.1, 5], 1.5, 2)).toBe(false);
    expect(shouldSwitchToAsgd([3, 2, 0.1, 5], 1.5, 1)).toBe(true);
  });

  it('draws segment lengths as train.py: N(bptt or bptt/2, 5), truncated, at least 5, at most bptt + delta', () => {
    const rule = { bptt: 35, maxSeqLenDelta: 20, halfSegmentProbability: 0.05 };
    expect(segmentLengthOf(rule, 0.5, 0)).toBe(35);
    expect(segmentLengthOf(rule, 0.5, 0.39)).toBe(36); // 36.95 → 36
    expect(segmentLengthOf(rule, 0.5, 10)).toBe(55);
    expect(segmentLengthOf(rule, 0.96, 0)).toBe(17); // 17.5 → 17
    expect(segmentLengthOf(rule, 0.96, -0.3)).toBe(16); // 16.0
    expect(segmentLengthOf(rule, 0.96, -3.3)).toBe(5); // 1.0 → 5
    expect(segmentLengthOf(rule, 0.96, -4)).toBe(5); // −2.5 → int() −2 → 5
    expect(segmentLengthOf({ ...rule, bptt: 3, maxSeqLenDelta: 1 }, 0.5, 0)).toBe(4);
    const rng = Rng.fromSeed(4);
    const lengths = Array.from({ length: 4000 }, () => drawSegmentLength(rng, rule));
    const mean = lengths.reduce((a, b) => a + b, 0) / lengths.length;
    // 0.95·35 + 0.05·17.5 = 34.1, minus ~0.5 for int()'s truncation.
    expect(mean).toBeGreaterThan(33.2);
    expect(mean).toBeLessThan(34.2);
    expect(Math.min(...lengths)).toBeGreaterThanOrEqual(5);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(55);
  });

  it('the presets are valid and bad settings are named', () => {
    expect(() => checkRnnRetrainConfig(PAPER_RNN_RETRAIN_CONFIG)).not.toThrow();
    expect(() => checkRnnRetrainConfig(SMALL_RNN_RETRAIN_CONFIG)).not.toThrow();
    expect(() => checkRnnRetrainConfig({ ...SMALL_RNN_RETRAIN_CONFIG, nonmono: 0 })).toThrow(
      /nonmono must be a positive integer, got 0/,
    );
    expect(() => checkRnnRetrainConfig({ ...SMALL_RNN_RETRAIN_CONFIG, arAlpha: -1 })).toThrow(
      /arAlpha must be ≥ 0/,
    );
    expect(() =>
      checkRnnRetrainConfig({ ...SMALL_RNN_RETRAIN_CONFIG, maxSeqLenDelta: 1.5 }),
    ).toThrow(/maxSeqLenDelta must be an integer ≥ 0/);
    expect(() =>
      checkRnnRetrainConfig({ ...SMALL_RNN_RETRAIN_CONFIG, dropout: { ...NO_DROPOUT, x: 1 } }),
    ).toThrow(/dropout rate x/);
  });
});

const VOCAB = 6;
const NEXT = [3, 0, 5, 1, 2, 4];

/** Each token is followed by NEXT[token] with probability 0.9, else by a random one. */
function markovIds(length: number, seed: number): number[] {
  const rng = Rng.fromSeed(seed);
  const out = [rng.int(VOCAB)];
  while (out.length < length) {
    const last = out[out.length - 1] as number;
    out.push(rng.next() < 0.9 ? (NEXT[last] as number) : rng.int(VOCAB));
  }
  return out;
}

const TINY: RnnRetrainConfig = {
  ...PAPER_RNN_RETRAIN_CONFIG,
  nhid: 8,
  batchSize: 8,
  evalBatchSize: 4,
  testBatchSize: 2,
  bptt: 6,
  maxSeqLenDelta: 4,
  epochs: 6,
  lr: 10,
  nonmono: 1,
  dropout: NO_DROPOUT,
  seed: 7,
};

const SMALL_GENOTYPE = {
  recurrent: [
    ['sigmoid', 0],
    ['relu', 1],
    ['tanh', 1],
  ],
  concat: [1, 2, 3],
} as const;

describe('recurrent retrain loop', () => {
  it('lowers the validation perplexity, switches to ASGD by the rule, holds its tensors', async () => {
    const before = tf.memory().numTensors;
    const state = createRnnRetrainState(TINY, SMALL_GENOTYPE, VOCAB);
    const data = prepareRnnRetrainData(state, {
      train: markovIds(800, 1),
      valid: markovIds(200, 2),
      test: markovIds(100, 3),
    });
    const events: RnnRetrainEvent[] = [];
    const counts = { sgd: new Set<number>(), asgd: new Set<number>() };
    for await (const e of runRnnRetrain(state, data)) {
      events.push(e);
      if (e.type === 'step') counts[e.optimizer].add(tf.memory().numTensors);
    }
    disposeRnnRetrainData(data);
    disposeRnnRetrainState(state);
    expect(tf.memory().numTensors).toBe(before);
    // Flat within each phase (ASGD adds its averaged weights once).
    expect([counts.sgd.size, counts.asgd.size]).toEqual([1, 1]);

    const epochs = events.filter((e): e is RnnRetrainEpochEvent => e.type === 'epoch');
    const steps = events.filter((e): e is RnnRetrainStepEvent => e.type === 'step');
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1, 2, 3, 4, 5]);
    // Measured: validation perplexity 6.5, 7.0, 7.2 (SGD at lr 10 overshoots; the switch fires),
    // then 4.1, 2.4, 1.9 on averaged weights (the text's entropy is ~1.5 nats' exp).
    const first = epochs[0] as RnnRetrainEpochEvent;
    const last = epochs.at(-1) as RnnRetrainEpochEvent;
    const best = Math.min(...epochs.map((e) => e.valLoss));
    expect(last.valPerplexity).toBeLessThan(0.5 * first.valPerplexity);
    expect(last.valPerplexity).toBeLessThan(0.5 * VOCAB);
    expect(last.testPerplexity).toBeLessThan(0.5 * VOCAB);
    for (const e of epochs) {
      expect(e.valPerplexity).toBeCloseTo(Math.exp(e.valLoss), 6);
      expect(e.testPerplexity).toBeCloseTo(Math.exp(e.testLoss), 6);
    }
    // The switch fired where the rule says and only there; then ASGD steps, averaged evaluation.
    const history: number[] = [];
    let averaging = false;
    for (const e of epochs) {
      expect(e.evaluated).toBe(averaging ? 'averaged' : 'weights');
      const expected: boolean = !averaging && shouldSwitchToAsgd(history, e.valLoss, TINY.nonmono);
      expect({ epoch: e.epoch, switched: e.switchedToAsgd }).toEqual({
        epoch: e.epoch,
        switched: expected,
      });
      if (!averaging) history.push(e.valLoss);
      averaging ||= expected;
      const next = steps.filter((s) => s.epoch === e.epoch + 1);
      expect(next.every((s) => s.optimizer === (averaging ? 'asgd' : 'sgd'))).toBe(true);
    }
    expect(epochs.some((e) => e.switchedToAsgd)).toBe(true);
    // Segment lengths follow the rule; lr scales with the drawn length.
    for (const s of steps) {
      expect(s.seqLen).toBeGreaterThanOrEqual(5);
      expect(s.seqLen).toBeLessThanOrEqual(10);
      expect(s.lr).toBeCloseTo((10 * s.seqLen) / 6, 10);
      expect(s.trainPerplexity).toBeCloseTo(Math.exp(s.trainLoss), 6);
    }
    const done = events.at(-1);
    if (done?.type !== 'done') throw new Error('no done event');
    const bestEpoch = epochs.find((e) => e.valLoss === best) as RnnRetrainEpochEvent;
    expect(done.bestEpoch).toBe(bestEpoch.epoch);
    expect(done.testLoss).toBe(bestEpoch.testLoss);
  });

  it('refuses a train text too short for a step and tokens outside the vocabulary', () => {
    const state = createRnnRetrainState(TINY, SMALL_GENOTYPE, VOCAB);
    try {
      expect(() =>
        prepareRnnRetrainData(state, { train: markovIds(16, 1), valid: [0, 1], test: [0, 1] }),
      ).toThrow(/fills 2 rows of 8 columns; an epoch needs at least 3/);
      expect(() =>
        prepareRnnRetrainData(state, { train: markovIds(80, 1), valid: [0, 7], test: [0, 1] }),
      ).toThrow(/valid token 1 is 7, outside the vocabulary 0..5/);
    } finally {
      disposeRnnRetrainState(state);
    }
  });
});
