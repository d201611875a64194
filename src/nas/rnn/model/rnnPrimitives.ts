/**
 * The DARTS recurrent search space's constants (`rnn/genotypes.py`): the candidate
 * activations of every edge, in the reference order, and the cell size. Free of tfjs, so that
 * the page can name ops and validate genotypes without loading the core.
 */

/** The candidates of a recurrent edge, in DARTS's order (the alphas' column order). */
export const RNN_PRIMITIVES = ['none', 'tanh', 'relu', 'sigmoid', 'identity'] as const;

export type RnnOpName = (typeof RNN_PRIMITIVES)[number];

/** The ops a recurrent gene may hold: every candidate but `none`, which has no activation. */
export type RnnActivationName = Exclude<RnnOpName, 'none'>;

export const RNN_ACTIVATIONS: readonly RnnActivationName[] = [
  'tanh',
  'relu',
  'sigmoid',
  'identity',
];

/** Intermediate nodes of the search cell (`STEPS`); the output averages all of them (`CONCAT`). */
export const RNN_STEPS = 8;

/** DARTS's `INITRANGE`: every weight of the recurrent model starts U(−0.04, 0.04). */
export const RNN_INIT_RANGE = 0.04;

export function isRnnOpName(name: string): name is RnnOpName {
  return (RNN_PRIMITIVES as readonly string[]).includes(name);
}

export function isRnnActivationName(name: string): name is RnnActivationName {
  return (RNN_ACTIVATIONS as readonly string[]).includes(name);
}

/** Edges of a search cell with `steps` nodes: node i reads s0..s_i, Σ_{i=1..steps} i in all. */
export function rnnEdgeCount(steps: number): number {
  return (steps * (steps + 1)) / 2;
}
