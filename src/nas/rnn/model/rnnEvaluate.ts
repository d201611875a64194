/**
 * The evaluation of a language model on a whole token split (`evaluate()` of
 * `rnn/train_search.py` and `rnn/train.py`): evaluation mode (running statistics, no dropout),
 * segments of `bptt` rows from a zero state with the hidden state carried, the mean NLL per
 * predicted token. One readback at the end.
 */
import * as tf from '../../tensor/tf';
import type { ForwardContext, TensorMap } from '../../tensor/layer';
import { sumAll } from '../../tensor/tensorSum';
import type { RnnLanguageModel } from './rnnLanguageModel';
import { tokenCrossEntropy } from './rnnLoss';
import type { TokenColumns } from './rnnTokenData';
import { disposeSegment, tokenSegment } from './rnnTokenData';

export interface RnnEvaluationInputs {
  readonly model: RnnLanguageModel;
  readonly weights: TensorMap;
  /** The search cell's alphas; null for a genotype's cell. */
  readonly alpha: tf.Tensor2D | null;
  /** Running statistics (the search cell's BatchNorm); {} for a genotype's cell. */
  readonly buffers: TensorMap;
}

/** Mean NLL per token over `cols` (DARTS divides by the rows, one more than it predicts). */
export async function meanTokenNll(
  inp: RnnEvaluationInputs,
  cols: TokenColumns,
  bptt: number,
): Promise<number> {
  const ctx: ForwardContext = { training: false, buffers: inp.buffers };
  let hidden = inp.model.initHidden(cols.batch);
  const sums: tf.Scalar[] = [];
  let rows = 0;
  for (let start = 0; start < cols.rows - 1; start += bptt) {
    const segment = tokenSegment(cols, start, bptt);
    const out = tf.tidy(() => {
      const r = inp.model.forward(segment.tokens, hidden, inp.weights, inp.alpha, ctx);
      return {
        hidden: r.hidden,
        sum: tf.mul(tokenCrossEntropy(r.logits, segment.targets), segment.length) as tf.Scalar,
      };
    });
    hidden.dispose();
    hidden = out.hidden;
    sums.push(out.sum);
    rows += segment.length;
    disposeSegment(segment);
  }
  hidden.dispose();
  const total = tf.tidy(() => tf.div(sumAll(sums), rows));
  const value = (await total.data())[0] as number;
  tf.dispose([total, ...sums]);
  return value;
}
