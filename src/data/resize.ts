/**
 * Downscaling of a whole dataset, once at load time (bilinear with half-pixel centres, which
 * for an exact factor of 2 averages each 2×2 block). Lets a cpu-only machine search on smaller
 * images.
 */
import * as tf from '../nas/tensor/tf';
import type { ImageDataset } from './dataset';

export async function resizeDataset(
  d: ImageDataset,
  size: number,
  chunk = 1024,
): Promise<ImageDataset> {
  if (!Number.isInteger(size) || size < 1)
    throw new Error(`image size must be a positive integer, got ${size}`);
  if (size === d.height && size === d.width) return d;
  const pixels = size * size * d.channels;
  const images = new Float32Array(d.count * pixels);
  for (let start = 0; start < d.count; start += chunk) {
    const n = Math.min(chunk, d.count - start);
    const src = d.images.subarray(
      start * d.height * d.width * d.channels,
      (start + n) * d.height * d.width * d.channels,
    );
    const resized = tf.tidy(() =>
      tf.image.resizeBilinear(
        tf.tensor4d(src, [n, d.height, d.width, d.channels]),
        [size, size],
        false,
        true,
      ),
    );
    images.set(await resized.data(), start * pixels);
    resized.dispose();
  }
  return { ...d, images, height: size, width: size };
}
