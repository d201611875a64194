/**
 * CDARTS's evaluation network as it follows the search network's genotype (NNI's
 * `DartsDiscreteMutator` in `cdarts/mutator.py`; the official weight pool of Cream's
 * `lib/models/cdarts_controller.py`).
 *
 * `follow(genotype)` rebuilds the discrete network when the genotype changed. Every parameter,
 * BatchNorm buffer and SGD momentum buffer lives in a pool keyed by what it belongs to, not by
 * its position in the genotype: an op's key is (cell, node, input state, op, parameter), so a
 * gene whose (op, input) is unchanged keeps its tensors (the same variables) even when it moves
 * within its node's pair, and an op that was chosen before, dropped and chosen again gets back
 * the weights it had (NNI keeps every candidate's module; the official code copies weights out
 * to and back from its pool). New ops are initialised from the run's generator. The stem,
 * the cells' preprocessing, the heads and the classifier never change. Names the network does
 * not own (the shared modules under `share_module`) are left to the caller.
 */
import * as tf from '../../tensor/tf';
import type { ParamSpec } from '../../tensor/layer';
import type { CdartsEvalNetwork, CdartsEvalNetworkSpec } from './cdartsEvalNetwork';
import { cdartsEvalNetwork } from './cdartsEvalNetwork';
import { createCdartsVariables } from './cdartsModules';
import type { Gene, Genotype } from '../../genotype/genotype';
import { genotypesEqual } from '../../genotype/genotype';
import type { Rng } from '../../tensor/random';

export type EvalShape = Omit<CdartsEvalNetworkSpec, 'genotype'>;

export interface FollowResult {
  /** False when the genotype equals the current one (nothing is rebuilt). */
  readonly changed: boolean;
  /** Parameters the previous network had and the new one keeps. */
  readonly kept: number;
  /** Parameters trained by an earlier network, unused by the previous one, taken back. */
  readonly restored: number;
  /** Parameters initialised afresh. */
  readonly created: number;
}

export interface FollowingEvalNetwork {
  readonly genotype: Genotype;
  readonly net: CdartsEvalNetwork;
  /** The current network's own parameters by name. */
  readonly weights: Readonly<Record<string, tf.Variable>>;
  readonly buffers: Readonly<Record<string, tf.Variable>>;
  /** SGD momentum buffers of `weights`, by the same names. */
  readonly momentum: Readonly<Record<string, tf.Variable>>;
  follow(genotype: Genotype): FollowResult;
  /** Parameters and buffers held, in use or not. */
  poolSize(): number;
  /** Every pooled tensor by its key, in use or not (a checkpoint saves them all). */
  poolEntries(): [string, PooledTensor][];
  dispose(): void;
}

const OP_NAME = /^cells\.(\d+)\.ops\.(\d+)\.([^.]+)\.(.+)$/;

/** Per gene j of a cell: `node.{n}.from.{input}.{op}`, with `#k` for the k-th repeat. */
export function geneKeys(genes: readonly Gene[]): string[] {
  const seen = new Map<string, number>();
  return genes.map(([op, input], j) => {
    const base = `node.${Math.floor(j / 2)}.from.${input}.${op}`;
    const repeat = seen.get(base) ?? 0;
    seen.set(base, repeat + 1);
    return repeat === 0 ? base : `${base}#${repeat}`;
  });
}

/** The pool key of a parameter or buffer name of `net`: op names lose the gene index. */
function poolKey(net: CdartsEvalNetwork, name: string): string {
  const match = OP_NAME.exec(name);
  if (!match) return name;
  const [, cellIndex, geneIndex, , rest] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  const cell = net.cells[Number(cellIndex)];
  const key = cell ? geneKeys(cell.spec.genes)[Number(geneIndex)] : undefined;
  if (key === undefined) throw new Error(`"${name}" names no gene of the network`);
  return `cells.${cellIndex}.${key}.${rest}`;
}

export interface PooledTensor {
  readonly value: tf.Variable;
  /** SGD momentum (parameters only). */
  readonly momentum: tf.Variable | null;
}

