/**
 * Retraining a recurrent genotype in the lab (`rnn/train.py`): the page's settings, its start
 * message and the messages the retrain streams. Plain data, structured-clone friendly.
 */
import type { RnnGenotypeJson } from '../nas/rnn/genotype/rnnGenotype';

/** The retrain settings the lab exposes (`rnn/train.py`'s names in comments). */
export interface LabRnnRetrainSettings {
  /** --emsize = --nhid. */
  readonly nhid: number;
  /** Mean segment length (--bptt). */
  readonly bptt: number;
  readonly batchSize: number;
  readonly epochs: number;
  /** SGD, then ASGD, learning rate (--lr). */
  readonly lr: number;
  /** ASGD takes over when an epoch is worse than the best but the last `nonmono` (--nonmono). */
  readonly nonmono: number;
  readonly level: 'word' | 'char';
  readonly maxVocabulary: number;
  /** The first this many tokens of each text are used. */
  readonly trainTokens: number;
  readonly validTokens: number;
  readonly testTokens: number;
  readonly seed: number;
}

export interface RnnRetrainStepPoint {
  /** Steps done (1 after the first). */
  readonly step: number;
  /** 0-based. */
  readonly epoch: number;
  /** Estimated steps of the run (segment lengths are drawn). */
  readonly totalSteps: number;
  readonly trainLoss: number;
  readonly trainPerplexity: number;
  /** The step's learning rate (lr × drawn length / bptt). */
  readonly lr: number;
  readonly optimizer: 'sgd' | 'asgd';
  readonly tokensPerSecond: number;
  readonly elapsedMs: number;
}

export interface RnnRetrainEpochPoint {
  readonly epoch: number;
  /** Steps done at the end of the epoch. */
  readonly step: number;
  readonly valPerplexity: number;
  readonly testPerplexity: number;
  /** 'averaged' once ASGD runs (its averaged weights are evaluated). */
  readonly evaluated: 'weights' | 'averaged';
  /** This epoch's validation loss switched SGD to ASGD. */
  readonly switchedToAsgd: boolean;
}

/** train.py's final report: the best validation epoch's test perplexity. */
export interface RnnRetrainResult {
  readonly steps: number;
  /** -1 when no epoch finished (then the perplexities are NaN). */
  readonly bestEpoch: number;
  readonly bestValPerplexity: number;
  readonly testPerplexity: number;
}

export type RecurrentRetrainFromWorker =
  | {
      readonly type: 'rnnRetrainCorpus';
      readonly vocabularySize: number;
      readonly tokens: { readonly train: number; readonly valid: number; readonly test: number };
      readonly genotype: RnnGenotypeJson;
    }
  | { readonly type: 'rnnRetrainStep'; readonly point: RnnRetrainStepPoint }
  | { readonly type: 'rnnRetrainEpoch'; readonly point: RnnRetrainEpochPoint }
  | { readonly type: 'rnnRetrainDone'; readonly result: RnnRetrainResult };
