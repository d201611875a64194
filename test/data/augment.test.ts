import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/nas/tensor/tf';
import { Rng } from '../../src/nas/tensor/random';
import type { AugmentRandom, CropOffset } from '../../src/data/augment';
import {
  augmentBatch,
  cropFlipIndices,
  cutout,
  cutoutMask,
  randomCropFlip,
} from '../../src/data/augment';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A random source replaying scripted draws: `int(n)` and `next()` take the next value in turn. */
function scripted(values: number[]): AugmentRandom & { left(): number } {
  const queue = [...values];
  const take = (): number => {
    const v = queue.shift();
    if (v === undefined) throw new Error('scripted source exhausted');
    return v;
  };
  return {
    int(n: number): number {
      const v = take();
      if (!Number.isInteger(v) || v < 0 || v >= n) throw new Error(`scripted int ${v} ∉ [0, ${n})`);
      return v;
    },
    next: take,
    left: () => queue.length,
  };
}

/** A batch [n, h, w, c] of distinct nonzero values 1, 2, 3, … in row-major order. */
function distinctBatch(n: number, h: number, w: number, c: number): tf.Tensor4D {
  return tf.tensor4d(
    Float32Array.from({ length: n * h * w * c }, (_, i) => i + 1),
    [n, h, w, c],
  );
}

/** Nested [n][h][w][c] arrays of a tensor, read synchronously (tests only). */
function read(x: tf.Tensor4D): number[][][][] {
  return x.arraySync();
}

/** Plain-JS reference: zero-pad each image by p, take the h × w window at (dy, dx), mirror if flipped. */
function referenceCropFlip(
  img: number[][][][],
  pad: number,
  offsets: CropOffset[],
): number[][][][] {
  return img.map((image, i) => {
    const h = image.length;
    const w = image[0]!.length;
    const c = image[0]![0]!.length;
    const { dy, dx, flipped } = offsets[i]!;
    const padded = (r: number, q: number): number[] =>
      r >= pad && r < h + pad && q >= pad && q < w + pad
        ? image[r - pad]![q - pad]!
        : new Array<number>(c).fill(0);
    return Array.from({ length: h }, (_, y) =>
      Array.from({ length: w }, (_, x) => padded(dy + y, dx + (flipped ? w - 1 - x : x))),
    );
  });
}

/** `out` equals `input` with DARTS' cutout square around each centre zeroed in every channel. */
function expectCutout(
  input: number[][][][],
  out: number[][][][],
  centres: { y: number; x: number }[],
  length: number,
): void {
  const half = Math.floor(length / 2);
  input.forEach((image, i) => {
    const { y: cy, x: cx } = centres[i]!;
    image.forEach((row, r) =>
      row.forEach((pixel, q) => {
        const inside = r >= cy - half && r < cy + half && q >= cx - half && q < cx + half;
        expect(out[i]![r]![q]).toEqual(inside ? pixel.map(() => 0) : pixel);
      }),
    );
  });
}

