/** A batch source whose images are augmented on the device as each batch is built. */
import type { Rng } from '../nas/tensor/random';
import type { BatchSource } from '../nas/darts/searchLoop';
import * as tf from '../nas/tensor/tf';
import type { AugmentOptions } from './augment';
import { augmentBatch } from './augment';

export function augmentedSource(
  source: BatchSource,
  rng: Rng,
  options: AugmentOptions,
): BatchSource {
  if (options.pad === 0 && !options.flip && options.cutout === 0) return source;
  return {
    count: source.count,
    batch(indices) {
      const b = source.batch(indices);
      const x = augmentBatch(b.x, rng, options);
      tf.dispose(b.x);
      return { x, y: b.y };
    },
  };
}
