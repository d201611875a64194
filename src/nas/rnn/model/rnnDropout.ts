/**
 * The dropout masks of one recurrent forward (`rnn/model.py`), drawn on the host from the run's
 * seeded generator so that a search is reproducible: each entry is kept with probability 1 − rate
 * and then holds 1/(1 − rate), else 0. Drawn in DARTS's forward order (embedding rows, embedding
 * locked mask, the cell's x and h masks, output locked mask), only for rates above 0.
 */
import * as tf from '../../tensor/tf';
import type { Rng } from '../../tensor/random';
import type { RnnDropoutMasks } from './rnnCell';
import type { RnnDropoutRates } from './rnnDropoutRates';
import { checkDropoutRates } from './rnnDropoutRates';

export type { RnnDropoutRates } from './rnnDropoutRates';
export { checkDropoutRates, NO_DROPOUT } from './rnnDropoutRates';

function keepMask(rng: Rng, size: number, rate: number): Float32Array {
  const keep = 1 - rate;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.next() < keep ? 1 / keep : 0;
  return out;
}

export interface RnnMaskSizes {
  readonly batch: number;
  readonly ntoken: number;
  readonly ninp: number;
  readonly nhid: number;
}

/** Masks for one training forward; the caller disposes them. */
export function drawDropoutMasks(
  rng: Rng,
  rates: RnnDropoutRates,
  sizes: RnnMaskSizes,
): RnnDropoutMasks {
  checkDropoutRates(rates);
  const { batch, ntoken, ninp, nhid } = sizes;
  const draw2d = (rate: number, width: number): tf.Tensor2D | undefined =>
    rate > 0 ? tf.tensor2d(keepMask(rng, batch * width, rate), [batch, width]) : undefined;
  const embedding =
    rates.embedding > 0 ? tf.tensor1d(keepMask(rng, ntoken, rates.embedding)) : undefined;
  const input = draw2d(rates.input, ninp);
  const x = draw2d(rates.x, ninp);
  const h = draw2d(rates.h, nhid);
  const output = draw2d(rates.output, nhid);
  return {
    ...(embedding ? { embedding } : {}),
    ...(input ? { input } : {}),
    ...(x ? { x } : {}),
    ...(h ? { h } : {}),
    ...(output ? { output } : {}),
  };
}

export function disposeDropoutMasks(masks: RnnDropoutMasks): void {
  for (const t of Object.values(masks)) (t as tf.Tensor | undefined)?.dispose();
}
