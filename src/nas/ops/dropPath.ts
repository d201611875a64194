/**
 * Drop path (`cnn/utils.py` drop_path): each sample's op output is zeroed with
 * probability p and the kept ones are scaled by 1/(1 − p), x ← x / keep · mask with a
 * per-sample Bernoulli(keep) mask of shape [N, 1, 1, 1]. The masks are drawn on the host from
 * a {@link KeepMaskSource} (normally the run's seeded Rng, so a run is reproducible) and
 * uploaded as one small tensor per op output; nothing is read back.
 */
import * as tf from '../tensor/tf';
import type { Rng } from '../tensor/random';

/** Per-sample keep decisions for one op output: `batch` values, 1 = keep, 0 = drop. */
export interface KeepMaskSource {
  next(batch: number, keepProb: number): Float32Array;
}

/** What an evaluation-network forward needs to apply drop path in training mode. */
export interface DropPath {
  /** Drop probability p of this epoch, in [0, 1). 0 turns drop path off. */
  readonly prob: number;
  readonly masks: KeepMaskSource;
}

/** Masks from the seeded generator: sample i is kept iff its uniform draw is below keep. */
export function rngKeepMasks(rng: Rng): KeepMaskSource {
  return {
    next(batch, keepProb) {
      const mask = new Float32Array(batch);
      for (let i = 0; i < batch; i++) mask[i] = rng.next() < keepProb ? 1 : 0;
      return mask;
    },
  };
}

export function checkDropPathProb(prob: number): void {
  if (!Number.isFinite(prob) || prob < 0 || prob >= 1) {
    throw new Error(`drop path probability must be in [0, 1), got ${prob}`);
  }
}

/** mask / keep: the factor each sample's output is multiplied by. */
export function dropPathScales(mask: Float32Array, keepProb: number): Float32Array {
  return mask.map((m) => {
    if (m !== 0 && m !== 1) throw new Error(`a keep mask holds 0 or 1, got ${m}`);
    return m / keepProb;
  });
}

/** x / keep · mask with a fresh per-sample mask; x itself when p = 0. */
export function dropPath(x: tf.Tensor4D, prob: number, masks: KeepMaskSource): tf.Tensor4D {
  checkDropPathProb(prob);
  if (prob === 0) return x;
  const batch = x.shape[0];
  const keepProb = 1 - prob;
  const mask = masks.next(batch, keepProb);
  if (mask.length !== batch) {
    throw new Error(`keep mask has ${mask.length} values for a batch of ${batch}`);
  }
  return tf.mul(x, tf.tensor4d(dropPathScales(mask, keepProb), [batch, 1, 1, 1]));
}
