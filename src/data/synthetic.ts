/**
 * A deterministic, learnable synthetic image task, so that the core and the CLI can be
 * exercised without downloading anything: each class is an oriented bar at a class-specific
 * position and colour, on Gaussian noise. Same seed, same images.
 */
import { Rng } from '../nas/tensor/random';
import type { ImageDataset } from './dataset';

export interface SyntheticOptions {
  readonly count: number;
  readonly size: number;
  readonly channels: number;
  readonly numClasses: number;
  readonly noise: number;
  readonly seed: number;
}

const DEFAULT_SYNTHETIC: SyntheticOptions = {
  count: 512,
  size: 16,
  channels: 3,
  numClasses: 4,
  noise: 0.6,
  seed: 1,
};

export function syntheticDataset(options: Partial<SyntheticOptions> = {}): ImageDataset {
  const o = { ...DEFAULT_SYNTHETIC, ...options };
  const rng = Rng.fromSeed(o.seed);
  const pixels = o.size * o.size * o.channels;
  const images = new Float32Array(o.count * pixels);
  const labels = new Int32Array(o.count);
  for (let n = 0; n < o.count; n++) {
    const label = n % o.numClasses;
    labels[n] = label;
    const vertical = label % 2 === 1;
    const offset = Math.floor(
      ((Math.floor(label / 2) + 0.5) * o.size) / Math.ceil(o.numClasses / 2),
    );
    const jitter = rng.int(3) - 1;
    const colour = label % o.channels;
    for (let i = 0; i < o.size; i++) {
      for (let j = 0; j < o.size; j++) {
        const along = vertical ? j : i;
        const onBar = Math.abs(along - offset - jitter) <= 1;
        for (let c = 0; c < o.channels; c++) {
          const signal = onBar ? (c === colour ? 1.5 : 0.5) : 0;
          images[n * pixels + (i * o.size + j) * o.channels + c] = signal + o.noise * rng.normal();
        }
      }
    }
  }
  return {
    name: 'synthetic',
    images,
    labels,
    count: o.count,
    height: o.size,
    width: o.size,
    channels: o.channels,
    numClasses: o.numClasses,
  };
}
