/** How the lab's recurrent retrain settings make a DARTS `rnn/train.py` configuration. */
import type { RnnRetrainConfig } from '../nas/rnn/retrain/rnnRetrainConfig';
import {
  checkRnnRetrainConfig,
  SMALL_RNN_RETRAIN_CONFIG,
} from '../nas/rnn/retrain/rnnRetrainConfig';
import type { LabRnnRetrainSettings } from './recurrentRetrainProtocol';

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
