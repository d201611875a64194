/**
 * The language model's losses: the mean cross-entropy per token (DARTS's `nll_loss` of the
 * log-softmax), its perplexity exp(mean loss), and the temporal activation regularisation of
 * `rnn/train_search.py` (TAR): β·mean((h_{t+1} − h_t)²) over the raw cell outputs.
 */
import * as tf from '../../tensor/tf';

/**
 * Mean −log p(target) over the rows of logits [N, V]; targets int32 [N]. The gradient is
 * written out, d logits = (softmax − onehot(targets)) / N: autodiff of the target pick (a
 * gather) would be an UnsortedSegmentSum over N·V segments, which tfjs's cpu kernel computes
 * in time proportional to segments × elements (no step in minutes at 3,000 words).
 */
export function tokenCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  const [n, v] = logits.shape;
  if (targets.shape[0] !== n) {
    throw new Error(`${n} rows of logits for ${targets.shape[0]} targets`);
  }
  const loss = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    const ids = tf.cast(targets, 'int32');
    const logp = tf.logSoftmax(x);
    // Saved, not captured: tensors made in the forward are gone by the backward pass.
    save([logp, ids]);
    // The target's log-probability by one flat gather (no [N, V] one-hot in the forward).
    const index = tf.add(tf.mul(tf.range(0, n, 1, 'int32'), tf.scalar(v, 'int32')), ids);
    const picked = tf.gather(tf.reshape(logp, [n * v]), index);
    return {
      value: tf.neg(tf.mean(picked)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [lp, at] = saved as [tf.Tensor2D, tf.Tensor1D];
        const residual = tf.sub(tf.exp(lp), tf.cast(tf.oneHot(at, v), 'float32'));
        return tf.mul(residual, tf.div(dy, tf.scalar(n)));
      },
    };
  });
  return loss(logits) as tf.Scalar;
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
