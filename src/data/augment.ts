/**
 * Batch data augmentation on the device, as in DARTS (`cnn/utils.py`, `_data_transforms_cifar10`):
 * search uses RandomCrop(pad p) + RandomHorizontalFlip, retraining adds Cutout(length) after
 * normalisation. Images are NHWC (docs/CONVENTIONS.md) and already normalised, so padding is
 * zeros, as is the cutout square.
 *
 * Training is dispatch-bound, so a whole batch is augmented with a constant number of kernels,
 * whatever its size: crop + flip is one `pad`, one `gather` driven by an index map computed here
 * in JavaScript, and reshapes; cutout is one multiply by a mask uploaded once per batch.
 *
 * Random numbers (from the seeded `Rng`, so the same state gives the same output) are drawn in
 * this order, image by image in batch order:
 * 1. crop + flip (`cropFlipIndices`), per image: `dy = int(2p + 1)`, `dx = int(2p + 1)` (both only
 *    when p > 0), then one `next()` when flipping is on (flipped iff it is < 0.5);
 * 2. cutout (`cutoutMask`), after all crop + flip draws of the batch, per image: `y = int(H)`,
 *    then `x = int(W)` (the centre, DARTS order).
 * Nothing is drawn for a step that is off (p = 0 draws no offsets, flip off no coin, cutout 0
 * nothing).
 */
import * as tf from '../nas/tensor/tf';
import type { Rng } from '../nas/tensor/random';

/** The draws augmentation needs; a seeded `Rng` in practice, a scripted source in tests. */
export type AugmentRandom = Pick<Rng, 'next' | 'int'>;

/** Where one image's crop window sits in the padded image, and whether it is mirrored. */
export interface CropOffset {
  /** Top row of the window in the padded image, in [0, 2p]. */
  readonly dy: number;
  /** Left column of the window in the padded image, in [0, 2p]. */
  readonly dx: number;
  readonly flipped: boolean;
}

export interface CropFlipOptions {
  /** Zero padding on each side before the random crop back to H × W (DARTS: 4). */
  readonly pad: number;
  /** Random horizontal flip with probability 1/2. */
  readonly flip: boolean;
}

export interface AugmentOptions extends CropFlipOptions {
  /** Cutout square side (DARTS retrain: 16); 0 turns cutout off. */
  readonly cutout: number;
}

function checkNonNegativeInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0) throw new Error(`${name} must be an integer ≥ 0, got ${v}`);
}

function checkSizes(n: number, h: number, w: number): void {
  checkNonNegativeInt('batch size', n);
  checkNonNegativeInt('height', h);
  checkNonNegativeInt('width', w);
}

/** Draws one image's crop offset and flip coin, in the documented order. */
function drawOffset(rng: AugmentRandom, pad: number, flip: boolean): CropOffset {
  const dy = pad > 0 ? rng.int(2 * pad + 1) : 0;
  const dx = pad > 0 ? rng.int(2 * pad + 1) : 0;
  const flipped = flip ? rng.next() < 0.5 : false;
  return { dy, dx, flipped };
}

/**
 * The gather map of random crop + flip for a batch of `n` images of `h` × `w`: for each output
 * pixel (image i, row y, column x) in row-major order, the row index of its source pixel in the
 * zero-padded batch flattened to [n·(h+2p)·(w+2p), C]. The source is (i, dy + y, dx + x), or
 * (i, dy + y, dx + w − 1 − x) when the image is flipped (torchvision crops, then flips the crop).
 */
export function cropFlipIndices(
  rng: AugmentRandom,
  n: number,
  h: number,
  w: number,
  pad: number,
  flip: boolean,
): { indices: Int32Array; offsets: CropOffset[] } {
  checkSizes(n, h, w);
  checkNonNegativeInt('pad', pad);
  const hp = h + 2 * pad;
  const wp = w + 2 * pad;
  if (n * hp * wp > 0x7fffffff) throw new Error('padded batch too large for an int32 index map');
  const indices = new Int32Array(n * h * w);
  const offsets: CropOffset[] = [];
  let k = 0;
  for (let i = 0; i < n; i++) {
    const o = drawOffset(rng, pad, flip);
    offsets.push(o);
    for (let y = 0; y < h; y++) {
      const rowStart = (i * hp + o.dy + y) * wp + o.dx;
      for (let x = 0; x < w; x++) indices[k++] = rowStart + (o.flipped ? w - 1 - x : x);
    }
  }
  return { indices, offsets };
}

