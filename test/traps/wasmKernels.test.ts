/**
 * The wasm training kernels (src/nas/backends/wasmKernels) against the cpu backend's kernels of the same
 * name, on seeded random shapes, strides, paddings and channel counts: each case runs the
 * kernel with the same inputs and attributes on both backends (registration is per backend,
 * so the cpu kernel is the reference), then the gradients the core takes through them.
 */
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/nas/tensor/random';
import * as tf from '../../src/nas/tensor/tf';
import {
  registerWasmTrainingKernels,
  WASM_TRAINING_KERNELS,
} from '../../src/nas/backends/wasmKernels/index';

const TOLERANCE = 1e-4;
const CASES = 14;

type Padding = 'same' | 'valid' | number | [[0, 0], [number, number], [number, number], [0, 0]];

interface HostTensor {
  readonly shape: number[];
  readonly values: Float32Array | Int32Array;
  readonly dtype: 'float32' | 'int32';
}

interface KernelCase {
  readonly label: string;
  readonly kernel: string;
  readonly inputs: Record<string, HostTensor>;
  readonly attrs: tf.NamedAttrMap;
}

beforeAll(async () => {
  registerWasmTrainingKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
});

function randomFloats(rng: Rng, shape: number[]): HostTensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return {
    shape,
    values: Float32Array.from({ length: size }, () => rng.uniform(-1, 1)),
    dtype: 'float32',
  };
}

/** Small integers, so that windows hold ties (max pooling must pick the first maximum). */
function randomLevels(rng: Rng, shape: number[], levels: number): HostTensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return {
    shape,
    values: Float32Array.from({ length: size }, () => Math.floor(rng.next() * levels) - 1),
    dtype: 'float32',
  };
}

function between(rng: Rng, low: number, high: number): number {
  return low + Math.floor(rng.next() * (high - low + 1));
}

function randomPadding(rng: Rng, k: number): Padding {
  switch (between(rng, 0, 3)) {
    case 0:
      return 'same';
    case 1:
      return 'valid';
    case 2:
      return between(rng, 0, k - 1);
    default:
      return [
        [0, 0],
        [between(rng, 0, k - 1), between(rng, 0, k - 1)],
        [between(rng, 0, k - 1), between(rng, 0, k - 1)],
        [0, 0],
      ];
  }
}

interface Window {
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  readonly kh: number;
  readonly kw: number;
  readonly strides: [number, number];
  readonly pad: Padding;
  readonly outShape: [number, number, number];
}

/** A random window whose output is at least 1×1. */
function randomWindow(rng: Rng): Window {
  for (;;) {
    const kh = between(rng, 1, 5);
    const height = between(rng, 1, 9);
    const width = between(rng, 1, 9);
    const sh = between(rng, 1, 2);
    const pad = randomPadding(rng, kh);
    // tfjs sizes a numerically padded output with the filter height and stride height on both
    // axes (conv_util computeOutputShape2D): a square window with equal strides only.
    const numeric = typeof pad === 'number';
    const kw = numeric || rng.next() < 0.7 ? kh : between(rng, 1, 5);
    const strides: [number, number] = [sh, numeric ? sh : between(rng, 1, 2)];
    try {
      const info = tf.backend_util.computeConv2DInfo(
        [1, height, width, 1],
        [kh, kw, 1, 1],
        strides,
        1,
        pad,
      );
      if (info.outHeight < 1 || info.outWidth < 1) continue;
      return {
        batch: between(rng, 1, 3),
        height,
        width,
        kh,
        kw,
        strides,
        pad,
        outShape: [info.outHeight, info.outWidth, 0],
      };
    } catch {
      continue;
    }
  }
}

const POINTWISE: Window = {
  batch: 2,
  height: 5,
  width: 4,
  kh: 1,
  kw: 1,
  strides: [1, 1],
  pad: 'valid',
  outShape: [5, 4, 0],
};

/** 42 taps, above XNNPACK's fast depthwise kernels. */
const LARGE_FILTER: Window = {
  batch: 2,
  height: 9,
  width: 8,
  kh: 7,
  kw: 6,
  strides: [2, 1],
  pad: 'same',
  outShape: [5, 8, 0],
};

function describeWindow(w: Window, channels: string): string {
  return `n${w.batch} ${w.height}x${w.width} k${w.kh}x${w.kw} s${w.strides.join('x')} pad ${JSON.stringify(w.pad)} ${channels}`;
}

