/**
 * The lab's recurrent retrain settings and how they make a DARTS `rnn/train.py` configuration.
 * tfjs-free, so that the page can use it.
 */
import { BUILTIN_TEXT_OPTIONS } from '../data/builtinText';
import type { RnnRetrainConfig } from '../nas/rnn/rnnRetrainConfig';
import { checkRnnRetrainConfig, SMALL_RNN_RETRAIN_CONFIG } from '../nas/rnn/rnnRetrainConfig';
import type { LabRnnRetrainSettings } from './recurrentRetrainProtocol';

/**
 * A first look in a browser: the small preset at the lab search's sizes (hidden size 16, batch 8,
 * segments of about 10), two epochs on 4,000 tokens, ASGD allowed after one.
 */
export const DEFAULT_LAB_RNN_RETRAIN: LabRnnRetrainSettings = {
  nhid: 16,
  bptt: 10,
  batchSize: 8,
  epochs: 2,
  lr: SMALL_RNN_RETRAIN_CONFIG.lr,
  nonmono: 1,
  level: BUILTIN_TEXT_OPTIONS.level,
  maxVocabulary: BUILTIN_TEXT_OPTIONS.maxVocabulary,
  trainTokens: 4000,
  validTokens: 800,
  testTokens: 800,
  seed: SMALL_RNN_RETRAIN_CONFIG.seed,
};

/** The retrain configuration: the small preset with the lab's settings on top. */
export function rnnRetrainConfigOf(s: LabRnnRetrainSettings): RnnRetrainConfig {
  const config: RnnRetrainConfig = {
    ...SMALL_RNN_RETRAIN_CONFIG,
    nhid: s.nhid,
    bptt: s.bptt,
    // Segments up to twice the mean, as the small preset's 20 + 10 keeps them under 1.5×.
    maxSeqLenDelta: Math.max(1, Math.floor(s.bptt / 2)),
    batchSize: s.batchSize,
    epochs: s.epochs,
    lr: s.lr,
    nonmono: s.nonmono,
    seed: s.seed,
  };
  checkRnnRetrainConfig(config);
  return config;
}
