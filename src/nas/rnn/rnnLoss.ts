/**
 * The language model's losses: the mean cross-entropy per token (DARTS's `nll_loss` of the
 * log-softmax), its perplexity exp(mean loss), and the temporal activation regularisation of
 * `rnn/train_search.py` (TAR, spec §5.5): β·mean((h_{t+1} − h_t)²) over the raw cell outputs.
 */
import * as tf from '../tf';

/** Mean −log p(target) over the rows of logits [N, V]; targets int32 [N]. */
export function tokenCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  const [n, v] = logits.shape;
  if (targets.shape[0] !== n) {
    throw new Error(`${n} rows of logits for ${targets.shape[0]} targets`);
  }
  // The target's log-probability by one flat gather (no [N, V] one-hot).
  const rows = tf.mul(tf.range(0, n, 1, 'int32'), tf.scalar(v, 'int32'));
  const index = tf.add(rows, tf.cast(targets, 'int32'));
  const picked = tf.gather(tf.reshape(tf.logSoftmax(logits), [n * v]), index);
  return tf.neg(tf.mean(picked)) as tf.Scalar;
}

/** exp of a mean per-token loss. */
export function perplexity(meanLoss: number): number {
  return Math.exp(meanLoss);
}

/**
 * mean((h_{t+1} − h_t)²) over hiddens [T·B, nhid] of `batch` sequences (0 for a single step);
 * the weight step adds β times this.
 */
export function temporalActivationPenalty(hiddens: tf.Tensor2D, batch: number): tf.Scalar {
  const [rows, nhid] = hiddens.shape;
  if (rows % batch !== 0)
    throw new Error(`${rows} hidden rows are not a multiple of batch ${batch}`);
  if (rows === batch) return tf.scalar(0);
  const later = tf.slice(hiddens, [batch, 0], [rows - batch, nhid]);
  const earlier = tf.slice(hiddens, [0, 0], [rows - batch, nhid]);
  return tf.mean(tf.square(tf.sub(later, earlier)));
}
