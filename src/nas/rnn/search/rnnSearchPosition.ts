/**
 * Where a recurrent search loop stands between two of its events: what, beyond the
 * RnnSearchState, a recurrent search checkpoint must hold for the resumed loop to take the same
 * steps as an uninterrupted one. The alpha text's row is i mod (alpha rows − 1), so the train
 * row fixes it; the carried hidden states travel beside the position (they are tensors).
 */
import type * as tf from '../../tensor/tf';

export interface RnnSearchPosition {
  /** The epoch the next step belongs to; the configured epoch count once the search is over. */
  readonly epoch: number;
  /**
   * The train text's row the next segment starts at; 0 before the epoch's first step. At or past
   * train rows − 2 the epoch's steps are done and its evaluation is owed.
   */
  readonly row: number;
  /** Steps taken since the search began. */
  readonly step: number;
  /** Train tokens seen (for the events' tokens per second). */
  readonly tokens: number;
  /** Rows of the batchified train and alpha texts, to check that a resume has the same data. */
  readonly trainRows: number;
  readonly alphaRows: number;
  /** Time the search has run, in ms; events' `elapsedMs` continue from it. */
  readonly elapsedMs: number;
}

/** The hidden states the next step of train and alpha text starts from ([batch, nhid]). */
export interface RnnCarriedHidden {
  readonly train: tf.Tensor2D;
  readonly alpha: tf.Tensor2D;
}

export interface RnnSearchResume {
  readonly position: RnnSearchPosition;
  /** Host copies of the carried hidden states, row-major [batch, nhid]; null when `row` is 0. */
  readonly hidden: { readonly train: Float32Array; readonly alpha: Float32Array } | null;
}

export function startRnnSearchPosition(trainRows: number, alphaRows: number): RnnSearchPosition {
  return { epoch: 0, row: 0, step: 0, tokens: 0, trainRows, alphaRows, elapsedMs: 0 };
}

function checkCount(value: number, what: string, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new Error(`${what} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

/** Checks a position a search of `epochs` epochs can be in; throws naming the first fault. */
export function checkRnnSearchPosition(p: RnnSearchPosition, epochs: number): void {
  checkCount(p.trainRows, 'position: train rows', 3, 2 ** 31 - 1);
  checkCount(p.alphaRows, 'position: alpha rows', 2, 2 ** 31 - 1);
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
