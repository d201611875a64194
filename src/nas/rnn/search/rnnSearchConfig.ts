/**
 * Configuration of a DARTS recurrent search (`rnn/train_search.py`), its presets and
 * validation. Free of tfjs. The embedding size equals `nhid` (the decoder is tied).
 */
import type { RnnCommonConfig } from '../model/rnnConfigChecks';
import * as check from '../model/rnnConfigChecks';
import { RNN_STEPS } from '../model/rnnPrimitives';

export interface RnnSearchConfig extends RnnCommonConfig {
  /** Intermediate nodes of the cell. */
  readonly steps: number;
  /** 1: first-order alpha gradient; 2: unrolled (`train_search.py --unrolled`). */
  readonly order: 1 | 2;
  /** Batch of the per-epoch evaluation on the validation text. */
  readonly evalBatchSize: number;
  /** Probability of a half-length segment (⌊bptt/2⌋) instead of bptt. */
  readonly halfSegmentProbability: number;
  readonly alphaLr: number;
  readonly alphaBeta1: number;
  readonly alphaBeta2: number;
  readonly alphaWeightDecay: number;
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

/**
 * The default search (the command line's and the lab's), chosen by measurement
 * (docs/RESULTS.md) so that within minutes on the wasm backend the validation perplexity falls
 * far below the vocabulary's size and the alphas move off uniform: a small hidden size, batch
 * and segments; dropouts of 0.1 (the paper's 0.75 on the outputs and inputs starve a 32-wide
 * cell: its training loss stays at the uniform guess's); an alpha learning rate 10× the paper's,
 * since a short search takes few alpha steps. 30 epochs: a long run the user pauses or stops.
 */
export const SMALL_RNN_SEARCH_CONFIG: RnnSearchConfig = {
  ...PAPER_RNN_SEARCH_CONFIG,
  nhid: 32,
  batchSize: 16,
  evalBatchSize: 10,
  bptt: 20,
  epochs: 30,
  dropout: { embedding: 0, input: 0.1, x: 0.1, h: 0.1, output: 0.1 },
  alphaLr: 3e-2,
};

/** Throws a message naming the first invalid setting. */
export function checkRnnSearchConfig(c: RnnSearchConfig): void {
  check.positiveIntegers(c, ['nhid', 'steps', 'epochs', 'evalBatchSize', 'bptt']);
  if (c.order !== 1 && c.order !== 2) {
    throw new Error(`order must be 1 (first order) or 2 (unrolled), got ${String(c.order)}`);
  }
  if (!Number.isInteger(c.batchSize) || c.batchSize < 2) {
    throw new Error(
      `batchSize must be an integer ≥ 2 (the search cell normalises over the batch), got ${c.batchSize}`,
    );
  }
  check.halfSegmentProbability(c.halfSegmentProbability);
  if (c.halfSegmentProbability > 0 && c.bptt < 2) {
    throw new Error('bptt must be at least 2 when half-length segments are drawn');
  }
  check.positive(c, ['lr', 'clip', 'alphaLr']);
  check.nonNegative(c, ['weightDecay', 'tarBeta', 'alphaWeightDecay']);
  for (const [name, v] of [
    ['alphaBeta1', c.alphaBeta1],
    ['alphaBeta2', c.alphaBeta2],
  ] as const) {
    if (!(v >= 0 && v < 1)) throw new Error(`${name} must be in [0, 1), got ${v}`);
  }
  check.seed(c.seed);
}
