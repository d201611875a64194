/**
 * CDARTS's multi-exit ensemble (NNI's `examples/nas/cdarts/model.py`,
 * Cream's `lib/models/cdarts_controller.py`): the two distillation heads' logits and the
 * final logits, each scaled by softmax(ensemble)[k], concatenated along the batch dimension
 * (not summed): [3N, classes]. The ensemble weight is a learnable vector of length 3
 * initialised to U(0, 1)/3 (NNI; the official `--ensemble_param` draws 0.333·U(0, 1)).
 */
import * as tf from '../../tensor/tf';
import type { Rng } from '../../tensor/random';

/** Name of the ensemble weight vector in a network's weight map. */
export const ENSEMBLE_PARAM = 'ensemble';

export const ENSEMBLE_EXITS = 3;

export function ensembleLogits(
  exits: readonly [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D],
  ensemble: tf.Tensor,
): tf.Tensor2D {
  if (ensemble.shape.length !== 1 || ensemble.shape[0] !== ENSEMBLE_EXITS) {
    throw new Error(
      `the ensemble weight must have shape [${ENSEMBLE_EXITS}], got ${JSON.stringify(ensemble.shape)}`,
    );
  }
  return tf.tidy(() => {
    const shares = tf.unstack(tf.softmax(ensemble as tf.Tensor1D));
    return tf.concat(
      exits.map((logits, k) => tf.mul(logits, shares[k] as tf.Scalar)),
      0,
    ) as tf.Tensor2D;
  });
}

/** U(0, 1)/3 for each exit, from the run's generator. */
export function initialEnsembleValues(rng: Rng): Float32Array {
  return Float32Array.from({ length: ENSEMBLE_EXITS }, () => rng.next() / 3);
}
