/**
 * PC-DARTS's β as variables of a search: created as the official `_initialize_alphas` does
 * (`model_search.py` of yuhuixu1993/PC-DARTS, lines 168–181: 1e-3·randn per edge, after both
 * alpha tensors), and the names they take beside the alphas in the architecture optimizer (Adam
 * over `arch_parameters()`, `architect.py` lines 17–18) and in a checkpoint.
 */
import * as tf from '../tensor/tf';
import type { Rng } from '../tensor/random';

export interface BetaVariables {
  readonly normal: tf.Variable<tf.Rank.R1>;
  readonly reduce: tf.Variable<tf.Rank.R1>;
}

/** The β keys in the architecture optimizer's slots (`adam.m.betaNormal`, …). */
export const BETA_OPTIMIZER_KEYS = { normal: 'betaNormal', reduce: 'betaReduce' } as const;

/** One β vector of `edges` entries, 1e-3·N(0, 1) from `rng`. */
function initBeta(edges: number, rng: Rng): tf.Variable<tf.Rank.R1> {
  const values = new Float32Array(edges);
  for (let i = 0; i < edges; i++) values[i] = 1e-3 * rng.normal();
  return tf.variable(tf.tensor1d(values), true);
}

/** Both cell types' β, normal first, as the official code draws them. */
export function createBetas(edges: number, rng: Rng): BetaVariables {
  return { normal: initBeta(edges, rng), reduce: initBeta(edges, rng) };
}

/** The β under their optimizer keys, nothing when there are none. */
export function betaOptimizerParams(
  betas: { readonly normal: tf.Tensor; readonly reduce: tf.Tensor } | undefined,
): Record<string, tf.Tensor> {
  if (!betas) return {};
  return { [BETA_OPTIMIZER_KEYS.normal]: betas.normal, [BETA_OPTIMIZER_KEYS.reduce]: betas.reduce };
}

/**
 * The β slots of a search checkpoint, after DARTS's: `betas.normal|reduce`, then their Adam
 * moments `adam.m|v.betaNormal|betaReduce`, [edges] each. A DARTS checkpoint has none, so files
 * written before PC-DARTS read as they did.
 */
export function betaCheckpointSlots(edges: number): { name: string; shape: number[] }[] {
  const keys = Object.values(BETA_OPTIMIZER_KEYS);
  return [
    { name: 'betas.normal', shape: [edges] },
    { name: 'betas.reduce', shape: [edges] },
    ...keys.flatMap((k) => [
      { name: `adam.m.${k}`, shape: [edges] },
      { name: `adam.v.${k}`, shape: [edges] },
    ]),
  ];
}

/** The β of a state under their checkpoint names (`betas.normal|reduce`). */
export function betaCheckpointTensors(betas: BetaVariables | undefined): [string, tf.Variable][] {
  return betas
    ? [
        ['betas.normal', betas.normal],
        ['betas.reduce', betas.reduce],
      ]
    : [];
}
