/**
 * The DARTS candidate operations built as the reference builds them (`cnn/operations.py`),
 * ReLU → conv → BN, with BatchNorm affine or not (search cells use affine=False).
 */
import * as tf from '../tensor/tf';
import type { Layer } from '../tensor/layer';
import { lookup, sequence } from '../tensor/layer';
import { batchNorm } from './batchNorm';
import { conv2d, depthwiseConv2d, relu } from './convolutions';
import { avgPool3x3, maxPool3x3 } from './pooling';
import type { OpName } from './primitives';

export interface OpOptions {
  /** BatchNorm with learnable scale and shift (evaluation networks) or without (search). */
  readonly affine: boolean;
  /** Search cells follow every pooling op with a BatchNorm (`cnn/model_search.py`). */
  readonly bnAfterPool: boolean;
}

export const SEARCH_OP_OPTIONS: OpOptions = { affine: false, bnAfterPool: true };
export const EVAL_OP_OPTIONS: OpOptions = { affine: true, bnAfterPool: false };

/** An op that contributes exactly zero; mixed ops skip it. */
export interface ZeroLayer extends Layer {
  readonly isZero: true;
}

function zero(stride: number): ZeroLayer {
  return {
    isZero: true,
    params: [],
    buffers: [],
    apply(x) {
      const [n, h, w, c] = x.shape;
      return tf.zeros([n, Math.ceil(h / stride), Math.ceil(w / stride), c]);
    },
  };
}

export const identity: Layer = { params: [], buffers: [], apply: (x) => x };

/** ReLU → 1×1 conv (C_in → C_out) → BN: the cell preprocessing. */
export function reluConvBn(
  prefix: string,
  cIn: number,
  cOut: number,
  k: number,
  stride: number,
  pad: number,
  affine: boolean,
): Layer {
  return sequence([
    relu,
    conv2d(`${prefix}.conv`, cIn, cOut, k, stride, pad),
    batchNorm(`${prefix}.bn`, cOut, affine),
  ]);
}

/** Where a cell's two inputs come from: the two cells before it (`cnn/model.py` Cell). */
export interface CellInputs {
  readonly prefix: string;
  /** Channels of s0 (cell k−2's output) and s1 (cell k−1's output). */
  readonly cPrevPrev: number;
  readonly cPrev: number;
  /** The cell before reduced: s0 is twice as large as s1 and is reduced to its size. */
  readonly reductionPrev: boolean;
}

/**
 * A cell's preprocessing of its inputs to C channels (search and evaluation cells alike): s0 by a
 * FactorizedReduce after a reduction cell, else by ReLU → 1×1 conv → BN; s1 by ReLU → 1×1 conv →
 * BN. Parameters under `{prefix}.pre0` and `{prefix}.pre1`.
 */
export function cellPreprocess(cell: CellInputs, c: number, affine: boolean): [Layer, Layer] {
  const { prefix } = cell;
  const pre0 = cell.reductionPrev
    ? factorizedReduce(`${prefix}.pre0`, cell.cPrevPrev, c, affine)
    : reluConvBn(`${prefix}.pre0`, cell.cPrevPrev, c, 1, 1, 0, affine);
  return [pre0, reluConvBn(`${prefix}.pre1`, cell.cPrev, c, 1, 1, 0, affine)];
}

/**
 * ReLU → two 1×1 stride-2 convs, the second on the input shifted by one pixel → concat → BN.
 * The shift uses tf.slice (stridedSlice has no gradient in tfjs 4.22).
 */
export function factorizedReduce(
  prefix: string,
  cIn: number,
  cOut: number,
  affine: boolean,
): Layer {
  if (cOut % 2 !== 0) {
    throw new Error(`FactorizedReduce needs an even output channel count, got ${cOut}`);
  }
  const a = conv2d(`${prefix}.conv1`, cIn, cOut / 2, 1, 2, 0);
  const b = conv2d(`${prefix}.conv2`, cIn, cOut / 2, 1, 2, 0);
  const bn = batchNorm(`${prefix}.bn`, cOut, affine);
  return {
    params: [...a.params, ...b.params, ...bn.params],
    buffers: bn.buffers,
    apply(x, weights, ctx) {
      const r = tf.relu(x);
      const shifted = tf.slice(r, [0, 1, 1, 0], [-1, -1, -1, -1]);
      const y = tf.concat([a.apply(r, weights, ctx), b.apply(shifted, weights, ctx)], 3);
      return bn.apply(y, weights, ctx);
    },
  };
}

