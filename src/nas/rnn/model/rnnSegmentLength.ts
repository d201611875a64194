/**
 * The segment length of a retraining step (`rnn/train.py`): centred on bptt (on bptt/2 with
 * probability `halfSegmentProbability`), jittered by N(0, 5²), truncated towards zero as Python's
 * int(), at least 5 and at most bptt + maxSeqLenDelta.
 */
import type { Rng } from '../../tensor/random';

/** train.py's floor on the drawn length. */
const RNN_MIN_SEQ_LEN = 5;
/** train.py's standard deviation of the length jitter. */
const RNN_SEQ_LEN_STD = 5;

export interface SegmentLengthRule {
  readonly bptt: number;
  readonly maxSeqLenDelta: number;
  readonly halfSegmentProbability: number;
}

/** The length for a uniform draw `u` ∈ [0, 1) and a standard normal draw `z`. */
export function segmentLengthOf(rule: SegmentLengthRule, u: number, z: number): number {
  const centre = u < 1 - rule.halfSegmentProbability ? rule.bptt : rule.bptt / 2;
  const drawn = Math.max(RNN_MIN_SEQ_LEN, Math.trunc(centre + RNN_SEQ_LEN_STD * z));
  return Math.min(drawn, rule.bptt + rule.maxSeqLenDelta);
}

/** Draws u then z from the generator (numpy's order in train.py). */
export function drawSegmentLength(rng: Rng, rule: SegmentLengthRule): number {
  const u = rng.next();
  return segmentLengthOf(rule, u, rng.normal());
}
