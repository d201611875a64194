/**
 * CDARTS's regularized mutator (NNI `RegularizedDartsMutator` in `cdarts/mutator.py`; the
 * official regularizer of `lib/core/search_function.py`): DARTS's softmax mixture of
 * the alphas, plus
 *
 * - an L1 penalty Σ |α[edge, op]| over the regularized ops of both cell types (raw logits, not
 *   the softmax), which the step scales by the decaying `reg_decay`;
 * - choice cutting: `cutNum` (cumulative) smallest logits of every edge are cut. NNI sets them
 *   to −∞, which turns into NaN at the next optimizer step (weight decay, momentum on −∞) and
 *   needs a NaN → −∞ reset. Here the alphas stay finite: a boolean mask takes cut ops out of the
 *   softmax (their weight is exactly 0, their gradient exactly 0), out of the penalty (NNI skips
 *   |α| ≥ 1e10 for the same reason) and out of the forward pass (cut ops are not run).
 */
import * as tf from '../tensor/tf';
import type { RegularizedOps } from './cdartsConfig';
import type { CellMixture, Mixtures } from './network/cdartsSearchNetwork';
import { edgeList } from '../genotype/cellTopology';
import type { OpName } from '../ops/primitives';

export interface AlphaPair {
  readonly normal: tf.Tensor2D;
  readonly reduce: tf.Tensor2D;
}

/** Per cell type, `cut[e][k]` true: op k of edge e is cut. */
export interface CutMasks {
  readonly normal: readonly (readonly boolean[])[];
  readonly reduce: readonly (readonly boolean[])[];
}

export interface RegularizedMutator {
  readonly primitives: readonly OpName[];
  readonly steps: number;
  /** 1 where the penalty applies, 0 elsewhere, per cell type [edges][ops]. */
  readonly penalized: { readonly normal: number[][]; readonly reduce: number[][] };
  /** The cut choices so far. */
  cut: CutMasks;
}

/**
 * Which (edge, op) entries the penalty covers. `official`: max_pool_3x3, avg_pool_3x3 and
 * skip_connect on every edge. `nni` (NNI matches module class names `poolwithoutbn`,
 * `identity`, `dilconv`): both pools, skip_connect on stride-1 edges only (on a reduction
 * cell's stride-2 edges it is a FactorizedReduce) and both dilated convs.
 */
export function penaltyMask(
  family: RegularizedOps,
  primitives: readonly OpName[],
  steps: number,
  reduction: boolean,
): number[][] {
  return edgeList(steps).map(({ from }) => {
    const stride = reduction && from < 2 ? 2 : 1;
    return primitives.map((op) => {
      switch (op) {
        case 'max_pool_3x3':
        case 'avg_pool_3x3':
          return 1;
        case 'skip_connect':
          return family === 'official' || stride === 1 ? 1 : 0;
        case 'dil_conv_3x3':
        case 'dil_conv_5x5':
          return family === 'nni' ? 1 : 0;
        default:
          return 0;
      }
    });
  });
}

function noCuts(edges: number, ops: number): boolean[][] {
  return Array.from({ length: edges }, () => new Array<boolean>(ops).fill(false));
}

export function createRegularizedMutator(
  primitives: readonly OpName[],
  steps: number,
  family: RegularizedOps,
): RegularizedMutator {
  const edges = edgeList(steps).length;
  return {
    primitives,
    steps,
    penalized: {
      normal: penaltyMask(family, primitives, steps, false),
      reduce: penaltyMask(family, primitives, steps, true),
    },
    cut: { normal: noCuts(edges, primitives.length), reduce: noCuts(edges, primitives.length) },
  };
}

function checkShape(alpha: tf.Tensor2D, cut: readonly (readonly boolean[])[]): void {
  const [edges, ops] = alpha.shape;
  if (cut.length !== edges || cut.some((row) => row.length !== ops)) {
    throw new Error(
      `the cut mask does not match alphas of shape [${edges}, ${ops}]: it has ${cut.length} rows`,
    );
  }
  cut.forEach((row, e) => {
    if (row.every((isCut) => isCut)) throw new Error(`every op of edge ${e} is cut`);
  });
}

/** A float mask [edges, ops]: 1 for ops that are kept, 0 for cut ones. */
function keepMask(cut: readonly (readonly boolean[])[], ops: number): tf.Tensor2D {
  return tf.tensor2d(
    cut.flatMap((row) => row.map((isCut) => (isCut ? 0 : 1))),
    [cut.length, ops],
  );
}