function convCases(rng: Rng): KernelCase[] {
  return Array.from({ length: CASES }, (_, i): KernelCase[] => {
    // The first case is a pointwise convolution (its filter gradient is a matrix product).
    const w = i === 0 ? POINTWISE : randomWindow(rng);
    const cIn = between(rng, 1, 8);
    const cOut = between(rng, 1, 8);
    const [oh, ow] = w.outShape;
    const x = randomFloats(rng, [w.batch, w.height, w.width, cIn]);
    const dy = randomFloats(rng, [w.batch, oh, ow, cOut]);
    const filter = randomFloats(rng, [w.kh, w.kw, cIn, cOut]);
    const common = { strides: w.strides, pad: w.pad, dataFormat: 'NHWC' } as tf.NamedAttrMap;
    return [
      {
        label: describeWindow(w, `c${cIn}->${cOut}`),
        kernel: 'Conv2DBackpropFilter',
        inputs: { x, dy },
        attrs: { ...common, filterShape: filter.shape },
      },
      {
        label: describeWindow(w, `c${cIn}->${cOut}`),
        kernel: 'Conv2DBackpropInput',
        inputs: { dy, filter },
        attrs: { ...common, inputShape: x.shape },
      },
    ];
  }).flat();
}

function depthwiseCases(rng: Rng): KernelCase[] {
  return Array.from({ length: CASES }, (_, i): KernelCase[] => {
    // Mostly multiplier 1 (the reference cells'). First 19 channels (past the diagonal limit
    // and the block size) with multipliers 2 and 1, then a large filter with multiplier 8
    // (the block-diagonal input gradient).
    const w = i === 2 ? LARGE_FILTER : randomWindow(rng);
    const channels = i < 2 ? 19 : i === 2 ? 11 : between(rng, 1, 8);
    const multiplier = i === 0 ? 2 : i === 1 ? 1 : i === 2 ? 8 : rng.next() < 0.25 ? 2 : 1;
    const [oh, ow] = w.outShape;
    const x = randomFloats(rng, [w.batch, w.height, w.width, channels]);
    const dy = randomFloats(rng, [w.batch, oh, ow, channels * multiplier]);
    const filter = randomFloats(rng, [w.kh, w.kw, channels, multiplier]);
    const common = { strides: w.strides, pad: w.pad, dilations: 1 } as tf.NamedAttrMap;
    const label = describeWindow(w, `c${channels} m${multiplier}`);
    return [
      {
        label,
        kernel: 'DepthwiseConv2dNativeBackpropFilter',
        inputs: { x, dy },
        attrs: { ...common, filterShape: filter.shape },
      },
      {
        label,
        kernel: 'DepthwiseConv2dNativeBackpropInput',
        inputs: { dy, filter },
        attrs: { ...common, inputShape: x.shape },
      },
    ];
  }).flat();
}

function maxPoolCases(rng: Rng): KernelCase[] {
  return Array.from({ length: 2 * CASES }, (_, i) => {
    const w = randomWindow(rng);
    const channels = between(rng, 1, 8);
    const [oh, ow] = w.outShape;
    // Half with ties, including all-negative windows next to the padding.
    const x =
      i % 2 === 0
        ? randomLevels(rng, [w.batch, w.height, w.width, channels], 3)
        : randomFloats(rng, [w.batch, w.height, w.width, channels]);
    const dy = randomFloats(rng, [w.batch, oh, ow, channels]);
    const attrs = { filterSize: [w.kh, w.kw], strides: w.strides, pad: w.pad } as tf.NamedAttrMap;
    // The forward output is an input of MaxPoolGrad; it is computed on each backend.
    return {
      label: describeWindow(w, `c${channels}${i % 2 === 0 ? ' ties' : ''}`),
      kernel: 'MaxPoolGrad',
      inputs: { dy, input: x },
      attrs,
    };
  });
}

function segmentCases(rng: Rng): KernelCase[] {
  return Array.from({ length: CASES }, (_, i) => {
    const segments = between(rng, 1, 6);
    const rows = between(rng, 1, 9);
    const rest = [[], [between(rng, 1, 5)], [between(rng, 1, 4), between(rng, 1, 3)]][
      i % 3
    ] as number[];
    // Ids from −1 to numSegments: the out-of-range ones are dropped.
    const ids = Int32Array.from({ length: rows }, () => between(rng, -1, segments));
    const x = randomFloats(rng, [rows, ...rest]);
    const integer = i % 4 === 1;
    return {
      label: `${rows} ids, x [${x.shape}], ${segments} segments${integer ? ', int32' : ''}`,
      kernel: 'UnsortedSegmentSum',
      inputs: {
        x: integer
          ? {
              shape: x.shape,
              values: Int32Array.from(x.values, (v) => Math.round(v * 9)),
              dtype: 'int32',
            }
          : x,
        segmentIds: { shape: [rows], values: ids, dtype: 'int32' },
      },
      attrs: { numSegments: segments },
    };
  });
}