/**
 * Random crop with zero padding `pad` and optional random horizontal flip of a whole NHWC batch:
 * pad (skipped when pad = 0), one gather with the map of `cropFlipIndices`, reshape. With pad 0
 * and flip off it returns a copy of `x` and draws nothing.
 */
export function randomCropFlip(
  x: tf.Tensor4D,
  rng: AugmentRandom,
  options: CropFlipOptions,
): tf.Tensor4D {
  const { pad, flip } = options;
  if (pad === 0 && !flip) return tf.clone(x);
  const [n, h, w, c] = x.shape;
  const { indices } = cropFlipIndices(rng, n, h, w, pad, flip);
  return tf.tidy(() => {
    const padded =
      pad > 0
        ? tf.pad(x, [
            [0, 0],
            [pad, pad],
            [pad, pad],
            [0, 0],
          ])
        : x;
    const rows = tf.reshape(padded, [n * (h + 2 * pad) * (w + 2 * pad), c]);
    const picked = tf.gather(rows, tf.tensor1d(indices, 'int32'));
    return tf.reshape(picked, [n, h, w, c]);
  });
}

/**
 * The DARTS cutout mask for `n` images of `h` × `w`, shaped [n, h, w, 1] row-major: ones, with
 * for each image zeros on rows [clip(y − ⌊L/2⌋), clip(y + ⌊L/2⌋)) × columns [clip(x − ⌊L/2⌋),
 * clip(x + ⌊L/2⌋)), clipped to the image, around a centre (y, x) drawn uniformly. As in DARTS
 * `Cutout`, an odd length L gives a square of side L − 1.
 */
export function cutoutMask(
  rng: AugmentRandom,
  n: number,
  h: number,
  w: number,
  length: number,
): { mask: Float32Array; centres: { y: number; x: number }[] } {
  checkSizes(n, h, w);
  checkNonNegativeInt('cutout length', length);
  const half = Math.floor(length / 2);
  const clip = (v: number, hi: number): number => Math.min(Math.max(v, 0), hi);
  const mask = new Float32Array(n * h * w).fill(1);
  const centres: { y: number; x: number }[] = [];
  for (let i = 0; i < n; i++) {
    const y = rng.int(h);
    const x = rng.int(w);
    centres.push({ y, x });
    const [y1, y2] = [clip(y - half, h), clip(y + half, h)];
    const [x1, x2] = [clip(x - half, w), clip(x + half, w)];
    for (let r = y1; r < y2; r++) mask.fill(0, (i * h + r) * w + x1, (i * h + r) * w + x2);
  }
  return { mask, centres };
}

/** Cutout of a whole NHWC batch: one multiply by the mask of `cutoutMask` (same square in every channel). */
export function cutout(x: tf.Tensor4D, rng: AugmentRandom, length: number): tf.Tensor4D {
  const [n, h, w] = x.shape;
  const { mask } = cutoutMask(rng, n, h, w, length);
  return tf.tidy(() => tf.mul(x, tf.tensor4d(mask, [n, h, w, 1])));
}

/**
 * Crop + flip, then cutout when `options.cutout` > 0, of a whole batch of normalised NHWC images,
 * with a constant number of kernels whatever the batch size (five on the CPU backend with
 * padding and cutout: pad, reshape, gather, reshape, multiply). Data only: no gradient flows through it.
 */
export function augmentBatch(
  x: tf.Tensor4D,
  rng: AugmentRandom,
  options: AugmentOptions,
): tf.Tensor4D {
  checkNonNegativeInt('cutout length', options.cutout);
  return tf.tidy(() => {
    const cropped = randomCropFlip(x, rng, options);
    return options.cutout > 0 ? cutout(cropped, rng, options.cutout) : cropped;
  });
}
