/**
 * Where a recurrent search loop stands between two of its events: what, beyond the
 * RnnSearchState, a recurrent search checkpoint must hold for the resumed loop to take the same
 * steps as an uninterrupted one. The alpha text's row is i mod (alpha rows − 1), so the train
 * row fixes it; the carried hidden states travel beside the position (they are tensors).
 */
import type * as tf from '../../tensor/tf';
import type { RnnTextPosition } from '../model/rnnTextPosition';
import { checkRnnTextPosition } from '../model/rnnTextPosition';

export interface RnnSearchPosition extends RnnTextPosition {
  /** Rows of the batchified train and alpha texts, to check that a resume has the same data. */
  readonly trainRows: number;
  readonly alphaRows: number;
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

/** Checks a position a search of `epochs` epochs can be in; throws naming the first fault. */
export function checkRnnSearchPosition(p: RnnSearchPosition, epochs: number): void {
  checkRnnTextPosition(p, epochs, [
    ['train', p.trainRows, 3],
    ['alpha', p.alphaRows, 2],
  ]);
}