/** Runs the case's kernel on `backend`; returns the output's shape and values. */
async function runOn(
  backend: string,
  c: KernelCase,
): Promise<{ shape: number[]; values: number[] }> {
  await tf.setBackend(backend);
  const out = tf.tidy(() => {
    const inputs: Record<string, tf.Tensor> = {};
    for (const [name, t] of Object.entries(c.inputs))
      inputs[name] = tf.tensor(t.values, t.shape, t.dtype);
    if (c.kernel === 'MaxPoolGrad') {
      const x = inputs.input as tf.Tensor4D;
      const filterSize = c.attrs.filterSize as [number, number];
      const strides = c.attrs.strides as [number, number];
      inputs.output = tf.maxPool(x, filterSize, strides, c.attrs.pad as Padding);
    }
    return tf.engine().runKernel(c.kernel, inputs, c.attrs) as tf.Tensor;
  });
  const result = { shape: out.shape, values: Array.from(await out.data()) };
  out.dispose();
  return result;
}

function relativeDifference(actual: number[], expected: number[]): number {
  let diff = 0;
  let scale = 0;
  expected.forEach((e, i) => {
    diff = Math.max(diff, Math.abs((actual[i] as number) - e));
    scale = Math.max(scale, Math.abs(e));
  });
  return scale === 0 ? diff : diff / scale;
}

async function mismatches(cases: readonly KernelCase[]): Promise<string[]> {
  const bad: string[] = [];
  for (const c of cases) {
    const expected = await runOn('cpu', c);
    const actual = await runOn('wasm', c);
    if (actual.shape.join() !== expected.shape.join()) {
      bad.push(`${c.kernel} ${c.label}: shape [${actual.shape}] vs [${expected.shape}]`);
      continue;
    }
    const err = relativeDifference(actual.values, expected.values);
    if (!(err <= TOLERANCE)) bad.push(`${c.kernel} ${c.label}: relative error ${err}`);
  }
  await tf.setBackend('wasm');
  return bad;
}

