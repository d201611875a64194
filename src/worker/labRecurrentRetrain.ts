/**
 * The lab's default recurrent retrain settings. tfjs-free, so that the page can use it: the core's
 * retrain configuration module reaches tfjs (through its dropout-rate check), so the learning
 * rate and seed are written here as numbers, and a test holds them equal to the small preset's.
 * The worker turns settings into a configuration (rnnRetrainLabConfig.ts).
 */
import { BUILTIN_TEXT_OPTIONS } from '../data/builtinText';
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
  // train.py's lr and seed (SMALL_RNN_RETRAIN_CONFIG's).
  lr: 20,
  nonmono: 1,
  level: BUILTIN_TEXT_OPTIONS.level,
  maxVocabulary: BUILTIN_TEXT_OPTIONS.maxVocabulary,
  trainTokens: 4000,
  validTokens: 800,
  testTokens: 800,
  seed: 1267,
};
