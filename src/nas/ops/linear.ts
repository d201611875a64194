/**
 * The fully connected layer (PyTorch's Linear: y = x·W + b, both drawn from U(±1/√in)) that
 * ends every classifier here: the networks' final classifier and the auxiliary and
 * distillation heads'. Parameters `{name}.weight` [in, out] and `{name}.bias` [out].
 */
import * as tf from '../tensor/tf';
import type { ParamSpec, TensorMap } from '../tensor/layer';
import { defaultInit, lookup } from '../tensor/layer';

export function linearParams(name: string, inFeatures: number, outFeatures: number): ParamSpec[] {
  return [
    { name: `${name}.weight`, shape: [inFeatures, outFeatures], init: defaultInit(inFeatures) },
    { name: `${name}.bias`, shape: [outFeatures], init: defaultInit(inFeatures) },
  ];
}

export function linear(x: tf.Tensor2D, weights: TensorMap, name: string): tf.Tensor2D {
  return tf.add(
    tf.matMul(x, lookup(weights, `${name}.weight`) as tf.Tensor2D),
    lookup(weights, `${name}.bias`),
  ) as tf.Tensor2D;
}