describe('wasm training kernels match the cpu backend', () => {
  it('registers every kernel for wasm, replacing the wrong MaxPoolGrad, idempotently', () => {
    expect([...WASM_TRAINING_KERNELS].sort()).toEqual([
      'Conv2DBackpropFilter',
      'Conv2DBackpropInput',
      'DepthwiseConv2dNativeBackpropFilter',
      'DepthwiseConv2dNativeBackpropInput',
      'Identity',
      'MaxPoolGrad',
      'UnsortedSegmentSum',
    ]);
    const before = WASM_TRAINING_KERNELS.map((k) => tf.getKernel(k, 'wasm')?.kernelFunc);
    registerWasmTrainingKernels();
    expect(WASM_TRAINING_KERNELS.map((k) => tf.getKernel(k, 'wasm')?.kernelFunc)).toEqual(before);
  });

  it('Conv2DBackpropFilter and Conv2DBackpropInput', async () => {
    expect(await mismatches(convCases(Rng.fromSeed(101)))).toEqual([]);
  });

  it('DepthwiseConv2dNativeBackpropFilter and DepthwiseConv2dNativeBackpropInput', async () => {
    expect(await mismatches(depthwiseCases(Rng.fromSeed(202)))).toEqual([]);
  });

  it('MaxPoolGrad: the first maximum of each window, padding excluded', async () => {
    expect(await mismatches(maxPoolCases(Rng.fromSeed(303)))).toEqual([]);
  });

  it('UnsortedSegmentSum: out-of-range ids dropped, int32 values, one to three dimensions', async () => {
    expect(await mismatches(segmentCases(Rng.fromSeed(404)))).toEqual([]);
  });

  it('refuses attributes it does not handle, naming the kernel', () => {
    const x = tf.zeros([1, 4, 4, 2]);
    const dy = tf.zeros([1, 4, 4, 2]);
    const attrs = { strides: 1, pad: 'same', dilations: 2, filterShape: [3, 3, 2, 1] };
    expect(() =>
      tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, attrs),
    ).toThrow(/DepthwiseConv2dNativeBackpropFilter: dilations greater than 1/);
    expect(() =>
      tf
        .engine()
        .runKernel(
          'Conv2DBackpropFilter',
          { x, dy },
          { strides: 1, pad: 'same', filterShape: [3, 3] },
        ),
    ).toThrow(/Conv2DBackpropFilter: attribute filterShape must be a shape of rank 4/);
    expect(() =>
      tf.engine().runKernel(
        'Conv2DBackpropFilter',
        { x, dy: tf.zeros([1, 3, 3, 2]) },
        {
          strides: 1,
          pad: 'same',
          filterShape: [3, 3, 2, 2],
        },
      ),
    ).toThrow(/Conv2DBackpropFilter: dy has shape \[1, 3, 3, 2\], expected \[1, 4, 4, 2\]/);
    expect(() =>
      tf
        .engine()
        .runKernel(
          'UnsortedSegmentSum',
          { x: tf.zeros([2, 3]), segmentIds: tf.zeros([2, 3], 'int32') },
          { numSegments: 2 },
        ),
    ).toThrow(/UnsortedSegmentSum: segmentIds must be 1-D with one id per row of x \(2\)/);
    tf.dispose([x, dy]);
  });

  it('gradients through conv2d, depthwise, maxPool and gather on wasm equal those on cpu', async () => {
    const rng = Rng.fromSeed(505);
    const x = randomFloats(rng, [2, 7, 7, 3]);
    const w = randomFloats(rng, [3, 3, 3, 4]);
    const dw = randomFloats(rng, [5, 5, 4, 1]);
    const table = randomFloats(rng, [6, 4]);
    const f = (xx: tf.Tensor, ww: tf.Tensor, dd: tf.Tensor, tt: tf.Tensor) => {
      const conv = tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 2, 1);
      const depth = tf.depthwiseConv2d(tf.relu(conv), dd as tf.Tensor4D, 1, 2);
      const pooled = tf.maxPool(depth, 3, 1, 1);
      const scale = tf.gather(tt, tf.tensor1d([0, 2, 2, 5], 'int32'));
      return tf.sum(tf.mul(pooled, tf.reshape(tf.sum(scale, 0), [1, 1, 1, 4])));
    };
    const gradsOn = async (backend: string) => {
      await tf.setBackend(backend);
      const inputs = [x, w, dw, table].map((t) => tf.tensor(t.values, t.shape));
      const grads = tf.grads(f)(inputs);
      const values = await Promise.all(grads.map(async (g) => Array.from(await g.data())));
      tf.dispose([...inputs, ...grads]);
      return values;
    };
    const expected = await gradsOn('cpu');
    const actual = await gradsOn('wasm');
    const errors = actual.map((a, i) => relativeDifference(a, expected[i] as number[]));
    expect(errors.map((e) => e <= TOLERANCE)).toEqual([true, true, true, true]);
  });

  it('accepts bare TensorInfo inputs and leaves their data alive', async () => {
    const x = tf.tensor4d([1, -2, 3, 0.5, 2, -1, 0, 4, -3, 1, 2, 2], [1, 3, 2, 2]);
    const dy = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [1, 3, 2, 2]);
    const attrs = { strides: 1, pad: 'same', filterShape: [3, 3, 2, 2] };
    const fromTensors = tf
      .engine()
      .runKernel('Conv2DBackpropFilter', { x, dy }, attrs) as tf.Tensor;
    const info = (t: tf.Tensor) => ({ dataId: t.dataId, shape: t.shape, dtype: t.dtype });
    const tensorsBefore = tf.memory().numTensors;
    const fromInfos = tf
      .engine()
      .runKernel(
        'Conv2DBackpropFilter',
        { x: info(x), dy: info(dy) } as unknown as tf.NamedTensorMap,
        attrs,
      ) as tf.Tensor;
    expect(tf.memory().numTensors).toBe(tensorsBefore + 1);
    expect(Array.from(await fromInfos.data())).toEqual(Array.from(await fromTensors.data()));
    expect(Array.from(await x.data())).toEqual([1, -2, 3, 0.5, 2, -1, 0, 4, -3, 1, 2, 2]);
    tf.dispose([x, dy, fromTensors, fromInfos]);
  });

  it('leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    const x = tf.ones([1, 5, 5, 2]) as tf.Tensor4D;
    const w = tf.ones([3, 3, 2, 2]) as tf.Tensor4D;
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.maxPool(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'), 2, 1, 'valid')),
    )([x, w]);
    tf.dispose([x, w, ...g]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
