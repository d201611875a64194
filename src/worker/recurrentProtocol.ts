/**
 * The recurrent (DARTS RNN) part of the page ↔ worker protocol: the messages a recurrent search
 * streams. Plain data, structured-clone friendly.
 */
import type { RnnGenotypeJson } from '../nas/rnn/genotype/rnnGenotype';

export interface RnnStepPoint {
  /** Steps done so far (1 after the first). */
  readonly step: number;
  /** 0-based. */
  readonly epoch: number;
  /** Estimated steps of the run (a segment is half length with a small probability). */
  readonly totalSteps: number;
  readonly segmentLength: number;
  readonly trainLoss: number;
  readonly trainPerplexity: number;
  /** The alpha objective: NLL on the alpha segment. */
  readonly valLoss: number;
  readonly valPerplexity: number;
  readonly weightLr: number;
  /** softmax(α): [36 edges, 5 ops] for 8 nodes, rows node by node (node i ← states 0..i−1). */
  readonly alphaSoftmax: number[][];
  readonly genotype: RnnGenotypeJson;
  readonly tokensPerSecond: number;
  readonly elapsedMs: number;
}

export interface RnnEpochPoint {
  readonly epoch: number;
  /** Steps done at the end of the epoch. */
  readonly step: number;
  /** Mean NLL per token of the validation text (evaluation mode). */
  readonly valLoss: number;
  readonly valPerplexity: number;
}

/** What the recurrent search trains on, once the corpus is loaded. */
export interface RnnCorpusSummary {
  readonly level: 'word' | 'char';
  readonly vocabularySize: number;
  readonly trainTokens: number;
  readonly validTokens: number;
}

export type RecurrentFromWorker =
  | { readonly type: 'rnnCorpus'; readonly corpus: RnnCorpusSummary }
  | { readonly type: 'rnnStep'; readonly point: RnnStepPoint }
  | { readonly type: 'rnnEpoch'; readonly point: RnnEpochPoint };
