/** How many steps a recurrent search is expected to take (its progress's denominator). */
import type { RnnSearchConfig } from './rnnSearchConfig';

/**
 * Per epoch the train rows walked in segments of bptt rows (⌊bptt/2⌋ with the half-segment
 * probability), at most `maxSteps`. An estimate: the lengths are drawn.
 */
export function expectedRnnSearchSteps(
  config: RnnSearchConfig,
  trainRows: number,
  maxSteps?: number,
): number {
  const p = config.halfSegmentProbability;
  const mean = config.bptt * (1 - p) + Math.floor(config.bptt / 2) * p;
  const total = config.epochs * Math.ceil(Math.max(trainRows - 2, 0) / mean);
  return maxSteps === undefined ? total : Math.min(total, maxSteps);
}
