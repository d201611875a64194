/**
 * Materialises parameter specs as tfjs variables, drawing random values from a seeded Rng: one
 * spec list, a network's weights and BatchNorm buffers together, or DARTS's alphas.
 */
import * as tf from './tf';
import type { Init, ParamSet, ParamSpec } from './layer';
import type { Rng } from './random';

export function initValues(shape: readonly number[], init: Init, rng: Rng): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  switch (init.kind) {
    case 'ones':
      out.fill(1);
      break;
    case 'zeros':
      break;
    case 'uniform':
      for (let i = 0; i < size; i++) out[i] = rng.uniform(-init.bound, init.bound);
      break;
  }
  return out;
}

/**
 * Variables for parameter specs, values drawn in spec order from `rng`: each spec's `init`, or
 * what `valuesOf` draws for it instead (CDARTS's ensemble weight).
 */
export function createVariables(
  specs: readonly ParamSpec[],
  rng: Rng,
  trainable: boolean,
  valuesOf: (spec: ParamSpec, rng: Rng) => Float32Array = (spec, r) =>
    initValues(spec.shape, spec.init, r),
): Record<string, tf.Variable> {
  const out: Record<string, tf.Variable> = {};
  for (const spec of specs) {
    if (spec.name in out) throw new Error(`duplicate parameter name "${spec.name}"`);
    const values = tf.tensor(valuesOf(spec, rng), [...spec.shape]);
    out[spec.name] = tf.variable(values, trainable, undefined);
    values.dispose();
  }
  return out;
}

/** A network's variables by name: its trained weights and its BatchNorm running statistics. */
export interface NetworkVariables {
  readonly weights: Readonly<Record<string, tf.Variable>>;
  readonly buffers: Readonly<Record<string, tf.Variable>>;
}

/** The weights, then the buffers, of a network's specs, values drawn in that order. */
export function createNetworkVariables(net: ParamSet, rng: Rng): NetworkVariables {
  const weights = createVariables(net.params, rng, true);
  return { weights, buffers: createVariables(net.buffers, rng, false) };
}

/** Frees the weights and the buffers. */
export function disposeNetworkVariables(v: NetworkVariables): void {
  for (const t of [...Object.values(v.weights), ...Object.values(v.buffers)]) t.dispose();
}

/** DARTS's alpha init: 1e-3 · N(0, 1). */
export function initAlpha(shape: readonly [number, number], rng: Rng): tf.Variable {
  const values = new Float32Array(shape[0] * shape[1]);
  for (let i = 0; i < values.length; i++) values[i] = 1e-3 * rng.normal();
  const t = tf.tensor2d(values, [shape[0], shape[1]]);
  const v = tf.variable(t, true);
  t.dispose();
  return v;
}
