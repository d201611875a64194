/**
 * The dropout rates of the recurrent language model (`rnn/train_search.py`'s and `rnn/train.py`'s
 * dropout, dropouth, dropoutx, dropouti, dropoute) and their check, apart from the masks
 * (rnnDropout.ts) so that the configurations, and the page through them, need no tfjs.
 */

export interface RnnDropoutRates {
  /** `dropoute`: embedding rows. */
  readonly embedding: number;
  /** `dropouti`: locked dropout on the embeddings. */
  readonly input: number;
  /** `dropoutx`: the cell's input. */
  readonly x: number;
  /** `dropouth`: the cell's hidden states. */
  readonly h: number;
  /** `dropout`: locked dropout on the outputs. */
  readonly output: number;
}

/** No dropout (evaluation, parity). */
export const NO_DROPOUT: RnnDropoutRates = { embedding: 0, input: 0, x: 0, h: 0, output: 0 };

export function checkDropoutRates(rates: RnnDropoutRates): void {
  for (const [name, rate] of Object.entries(rates)) {
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
      throw new Error(`dropout rate ${name} must be in [0, 1), got ${String(rate)}`);
    }
  }
}
