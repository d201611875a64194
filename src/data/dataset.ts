/** An in-memory image classification dataset, NHWC float32 pixels and integer labels. */
export interface ImageDataset {
  readonly name: string;
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly numClasses: number;
}

export function checkDataset(d: ImageDataset): ImageDataset {
  const pixels = d.height * d.width * d.channels;
  if (d.images.length !== d.count * pixels) {
    throw new Error(
      `dataset "${d.name}": ${d.images.length} pixel values for ${d.count} images of ${d.height}x${d.width}x${d.channels}`,
    );
  }
  if (d.labels.length !== d.count) {
    throw new Error(`dataset "${d.name}": ${d.labels.length} labels for ${d.count} images`);
  }
  for (let i = 0; i < d.count; i++) {
    const label = d.labels[i] as number;
    if (label < 0 || label >= d.numClasses) {
      throw new Error(
        `dataset "${d.name}": label ${label} of image ${i} is outside 0..${d.numClasses - 1}`,
      );
    }
  }
  return d;
}

/** The integers from `from` (inclusive) to `to` (exclusive). */
export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

/** The images at `indices`, as a new dataset. */
export function subset(d: ImageDataset, indices: ArrayLike<number>, name = d.name): ImageDataset {
  const pixels = d.height * d.width * d.channels;
  const images = new Float32Array(indices.length * pixels);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const src = indices[i] as number;
    images.set(d.images.subarray(src * pixels, (src + 1) * pixels), i * pixels);
    labels[i] = d.labels[src] as number;
  }
  return { ...d, name, images, labels, count: indices.length };
}
