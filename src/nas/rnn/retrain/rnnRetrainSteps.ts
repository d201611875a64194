/** How many steps a recurrent retrain is expected to take (its progress bars' denominator). */
import type { RnnRetrainConfig } from './rnnRetrainConfig';

/**
 * Per epoch the train rows walked in segments of the mean drawn length (about bptt; bptt/2 with
 * the half-segment probability), at most `maxSteps`. An estimate: lengths are drawn.
 */
export function expectedRnnRetrainSteps(
  config: RnnRetrainConfig,
  trainRows: number,
  maxSteps?: number,
): number {
  const p = config.halfSegmentProbability;
  const mean = Math.max(1, config.bptt * (1 - p) + (config.bptt / 2) * p);
  const total = config.epochs * Math.ceil(Math.max(trainRows - 2, 0) / mean);
  return maxSteps === undefined ? total : Math.min(total, maxSteps);
}
