/**
 * A dataset split held on the device as one image tensor and one label tensor; a batch is one
 * gather of each.
 */
import * as tf from '../nas/tensor/tf';
import type { Batch } from '../nas/darts/searchStep';
import type { ImageDataset } from './dataset';

export interface DeviceSplit {
  readonly count: number;
  batch(indices: ArrayLike<number>): Batch;
  dispose(): void;
}

export function toDevice(d: ImageDataset): DeviceSplit {
  const images = tf.tensor4d(d.images, [d.count, d.height, d.width, d.channels]);
  const labels = tf.tensor1d(d.labels, 'int32');
  return {
    count: d.count,
    batch(indices) {
      return tf.tidy(() => {
        const idx = tf.tensor1d(Array.from(indices), 'int32');
        return {
          x: tf.gather(images, idx) as tf.Tensor4D,
          y: tf.gather(labels, idx) as tf.Tensor1D,
        };
      });
    },
    dispose() {
      images.dispose();
      labels.dispose();
    },
  };
}