/** The depthwise convolution's window of a DilConv or of one half of a SepConv. */
interface DepthwiseWindow {
  readonly k: number;
  readonly stride: number;
  readonly pad: number;
  readonly dilation: number;
}

/**
 * DARTS's DilConv with C channels in and out: ReLU → depthwise k×k → pointwise 1×1 → BN.
 * `suffix` numbers the parameters of a SepConv's two halves.
 */
function dilConv(
  prefix: string,
  c: number,
  w: DepthwiseWindow,
  affine: boolean,
  suffix = '',
): Layer {
  return sequence([
    relu,
    depthwiseConv2d(`${prefix}.dw${suffix}`, c, w.k, w.stride, w.pad, w.dilation),
    conv2d(`${prefix}.pw${suffix}`, c, c, 1, 1, 0),
    batchNorm(`${prefix}.bn${suffix}`, c, affine),
  ]);
}

/** DARTS's SepConv with C channels in and out: two undilated DilConvs, the first strided. */
function sepConv(prefix: string, c: number, k: number, stride: number, affine: boolean): Layer {
  const pad = (k - 1) / 2;
  return sequence([
    dilConv(prefix, c, { k, stride, pad, dilation: 1 }, affine, '1'),
    dilConv(prefix, c, { k, stride: 1, pad, dilation: 1 }, affine, '2'),
  ]);
}

function conv7x1x1x7(prefix: string, c: number, stride: number, affine: boolean): Layer {
  const a = `${prefix}.conv1x7`;
  const b = `${prefix}.conv7x1`;
  const bn = batchNorm(`${prefix}.bn`, c, affine);
  return {
    params: [
      { name: a, shape: [1, 7, c, c], init: { kind: 'uniform', bound: 1 / Math.sqrt(7 * c) } },
      { name: b, shape: [7, 1, c, c], init: { kind: 'uniform', bound: 1 / Math.sqrt(7 * c) } },
      ...bn.params,
    ],
    buffers: bn.buffers,
    apply(x, weights, ctx) {
      const wa = lookup(weights, a) as tf.Tensor4D;
      const wb = lookup(weights, b) as tf.Tensor4D;
      let y = tf.conv2d(
        tf.relu(x),
        wa,
        [1, stride],
        [
          [0, 0],
          [0, 0],
          [3, 3],
          [0, 0],
        ],
      );
      y = tf.conv2d(
        y,
        wb,
        [stride, 1],
        [
          [0, 0],
          [3, 3],
          [0, 0],
          [0, 0],
        ],
      );
      return bn.apply(y, weights, ctx);
    },
  };
}

/**
 * Builds candidate `name` on an edge with C channels in and out. `prefix` names its
 * parameters (e.g. `cells.0.edges.3.sep_conv_3x3`).
 */
export function buildOp(
  name: OpName,
  prefix: string,
  c: number,
  stride: number,
  options: OpOptions,
): Layer {
  const { affine } = options;
  const pooled = (pool: Layer): Layer =>
    options.bnAfterPool ? sequence([pool, batchNorm(`${prefix}.bn`, c, false)]) : pool;
  switch (name) {
    case 'none':
      return zero(stride);
    case 'max_pool_3x3':
      return pooled(maxPool3x3(stride));
    case 'avg_pool_3x3':
      return pooled(avgPool3x3(stride));
    case 'skip_connect':
      return stride === 1 ? identity : factorizedReduce(prefix, c, c, affine);
    case 'sep_conv_3x3':
      return sepConv(prefix, c, 3, stride, affine);
    case 'sep_conv_5x5':
      return sepConv(prefix, c, 5, stride, affine);
    case 'sep_conv_7x7':
      return sepConv(prefix, c, 7, stride, affine);
    case 'dil_conv_3x3':
      return dilConv(prefix, c, { k: 3, stride, pad: 2, dilation: 2 }, affine);
    case 'dil_conv_5x5':
      return dilConv(prefix, c, { k: 5, stride, pad: 4, dilation: 2 }, affine);
    case 'conv_7x1_1x7':
      return conv7x1x1x7(prefix, c, stride, affine);
  }
}

export function isZeroLayer(layer: Layer): layer is ZeroLayer {
  return (layer as Partial<ZeroLayer>).isZero === true;
}
