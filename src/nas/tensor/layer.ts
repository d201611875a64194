/**
 * The functional layer abstraction of the core. A layer declares its parameters and buffers
 * by name and applies itself to an input given an explicit map of weights. Explicit weights
 * let the unrolled architecture gradient evaluate the same network at w' and w ± εv without
 * copying a model.
 */
import type * as tf from './tf';

export type Init =
  | { readonly kind: 'uniform'; readonly bound: number }
  | { readonly kind: 'ones' }
  | { readonly kind: 'zeros' };

export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: Init;
}

export type TensorMap = Readonly<Record<string, tf.Tensor>>;

/** Batch statistics a training-mode BatchNorm reports, to update its running buffers. */
export interface BatchStats {
  readonly prefix: string;
  readonly mean: tf.Tensor1D;
  /** Biased batch variance (used for normalisation). */
  readonly variance: tf.Tensor1D;
  /** Number of values each channel's statistics were computed over. */
  readonly count: number;
}

export interface ForwardContext {
  /** Training mode: BatchNorm uses batch statistics. Evaluation: running statistics. */
  readonly training: boolean;
  /** Running statistics (BatchNorm buffers), read in evaluation mode. */
  readonly buffers: TensorMap;
  /** Receives batch statistics in training mode, when running statistics should be updated. */
  readonly onBatchStats?: (stats: BatchStats) => void;
}

/** The named tensors a layer or a network holds: trained parameters and BatchNorm buffers. */
export interface ParamSet {
  readonly params: readonly ParamSpec[];
  readonly buffers: readonly ParamSpec[];
}

export interface Layer extends ParamSet {
  apply(x: tf.Tensor4D, weights: TensorMap, ctx: ForwardContext): tf.Tensor4D;
}

/** Looks up a tensor by name, with an error that names what is missing. */
export function lookup(map: TensorMap, name: string): tf.Tensor {
  const t = map[name];
  if (t === undefined) throw new Error(`missing tensor "${name}"`);
  return t;
}

/** Layers applied one after another. */
export function sequence(layers: readonly Layer[]): Layer {
  return {
    params: layers.flatMap((l) => l.params),
    buffers: layers.flatMap((l) => l.buffers),
    apply: (x, weights, ctx) => layers.reduce((h, l) => l.apply(h, weights, ctx), x),
  };
}

/** PyTorch's default Conv2d/Linear weight init bound: kaiming_uniform(a=√5) gives 1/√fanIn. */
export function defaultInit(fanIn: number): Init {
  return { kind: 'uniform', bound: 1 / Math.sqrt(fanIn) };
}
