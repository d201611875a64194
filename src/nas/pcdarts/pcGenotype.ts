/**
 * PC-DARTS's genotype rule (`model_search.py` of yuhuixu1993/PC-DARTS, `genotype()` lines
 * 186–224): each edge's op softmax is scaled by the edge's normalised β before DARTS's rule runs
 * (rank a node's edges by their strongest non-`none` weight, keep two, each with its strongest
 * non-`none` op). The scale reorders edges, never the op chosen on an edge.
 */
import type { Gene } from '../genotype/genotype';
import { deriveCellGenes } from '../genotype/genotype';
import type { OpName } from '../ops/primitives';

/** Op weights [edges][ops] with row e multiplied by edge weight e (official line 197). */
export function scaleEdgeRows(
  softmax: readonly (readonly number[])[],
  edgeWeights: readonly number[],
): number[][] {
  if (softmax.length !== edgeWeights.length) {
    throw new Error(`${softmax.length} edges of op weights, ${edgeWeights.length} edge weights`);
  }
  return softmax.map((row, e) => row.map((p) => p * (edgeWeights[e] as number)));
}

/** One cell's genes by PC-DARTS's rule. */
export function pcCellGenes(
  softmax: readonly (readonly number[])[],
  edgeWeights: readonly number[],
  steps: number,
  primitives: readonly OpName[],
): Gene[] {
  return deriveCellGenes(scaleEdgeRows(softmax, edgeWeights), steps, primitives);
}
