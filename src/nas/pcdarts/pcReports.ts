/**
 * PC-DARTS in a DARTS search's reports: the normalised β of each cell type as alpha groups of
 * one column (one row per edge), after DARTS's `normal` and `reduce`, so that the lab charts
 * them as it charts any group. No tfjs here.
 */
import type { AlphaGroup } from '../runKind/runKind';
import type { EdgeWeightValues } from './pcReadback';

/** The column name of an edge-weight group. */
export const EDGE_WEIGHT_COLUMN = 'edge weight (β)';

/** The groups `normalEdges` and `reduceEdges`; none without β. */
export function edgeWeightGroups(edges: EdgeWeightValues | undefined): AlphaGroup[] {
  if (!edges) return [];
  const rows = (values: readonly number[]) => values.map((v) => [v]);
  return [
    { name: 'normalEdges', ops: [EDGE_WEIGHT_COLUMN], softmax: rows(edges.normal) },
    { name: 'reduceEdges', ops: [EDGE_WEIGHT_COLUMN], softmax: rows(edges.reduce) },
  ];
}
