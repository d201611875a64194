/**
 * Human labels of a cell's edges in the DARTS edge order, e.g. "node 2 ← c_{k-1}",
 * "node 3 ← node 1". The enumeration is the core's own (`edgeList`, from the tfjs-free
 * `cellTopology`, so the page's main thread does not load tfjs).
 */
import { edgeList } from '../../nas/genotype/cellTopology';

/** The name of predecessor state `from`: 0 = c_{k-2}, 1 = c_{k-1}, j ≥ 2 = node j − 2. */
export function stateLabel(from: number): string {
  if (from === 0) return 'c_{k-2}';
  if (from === 1) return 'c_{k-1}';
  return `node ${from - 2}`;
}

/** One label per edge of a cell with `steps` intermediate nodes. */
export function edgeLabels(steps: number): string[] {
  return edgeList(steps).map(({ node, from }) => `node ${node} ← ${stateLabel(from)}`);
}
