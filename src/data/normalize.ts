/**
 * Conversion of raw 8-bit images to normalised float32: x = (pixel/255 − mean_c) / std_c, with
 * per-channel statistics either known (the values DARTS and the usual recipes use) or computed
 * from the training images.
 */
import type { ImageDataset } from './dataset';
import type { RawImageSet } from './rawImages';

export interface ChannelStats {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** `cnn/utils.py` of DARTS (CIFAR-10 training set). */
export const CIFAR10_STATS: ChannelStats = {
  mean: [0.49139968, 0.48215827, 0.44653124],
  std: [0.24703233, 0.24348505, 0.26158768],
};

/** CIFAR-100 training set (the values NNI and most recipes use). */
export const CIFAR100_STATS: ChannelStats = {
  mean: [0.5071, 0.4865, 0.4409],
  std: [0.2673, 0.2564, 0.2762],
};

/** MNIST training set. */
export const MNIST_STATS: ChannelStats = { mean: [0.1307], std: [0.3081] };

/** Fashion-MNIST training set. */
export const FASHION_MNIST_STATS: ChannelStats = { mean: [0.286], std: [0.353] };

/** Per-channel mean and (population) standard deviation of pixel/255 over all images. */
export function channelStats(raw: RawImageSet): ChannelStats {
  const c = raw.channels;
  const sum = new Float64Array(c);
  const sumSq = new Float64Array(c);
  for (let i = 0; i < raw.images.length; i++) {
    const v = (raw.images[i] as number) / 255;
    const k = i % c;
    sum[k] = (sum[k] as number) + v;
    sumSq[k] = (sumSq[k] as number) + v * v;
  }
  const n = raw.images.length / c;
  const mean = Array.from(sum, (s) => s / n);
  const std = Array.from(sumSq, (s, k) => Math.sqrt(Math.max(s / n - (mean[k] as number) ** 2, 0)));
  return { mean, std };
}

export function normalize(raw: RawImageSet, stats: ChannelStats): ImageDataset {
  const c = raw.channels;
  if (stats.mean.length !== c || stats.std.length !== c) {
    throw new Error(
      `${raw.name}: ${c}-channel images need ${c} means and stds, got ${stats.mean.length}`,
    );
  }
  const scale = stats.std.map((s) => 1 / (255 * s));
  const shift = stats.mean.map((m, k) => m / (stats.std[k] as number));
  const images = new Float32Array(raw.images.length);
  for (let i = 0; i < images.length; i++) {
    const k = i % c;
    images[i] = (raw.images[i] as number) * (scale[k] as number) - (shift[k] as number);
  }
  return {
    name: raw.name,
    images,
    labels: Int32Array.from(raw.labels),
    count: raw.count,
    height: raw.height,
    width: raw.width,
    channels: c,
    numClasses: raw.numClasses,
  };
}