type Pooled = PooledTensor;

function zeroVariable(like: tf.Tensor): tf.Variable {
  const zeros = tf.zerosLike(like);
  const v = tf.variable(zeros, false);
  zeros.dispose();
  return v;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function createFollowingEvalNetwork(
  shape: EvalShape,
  genotype: Genotype,
  rng: Rng,
  owns: (name: string) => boolean,
  /** A restored pool (a checkpoint's): the network takes it over instead of creating tensors. */
  restored?: ReadonlyMap<string, PooledTensor>,
): FollowingEvalNetwork {
  const pool = new Map<string, Pooled>(restored ?? []);
  let active = new Set<string>();
  let current: {
    genotype: Genotype;
    net: CdartsEvalNetwork;
    weights: Record<string, tf.Variable>;
    buffers: Record<string, tf.Variable>;
    momentum: Record<string, tf.Variable>;
  } | null = null;

  /** Takes each spec's tensor from the pool or creates it; counts where they came from. */
  function materialise(
    net: CdartsEvalNetwork,
    specs: readonly ParamSpec[],
    trainable: boolean,
    counts: { kept: number; restored: number; created: number },
    nextActive: Set<string>,
  ): Record<string, Pooled> {
    const out: Record<string, Pooled> = {};
    const missing: ParamSpec[] = [];
    for (const spec of specs) {
      if (!owns(spec.name)) continue;
      const key = poolKey(net, spec.name);
      const pooled = pool.get(key);
      if (pooled && sameShape(pooled.value.shape, spec.shape)) {
        out[spec.name] = pooled;
        if (trainable) {
          if (active.has(key)) counts.kept += 1;
          else counts.restored += 1;
        }
      } else {
        if (pooled) {
          pooled.value.dispose();
          pooled.momentum?.dispose();
          pool.delete(key);
        }
        missing.push(spec);
      }
      nextActive.add(key);
    }
    const fresh = createCdartsVariables(missing, rng, trainable);
    for (const spec of missing) {
      const value = fresh[spec.name] as tf.Variable;
      const momentum = trainable ? zeroVariable(value) : null;
      const pooled = { value, momentum };
      pool.set(poolKey(net, spec.name), pooled);
      out[spec.name] = pooled;
      if (trainable) counts.created += 1;
    }
    return out;
  }

  function follow(next: Genotype): FollowResult {
    if (current && genotypesEqual(current.genotype, next)) {
      return { changed: false, kept: Object.keys(current.weights).length, restored: 0, created: 0 };
    }
    const net = cdartsEvalNetwork({ ...shape, genotype: next });
    const counts = { kept: 0, restored: 0, created: 0 };
    const nextActive = new Set<string>();
    const params = materialise(net, net.params, true, counts, nextActive);
    const buffers = materialise(net, net.buffers, false, counts, nextActive);
    const weights: Record<string, tf.Variable> = {};
    const momentum: Record<string, tf.Variable> = {};
    for (const [name, pooled] of Object.entries(params)) {
      weights[name] = pooled.value;
      momentum[name] = pooled.momentum as tf.Variable;
    }
    const bufferValues: Record<string, tf.Variable> = {};
    for (const [name, pooled] of Object.entries(buffers)) bufferValues[name] = pooled.value;
    current = { genotype: next, net, weights, buffers: bufferValues, momentum };
    active = nextActive;
    return { changed: true, ...counts };
  }

  follow(genotype);
  const now = () => {
    if (!current) throw new Error('the evaluation network has been disposed');
    return current;
  };
  return {
    get genotype() {
      return now().genotype;
    },
    get net() {
      return now().net;
    },
    get weights() {
      return now().weights;
    },
    get buffers() {
      return now().buffers;
    },
    get momentum() {
      return now().momentum;
    },
    follow,
    poolSize: () => pool.size,
    poolEntries: () => [...pool.entries()],
    dispose() {
      for (const pooled of pool.values()) {
        pooled.value.dispose();
        pooled.momentum?.dispose();
      }
      pool.clear();
      current = null;
    },
  };
}
