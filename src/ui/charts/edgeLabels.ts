/**
 * Human labels of a cell's edges in the core's edge order: a convolutional cell's ("node 2 ←
 * c_{k-1}", in the enumeration of the tfjs-free `cellTopology`, so the page's main thread does
 * not load tfjs) and a recurrent cell's ("node 3 ← node 1"). An alpha group's labels follow from
 * its row count alone.
 */
import { edgeCount, edgeList } from '../../nas/genotype/cellTopology';
import { rnnEdgeCount } from '../../nas/rnn/model/rnnPrimitives';

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

/**
 * One label per alpha row of a recurrent cell with `steps` nodes after node 0, in the core's row
 * order (node 1 ← 0; node 2 ← 0, 1; …): "node 3 ← node 1".
 */
export function rnnEdgeLabels(steps: number): string[] {
  const labels: string[] = [];
  for (let node = 1; node <= steps; node++) {
    for (let from = 0; from < node; from++) labels.push(`node ${node} ← node ${from}`);
  }
  return labels;
}

/** The node count whose cell has `rows` edges (`count(n)` of them), or null. */
function nodesFor(rows: number, count: (steps: number) => number): number | null {
  for (let n = 1; count(n) <= rows; n++) if (count(n) === rows) return n;
  return null;
}

/**
 * The labels of an alpha group of `rows` edges in a cell of `space`: the cell's own where the
 * row count is a cell's, else "edge 0", "edge 1", ….
 */
export function alphaRowLabels(space: 'cnn' | 'rnn', rows: number): string[] {
  const nodes = nodesFor(rows, space === 'cnn' ? edgeCount : rnnEdgeCount);
  if (nodes !== null) return space === 'cnn' ? edgeLabels(nodes) : rnnEdgeLabels(nodes);
  return Array.from({ length: rows }, (_, i) => `edge ${i}`);
}
