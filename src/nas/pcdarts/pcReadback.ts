/**
 * PC-DARTS's normalised β in a search step's one readback: packed after the alpha softmaxes
 * (normal, then reduce, one value per edge), read back into numbers, and the genotype derived
 * from them with PC-DARTS's rule. A search without β packs and reads nothing.
 */
import type * as tf from '../tensor/tf';
import type { Gene } from '../genotype/genotype';
import type { OpName } from '../ops/primitives';
import { edgeWeights } from './edgeNormalization';
import { pcCellGenes } from './pcGenotype';

/** Both cell types' normalised β as numbers, [edges] each. */
export interface EdgeWeightValues {
  readonly normal: number[];
  readonly reduce: number[];
}

interface Betas {
  readonly normal: tf.Tensor1D;
  readonly reduce: tf.Tensor1D;
}

/** The tensors to pack: both normalised β, or none. */
export function edgeWeightsPacked(betas: Betas | undefined, steps: number): tf.Tensor1D[] {
  return betas ? [edgeWeights(betas.normal, steps), edgeWeights(betas.reduce, steps)] : [];
}

/** `{ edges }` read from `values` at `offset` (after the softmaxes), or nothing without β. */
export function unpackEdgeWeights(
  betas: Betas | undefined,
  values: Float32Array,
  offset: number,
  edges: number,
): { edges?: EdgeWeightValues } {
  if (!betas) return {};
  return {
    edges: {
      normal: Array.from(values.subarray(offset, offset + edges)),
      reduce: Array.from(values.subarray(offset + edges, offset + 2 * edges)),
    },
  };
}

/** One cell type's genes by PC-DARTS's rule from read-back softmaxes and edge weights. */
export function pcCellGenesOf(
  softmax: {
    readonly normal: number[][];
    readonly reduce: number[][];
    readonly edges?: EdgeWeightValues;
  },
  type: 'normal' | 'reduce',
  steps: number,
  primitives: readonly OpName[],
): Gene[] {
  if (!softmax.edges) throw new Error('PC-DARTS genes need the edge weights');
  return pcCellGenes(softmax[type], softmax.edges[type], steps, primitives);
}