describe('randomCropFlip', () => {
  it('preserves shapes', () => {
    const x = distinctBatch(3, 5, 6, 2);
    const y = randomCropFlip(x, Rng.fromSeed(1), { pad: 2, flip: true });
    expect(y.shape).toEqual([3, 5, 6, 2]);
    expect(y.dtype).toBe('float32');
    tf.dispose([x, y]);
  });

  it('is the identity with pad 0 and flip off, and draws nothing', () => {
    const x = distinctBatch(3, 5, 6, 2);
    const rng = Rng.fromSeed(2);
    const before = rng.state();
    const y = randomCropFlip(x, rng, { pad: 0, flip: false });
    expect(read(y)).toEqual(read(x));
    expect(rng.state()).toEqual(before);
    tf.dispose([x, y]);
  });

  it('mirrors exactly the images whose coin came up flipped (pad 0)', () => {
    const x = distinctBatch(8, 4, 5, 3);
    const { offsets } = cropFlipIndices(Rng.fromSeed(7), 8, 4, 5, 0, true);
    const flips = offsets.map((o) => o.flipped);
    expect(flips).toContain(true);
    expect(flips).toContain(false);
    const y = randomCropFlip(x, Rng.fromSeed(7), { pad: 0, flip: true });
    const input = read(x);
    read(y).forEach((image, i) => {
      const expected = flips[i] ? input[i]!.map((row) => [...row].reverse()) : input[i];
      expect(image).toEqual(expected);
    });
    tf.dispose([x, y]);
  });

  it('takes the scripted window of the padded image, flipped or not', () => {
    const x = distinctBatch(3, 5, 6, 2);
    // Image 0: corner (0, 0), not flipped; 1: opposite corner (4, 4), flipped; 2: (1, 3), flipped.
    const draws = [0, 0, 0.7, 4, 4, 0.2, 1, 3, 0.49];
    const rng = scripted(draws);
    const y = randomCropFlip(x, rng, { pad: 2, flip: true });
    expect(rng.left()).toBe(0);
    const offsets: CropOffset[] = [
      { dy: 0, dx: 0, flipped: false },
      { dy: 4, dx: 4, flipped: true },
      { dy: 1, dx: 3, flipped: true },
    ];
    expect(cropFlipIndices(scripted(draws), 3, 5, 6, 2, true).offsets).toEqual(offsets);
    const out = read(y);
    expect(out).toEqual(referenceCropFlip(read(x), 2, offsets));
    // Spot checks by hand: image 0's top-left 2×2 is padding; its (2, 2) is the input's (0, 0).
    expect(out[0]![0]![0]).toEqual([0, 0]);
    expect(out[0]![2]![2]).toEqual([1, 2]);
    tf.dispose([x, y]);
  });

  it('matches the plain-JS reference at every pixel for seeded draws', () => {
    const x = distinctBatch(3, 5, 6, 2);
    const input = read(x);
    for (let seed = 0; seed < 20; seed++) {
      for (const flip of [false, true]) {
        const { offsets } = cropFlipIndices(Rng.fromSeed(seed), 3, 5, 6, 2, flip);
        for (const o of offsets) {
          expect(o.dy).toBeGreaterThanOrEqual(0);
          expect(o.dy).toBeLessThanOrEqual(4);
          expect(o.dx).toBeGreaterThanOrEqual(0);
          expect(o.dx).toBeLessThanOrEqual(4);
          if (!flip) expect(o.flipped).toBe(false);
        }
        const y = randomCropFlip(x, Rng.fromSeed(seed), { pad: 2, flip });
        expect(read(y)).toEqual(referenceCropFlip(input, 2, offsets));
        y.dispose();
      }
    }
    x.dispose();
  });

  it('draws dy, dx, then the coin, image by image', () => {
    const a = Rng.fromSeed(11);
    const b = Rng.fromSeed(11);
    const { offsets, indices } = cropFlipIndices(a, 4, 3, 3, 4, true);
    for (const o of offsets) {
      expect(o).toEqual({ dy: b.int(9), dx: b.int(9), flipped: b.next() < 0.5 });
    }
    expect(a.state()).toEqual(b.state());
    expect(indices.length).toBe(4 * 3 * 3);
  });
});

