/**
 * The geometry of a convolution or pooling window from a gradient kernel's attributes, as
 * tfjs computes it for the forward pass (`backend_util.computeConv2DInfo` /
 * `computePool2DInfo`), with clear errors for attributes these kernels do not handle.
 */
import * as tf from '../../tensor/tf';

export type Conv2DInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;
type Padding = Parameters<typeof tf.backend_util.computeConv2DInfo>[4];
type Rounding = 'floor' | 'round' | 'ceil';
type Shape4 = [number, number, number, number];

function isNumberArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'number');
}

function pair(attrs: tf.NamedAttrMap, name: string, kernel: string): number | [number, number] {
  const value = attrs[name] ?? 1;
  if (typeof value === 'number') return value;
  if (isNumberArray(value) && value.length === 2) return [value[0] as number, value[1] as number];
  throw new Error(`${kernel}: attribute ${name} must be a number or two numbers`);
}

function padding(attrs: tf.NamedAttrMap, kernel: string): Padding {
  const pad: unknown = attrs.pad;
  if (pad === 'same' || pad === 'valid' || typeof pad === 'number') return pad;
  if (
    Array.isArray(pad) &&
    pad.length === 4 &&
    pad.every((p) => isNumberArray(p) && p.length === 2)
  ) {
    return pad as Exclude<Padding, string | number>;
  }
  throw new Error(`${kernel}: attribute pad must be 'same', 'valid', a number or [[t, b] ×4]`);
}

function rounding(attrs: tf.NamedAttrMap, kernel: string): Rounding | undefined {
  const mode: unknown = attrs.dimRoundingMode;
  if (mode === undefined || mode === null) return undefined;
  if (mode === 'floor' || mode === 'round' || mode === 'ceil') return mode;
  throw new Error(`${kernel}: attribute dimRoundingMode must be floor, round or ceil`);
}

/** A 4-element shape attribute (filterShape, inputShape). */
export function shapeAttr(attrs: tf.NamedAttrMap, name: string, kernel: string): Shape4 {
  const value = attrs[name];
  if (isNumberArray(value) && value.length === 4) return value as Shape4;
  throw new Error(`${kernel}: attribute ${name} must be a shape of rank 4`);
}

function requireNhwcUndilated(info: Conv2DInfo, kernel: string): Conv2DInfo {
  if (info.dataFormat !== 'channelsLast') {
    throw new Error(`${kernel}: only the NHWC data format is supported on wasm`);
  }
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) {
    throw new Error(`${kernel}: dilations greater than 1 are not supported in gradients`);
  }
  return info;
}

/** Geometry of a dense (or, with `depthwise`, depthwise) convolution's forward pass. */
export function convGeometry(
  kernel: string,
  inShape: Shape4,
  filterShape: Shape4,
  attrs: tf.NamedAttrMap,
  depthwise: boolean,
): Conv2DInfo {
  const format = attrs.dataFormat === 'NCHW' ? 'channelsFirst' : 'channelsLast';
  const info = tf.backend_util.computeConv2DInfo(
    inShape,
    filterShape,
    pair(attrs, 'strides', kernel),
    pair(attrs, 'dilations', kernel),
    padding(attrs, kernel),
    rounding(attrs, kernel),
    depthwise,
    format,
  );
  return requireNhwcUndilated(info, kernel);
}

/** Geometry of a 2-D pooling's forward pass. */
export function poolGeometry(kernel: string, inShape: Shape4, attrs: tf.NamedAttrMap): Conv2DInfo {
  const info = tf.backend_util.computePool2DInfo(
    inShape,
    pair(attrs, 'filterSize', kernel),
    pair(attrs, 'strides', kernel),
    1,
    padding(attrs, kernel),
    rounding(attrs, kernel),
  );
  return requireNhwcUndilated(info, kernel);
}

/** Throws unless `t` has the shape the geometry gives it. */
export function expectShape(t: tf.Tensor, shape: readonly number[], what: string): void {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`${what} has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
  }
}
