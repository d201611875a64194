/**
 * The recurrent (DARTS RNN) part of the page ↔ worker protocol: the lab's recurrent settings and
 * the messages a recurrent search streams. Plain data, structured-clone friendly.
 */
import type { RnnGenotypeJson } from '../nas/rnn/genotype/rnnGenotype';

/** Which DARTS search space the lab searches: CNN cells on images or an RNN cell on text. */
export type SearchSpace = 'convolutional' | 'recurrent';

/** The recurrent search settings the lab exposes (`rnn/train_search.py`'s names in comments). */
export interface LabRecurrentSettings {
  /** Hidden = embedding size (--emsize = --nhid = --nhidlast). */
  readonly nhid: number;
  /** Segment length of truncated backpropagation through time (--bptt). */
  readonly bptt: number;
  /** --batch_size. */
  readonly batchSize: number;
  readonly epochs: number;
  /** SGD learning rate of the weights (--lr). */
  readonly lr: number;
  /** Adam learning rate of the alphas (--arch_lr). */
  readonly alphaLr: number;
  /**
   * DARTS's order choice: 1 first order, 2 the unrolled alpha gradient (--unrolled). Absent in
   * settings written before the choice existed: first order.
   */
  readonly order?: 1 | 2;
  /** Words or characters as tokens. */
  readonly level: 'word' | 'char';
  /** Most frequent tokens kept (with <eos> and <unk>); the rest become <unk>. */
  readonly maxVocabulary: number;
  /** The first this many tokens of the training text train the weights. */
  readonly trainTokens: number;
  /** The first this many tokens of the validation text train the alphas and are evaluated. */
  readonly validTokens: number;
  readonly seed: number;
}

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