/**
 * Row softmax over the kept ops only; cut ops get exactly 0 and pass exactly 0 gradient to
 * their alphas. Cut logits are replaced inside the softmax by a finite −1e30, never stored.
 */
export function maskedSoftmax(
  alpha: tf.Tensor2D,
  cut: readonly (readonly boolean[])[],
): tf.Tensor2D {
  checkShape(alpha, cut);
  return tf.tidy(() => {
    const keep = tf.cast(keepMask(cut, alpha.shape[1]), 'bool');
    const masked = tf.where(keep, alpha, tf.fill(alpha.shape, -1e30));
    return tf.softmax(masked);
  });
}

function cellMixture(alpha: tf.Tensor2D, cut: readonly (readonly boolean[])[]): CellMixture {
  return { weights: maskedSoftmax(alpha, cut), skip: cut };
}

/** The search network's mixed-op weights and skipped (cut) ops for the current alphas. */
export function mutatorMixtures(mutator: RegularizedMutator, alphas: AlphaPair): Mixtures {
  return {
    normal: cellMixture(alphas.normal, mutator.cut.normal),
    reduce: cellMixture(alphas.reduce, mutator.cut.reduce),
  };
}

function cellPenalty(
  alpha: tf.Tensor2D,
  penalized: readonly (readonly number[])[],
  cut: readonly (readonly boolean[])[],
): tf.Scalar {
  checkShape(alpha, cut);
  const [edges, ops] = alpha.shape;
  const weights = penalized.flatMap((row, e) => row.map((p, k) => (cut[e]?.[k] ? 0 : p)));
  // |α| as α·sign(α): the gradient is sign(α), 0 at α = 0 as PyTorch's abs (tfjs's is −1 there).
  const magnitude = tf.mul(alpha, tf.sign(alpha));
  return tf.sum(tf.mul(magnitude, tf.tensor2d(weights, [edges, ops])));
}

/** Σ |α| over the penalized, uncut entries of both cell types (before `reg_decay`). */
export function regularizationPenalty(mutator: RegularizedMutator, alphas: AlphaPair): tf.Scalar {
  return tf.tidy(() =>
    tf.add(
      cellPenalty(alphas.normal, mutator.penalized.normal, mutator.cut.normal),
      cellPenalty(alphas.reduce, mutator.penalized.reduce, mutator.cut.reduce),
    ),
  );
}

/**
 * NNI's `cut_choices(cut_num)` on one cell type's logits: afterwards `cutNum` ops of every edge
 * are cut, those cut before and then the smallest logits (on ties the later op goes first).
 */
export function cutSmallest(
  logits: readonly (readonly number[])[],
  previous: readonly (readonly boolean[])[],
  cutNum: number,
): boolean[][] {
  return logits.map((row, e) => {
    const before = previous[e];
    if (!before || before.length !== row.length) {
      throw new Error(`the cut mask has no row of ${row.length} ops for edge ${e}`);
    }
    if (!Number.isInteger(cutNum) || cutNum < 0 || cutNum >= row.length) {
      throw new Error(`cut count must be an integer from 0 to ${row.length - 1}, got ${cutNum}`);
    }
    const next = [...before];
    let count = next.filter((isCut) => isCut).length;
    if (count > cutNum) {
      throw new Error(`edge ${e} already has ${count} cut ops; cut counts are cumulative`);
    }
    const order = row
      .map((value, k) => ({ value, k }))
      .filter(({ k }) => !next[k])
      .sort((a, b) => a.value - b.value || b.k - a.k);
    for (const { k } of order) {
      if (count >= cutNum) break;
      next[k] = true;
      count += 1;
    }
    return next;
  });
}

function toRows(values: Float32Array, rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, (_, r) =>
    Array.from(values.subarray(r * cols, (r + 1) * cols)),
  );
}

/** Cuts up to `cutNum` choices of every edge of both cell types (reads the alphas back). */
export async function cutChoices(
  mutator: RegularizedMutator,
  alphas: AlphaPair,
  cutNum: number,
): Promise<void> {
  const [rows, cols] = alphas.normal.shape;
  const normal = toRows((await alphas.normal.data()) as Float32Array, rows, cols);
  const reduce = toRows((await alphas.reduce.data()) as Float32Array, rows, cols);
  mutator.cut = {
    normal: cutSmallest(normal, mutator.cut.normal, cutNum),
    reduce: cutSmallest(reduce, mutator.cut.reduce, cutNum),
  };
}
