/**
 * MaxPoolGrad: each output's gradient goes to the first maximum of its window in row-major
 * window order (the cpu backend's and PyTorch's rule), padding excluded. The wasm backend's
 * own kernel takes the last maximum and starts each window from the smallest positive float,
 * so ties and all-negative windows go wrong. Built from XNNPACK convolutions:
 *
 * 1. the windows, as a depthwise convolution of the input (padded with the lowest float) with
 *    a 0/1 filter that copies tap k of channel c to output channel c·K + k: exact copies;
 * 2. the first maximum of each window (argMax over its K taps), as a one-hot mask times dy;
 * 3. the masked dy sent back to the taps: the input gradient of that same depthwise
 *    convolution.
 */
import * as tf from '../../tensor/tf';
import type { CompositeInputs } from './compositeKernel';
import { compositeKernel, input } from './compositeKernel';
import { depthwiseInputGradient } from './depthwiseConv2dNativeBackpropInput';
import { oneHotRows } from './oneHotRows';
import { placeSpatially } from './spatialLayout';
import { expectShape, poolGeometry } from './windowGeometry';

const NAME = 'MaxPoolGrad';

/** Padding value: below every finite input, and 0 × it is 0 (unlike −∞). */
const LOWEST = -3.4028234663852886e38;

const selectorCache = new Map<string, Float32Array>();

/** The filter [kh, kw, C, kh·kw] with a 1 at [i, j, c, i·kw + j]. */
function windowSelector(kh: number, kw: number, channels: number): tf.Tensor4D {
  const key = `${kh}:${kw}:${channels}`;
  let values = selectorCache.get(key);
  if (!values) {
    const taps = kh * kw;
    values = new Float32Array(taps * channels * taps);
    for (let tap = 0; tap < taps; tap++) {
      for (let c = 0; c < channels; c++) values[(tap * channels + c) * taps + tap] = 1;
    }
    selectorCache.set(key, values);
  }
  return tf.tensor4d(values, [kh, kw, channels, kh * kw]);
}

function maxPoolGrad(inputs: CompositeInputs, attrs: tf.NamedAttrMap): tf.Tensor {
  const dy = input(inputs, 'dy', NAME) as tf.Tensor4D;
  const x = input(inputs, 'input', NAME) as tf.Tensor4D;
  const geometry = poolGeometry(NAME, x.shape, attrs);
  expectShape(dy, geometry.outShape, `${NAME}: dy`);
  const { filterHeight: kh, filterWidth: kw, strideHeight, strideWidth, padInfo } = geometry;
  const [n, oh, ow, channels] = dy.shape;
  const taps = kh * kw;
  const framed = placeSpatially(
    x,
    padInfo.top,
    (oh - 1) * strideHeight + kh,
    padInfo.left,
    (ow - 1) * strideWidth + kw,
    LOWEST,
  );
  const selector = windowSelector(kh, kw, channels);
  const windows = tf.depthwiseConv2d(framed, selector, [strideHeight, strideWidth], 'valid');
  const rows = dy.size;
  const first = tf.argMax(tf.reshape(windows, [rows, taps]), 1);
  // dy repeated along the taps as an outer product (the wasm backend's broadcasting multiply
  // is several times slower than a matMul and a plain multiply).
  const spread = tf.matMul(tf.reshape(dy, [rows, 1]), tf.ones([1, taps]));
  const routed = tf.mul(oneHotRows(first, taps), spread);
  return depthwiseInputGradient(
    tf.reshape(routed, [n, oh, ow, channels * taps]) as tf.Tensor4D,
    selector,
    geometry,
  );
}

export const maxPoolGradConfig = (backendName: string): tf.KernelConfig =>
  compositeKernel(NAME, backendName, maxPoolGrad);
