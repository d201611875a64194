/**
 * Configuration of a DARTS recurrent search (`rnn/train_search.py`), its presets and
 * validation. Free of tfjs. The embedding size equals `nhid` (the decoder is tied).
 */
import type { RnnDropoutRates } from '../model/rnnDropout';
import { RNN_STEPS } from '../model/rnnPrimitives';

export interface RnnSearchConfig {
  /** Hidden (= embedding) size: DARTS's emsize = nhid = nhidlast. */
  readonly nhid: number;
  /** Intermediate nodes of the cell. */
  readonly steps: number;
  /** 1: first-order alpha gradient; 2: unrolled (`train_search.py --unrolled`). */
  readonly order: 1 | 2;
  readonly batchSize: number;
  /** Batch of the per-epoch evaluation on the validation text. */
  readonly evalBatchSize: number;
  /** Segment length of truncated backpropagation through time. */
  readonly bptt: number;
  /** Probability of a half-length segment (⌊bptt/2⌋) instead of bptt. */
  readonly halfSegmentProbability: number;
  readonly epochs: number;
  /** SGD learning rate, scaled per segment by its length / bptt. No momentum. */
  readonly lr: number;
  /** Global gradient-norm clip of the weight step. */
  readonly clip: number;
  readonly weightDecay: number;
  /** β of the temporal activation regularisation added to the weight step's loss. */
  readonly tarBeta: number;
  readonly dropout: RnnDropoutRates;
  readonly alphaLr: number;
  readonly alphaBeta1: number;
  readonly alphaBeta2: number;
  readonly alphaWeightDecay: number;
  readonly seed: number;
}

/** The official PTB search (`rnn/train_search.py` defaults). */
export const PAPER_RNN_SEARCH_CONFIG: RnnSearchConfig = {
  nhid: 300,
  steps: RNN_STEPS,
  order: 1,
  batchSize: 256,
  evalBatchSize: 10,
  bptt: 35,
  halfSegmentProbability: 0.05,
  epochs: 50,
  lr: 20,
  clip: 0.25,
  weightDecay: 5e-7,
  tarBeta: 1e-3,
  dropout: { embedding: 0, input: 0.2, x: 0.75, h: 0.25, output: 0.75 },
  alphaLr: 3e-3,
  alphaBeta1: 0.9,
  alphaBeta2: 0.999,
  alphaWeightDecay: 1e-3,
  seed: 2,
};

/** A search the cpu backend runs in minutes: small hidden size, batch and segments. */
export const SMALL_RNN_SEARCH_CONFIG: RnnSearchConfig = {
  ...PAPER_RNN_SEARCH_CONFIG,
  nhid: 32,
  batchSize: 16,
  evalBatchSize: 10,
  bptt: 20,
  epochs: 5,
};

function positiveInteger(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1)
    throw new Error(`${name} must be a positive integer, got ${v}`);
}

function nonNegative(name: string, v: number): void {
  if (!(Number.isFinite(v) && v >= 0)) throw new Error(`${name} must be ≥ 0, got ${v}`);
}

/** Throws a message naming the first invalid setting. */
export function checkRnnSearchConfig(c: RnnSearchConfig): void {
  positiveInteger('nhid', c.nhid);
  positiveInteger('steps', c.steps);
  positiveInteger('epochs', c.epochs);
  positiveInteger('evalBatchSize', c.evalBatchSize);
  positiveInteger('bptt', c.bptt);
  if (c.order !== 1 && c.order !== 2) {
    throw new Error(`order must be 1 (first order) or 2 (unrolled), got ${String(c.order)}`);
  }
  if (!Number.isInteger(c.batchSize) || c.batchSize < 2) {
    throw new Error(
      `batchSize must be an integer ≥ 2 (the search cell normalises over the batch), got ${c.batchSize}`,
    );
  }
  if (!(c.halfSegmentProbability >= 0 && c.halfSegmentProbability <= 1)) {
    throw new Error(`halfSegmentProbability must be in [0, 1], got ${c.halfSegmentProbability}`);
  }
  if (c.halfSegmentProbability > 0 && c.bptt < 2) {
    throw new Error('bptt must be at least 2 when half-length segments are drawn');
  }
  for (const [name, v] of [
    ['lr', c.lr],
    ['clip', c.clip],
    ['alphaLr', c.alphaLr],
  ] as const) {
    if (!(Number.isFinite(v) && v > 0)) throw new Error(`${name} must be > 0, got ${v}`);
  }
  nonNegative('weightDecay', c.weightDecay);
  nonNegative('tarBeta', c.tarBeta);
  nonNegative('alphaWeightDecay', c.alphaWeightDecay);
  for (const [name, v] of [
    ['alphaBeta1', c.alphaBeta1],
    ['alphaBeta2', c.alphaBeta2],
  ] as const) {
    if (!(v >= 0 && v < 1)) throw new Error(`${name} must be in [0, 1), got ${v}`);
  }
  if (!Number.isInteger(c.seed)) throw new Error(`seed must be an integer, got ${c.seed}`);
}