describe('cutout', () => {
  it('zeroes exactly the square of seeded centres, and nothing else', () => {
    const x = distinctBatch(6, 8, 9, 3);
    for (let seed = 0; seed < 10; seed++) {
      const { centres, mask } = cutoutMask(Rng.fromSeed(seed), 6, 8, 9, 4);
      expect(mask.length).toBe(6 * 8 * 9);
      const y = cutout(x, Rng.fromSeed(seed), 4);
      expect(y.shape).toEqual([6, 8, 9, 3]);
      expectCutout(read(x), read(y), centres, 4);
      y.dispose();
    }
    x.dispose();
  });

  it('clips squares at the borders', () => {
    const x = distinctBatch(3, 8, 9, 2);
    // Centres: top-left corner, bottom-right corner, interior (y then x, per image).
    const draws = [0, 0, 7, 8, 4, 4];
    const { centres, mask } = cutoutMask(scripted(draws), 3, 8, 9, 6);
    expect(centres).toEqual([
      { y: 0, x: 0 },
      { y: 7, x: 8 },
      { y: 4, x: 4 },
    ]);
    const zeros = (i: number): number =>
      mask.subarray(i * 72, (i + 1) * 72).filter((v) => v === 0).length;
    expect([zeros(0), zeros(1), zeros(2)]).toEqual([3 * 3, 4 * 4, 6 * 6]);
    const y = cutout(x, scripted(draws), 6);
    const out = read(y);
    expectCutout(read(x), out, centres, 6);
    // By hand: image 0 loses rows 0–2 × columns 0–2 only.
    expect(out[0]![2]![2]).toEqual([0, 0]);
    expect(out[0]![3]![2]).not.toEqual([0, 0]);
    expect(out[0]![2]![3]).not.toEqual([0, 0]);
    tf.dispose([x, y]);
  });

  it('follows DARTS for odd lengths (side L − 1) and is the identity for length 0', () => {
    const { mask } = cutoutMask(scripted([3, 3]), 1, 7, 7, 3);
    expect(mask.filter((v) => v === 0).length).toBe(2 * 2);
    expect(cutoutMask(scripted([3, 3]), 1, 7, 7, 0).mask.every((v) => v === 1)).toBe(true);
  });
});

describe('augmentBatch', () => {
  const options = { pad: 4, flip: true, cutout: 16 };

  it('composes crop + flip then cutout, with the documented draw order', () => {
    const x = distinctBatch(4, 32, 32, 3);
    const seedRng = Rng.fromSeed(5);
    const { offsets } = cropFlipIndices(seedRng, 4, 32, 32, 4, true);
    const { centres } = cutoutMask(seedRng, 4, 32, 32, 16);
    const rng = Rng.fromSeed(5);
    const y = augmentBatch(x, rng, options);
    expect(y.shape).toEqual([4, 32, 32, 3]);
    expect(rng.state()).toEqual(seedRng.state());
    expectCutout(referenceCropFlip(read(x), 4, offsets), read(y), centres, 16);
    tf.dispose([x, y]);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const x = distinctBatch(4, 8, 8, 3);
    const small = { pad: 2, flip: true, cutout: 4 };
    const a = augmentBatch(x, Rng.fromSeed(3), small);
    const b = augmentBatch(x, Rng.fromSeed(3), small);
    const c = augmentBatch(x, Rng.fromSeed(4), small);
    expect(read(a)).toEqual(read(b));
    expect(read(a)).not.toEqual(read(c));
    tf.dispose([x, a, b, c]);
  });

  it('runs a number of kernels that does not grow with the batch size', async () => {
    const kernels = async (n: number): Promise<string[]> => {
      const x = distinctBatch(n, 32, 32, 3);
      const info = await tf.profile(() => {
        augmentBatch(x, Rng.fromSeed(9), options).dispose();
      });
      x.dispose();
      return info.kernels.map((k) => k.name);
    };
    const two = await kernels(2);
    const sixteen = await kernels(16);
    expect(sixteen).toEqual(two);
    expect(two.length).toBeLessThanOrEqual(6);
    console.log(`augmentBatch kernels per batch: ${two.length} (${two.join(', ')})`);
  });

  it('leaks no tensors', () => {
    const x = distinctBatch(4, 8, 8, 3);
    const before = tf.memory().numTensors;
    for (const o of [
      options,
      { pad: 0, flip: false, cutout: 0 },
      { pad: 0, flip: true, cutout: 3 },
    ]) {
      augmentBatch(x, Rng.fromSeed(1), { ...o, cutout: Math.min(o.cutout, 8) }).dispose();
      randomCropFlip(x, Rng.fromSeed(1), o).dispose();
      cutout(x, Rng.fromSeed(1), 4).dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
