/**
 * What the recurrent search and the recurrent retrain loops both keep between two events while
 * they walk a token text (`rnn/train_search.py`, `rnn/train.py`): the epoch, the train row, the
 * steps and tokens so far and the time run, and their checks, written once. Each loop's position
 * adds its texts' row counts (and the retrain its best epoch); the carried hidden states travel
 * beside the position (they are tensors).
 */

export interface RnnTextPosition {
  /** The epoch the next step belongs to; the configured epoch count once the run is over. */
  readonly epoch: number;
  /**
   * The train text's row the next segment starts at; 0 before the epoch's first step. At or past
   * train rows − 2 the epoch's steps are done and its evaluation is owed.
   */
  readonly row: number;
  /** Steps taken since the run began. */
  readonly step: number;
  /** Train tokens seen (for the events' tokens per second). */
  readonly tokens: number;
  /** Time the run has run, in ms; events' `elapsedMs` continue from it. */
  readonly elapsedMs: number;
}

/** The position before a run's first step. */
export const RNN_TEXT_START: RnnTextPosition = {
  epoch: 0,
  row: 0,
  step: 0,
  tokens: 0,
  elapsedMs: 0,
};

/** Throws unless `value` is a safe integer in [min, max], naming it as `what`. */
export function checkCount(value: number, what: string, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new Error(`${what} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

/**
 * Checks a position a run of `epochs` epochs can be in: first its texts' row counts (`rows`:
 * what each is called, its count and the least it may be), then the walk; throws naming the
 * first fault.
 */
export function checkRnnTextPosition(
  p: RnnTextPosition,
  epochs: number,
  rows: readonly (readonly [what: string, count: number, min: number])[],
): void {
  for (const [what, count, min] of rows)
    checkCount(count, `position: ${what} rows`, min, 2 ** 31 - 1);
  checkCount(p.epoch, 'position: epoch', 0, epochs);
  // The row advances by the drawn length, which may pass the text's end (the segment is clipped).
  checkCount(p.row, 'position: row', 0, p.epoch === epochs ? 0 : 2 ** 31 - 1);
  checkCount(p.step, 'position: step', 0, 2 ** 31 - 1);
  checkCount(p.tokens, 'position: tokens', 0, Number.MAX_SAFE_INTEGER);
  if (p.row > 0 && p.step === 0) {
    throw new Error(`position: row ${p.row} is reached without a step`);
  }
  if (!(Number.isFinite(p.elapsedMs) && p.elapsedMs >= 0)) {
    throw new Error(`position: elapsed time must be a non-negative number, got ${p.elapsedMs}`);
  }
}
