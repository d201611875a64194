/**
 * Fixed layout of a DARTS recurrent cell, as DARTS's `rnn/visualize.py` draws it: inputs x_{t}
 * and h_{t-1} both feed node 0 (unlabelled edges), node i+1 reads one earlier state j ≤ i through
 * an edge labelled with its activation (gene i = (op, j)), and the averaged states feed h_{t}
 * (unlabelled edges). visualize.py joins nodes 1..N into h_{t}; this layout joins the genotype's
 * `concat`, which is 1..N for every DARTS genotype.
 *
 * The result has the convolutional layout's shape (`CellLayout`), so `CellGraph`'s d3 drawing
 * (keyed edges, morphing paths) draws it too. Node positions depend only on the node count.
 *
 * Pure: no DOM, no d3.
 *
 * Geometry:
 * - columns: both inputs in column 0 (x_{t} above the centre line, h_{t-1} below), node k in
 *   column k+1 on the centre line, h_{t} in column N+2 on it;
 * - an input edge is an S-curve from the input's right side to node 0's left side;
 * - a gene edge arcs over the nodes, leaving its source's top and entering its target's top,
 *   higher the more columns it spans (half a level higher from odd sources, so arcs of the same
 *   span do not run on top of each other); its label sits at the arc's peak;
 * - a concat edge from the last node is a straight line into h_{t}; the others arc under the
 *   nodes into h_{t}'s bottom, lower the longer they are.
 *
 * Every path is `M x y Q x y x y Q x y x y` (the middle point is the label anchor), as in
 * `cellLayout`, so d3 morphs any edge into any other.
 */
import { opColor } from '../opColors';
import type { CellEdge, CellLayout, CellNode, Point } from './cellLayout';
import { arc, checkConcat, layoutSize, OUTPUT_EDGE_COLOR, twoQuadratics } from './cellLayout';

/** One gene: the activation and the state it reads (0 = node 0, j = node j). */
export type RecurrentGeneInput = readonly [op: string, input: number];

export const RECURRENT_INPUT_IDS = ['x_{t}', 'h_{t-1}'] as const;
export const RECURRENT_OUTPUT_ID = 'h_{t}';

/**
 * Sizes in px: a node's box, a column's width, the margins, each input's distance from the centre
 * line, the gap between the nodes and the lowest arc over (or under) them, and each level's rise.
 */
const SIZE = {
  nodeWidth: 56,
  nodeHeight: 30,
  columnStep: 96,
  marginX: 14,
  marginY: 14,
  inputOffset: 26,
  arcClearance: 16,
  arcLevelStep: 14,
} as const;

function fail(message: string): never {
  throw new Error(`recurrentCellLayout: ${message}`);
}

/** Checks the genes and concat; returns the node count N (genes + node 0 = N + 1 states). */
function validate(genes: readonly RecurrentGeneInput[], concat: readonly number[]): number {
  if (!Array.isArray(genes) || genes.length === 0) {
    fail('a recurrent cell needs at least one gene');
  }
  genes.forEach((gene, i) => {
    if (!Array.isArray(gene) || gene.length !== 2) fail(`gene ${i} must be [op, input]`);
    const [op, input] = gene;
    if (typeof op !== 'string' || op.length === 0) fail(`gene ${i} has no op name`);
    if (!Number.isInteger(input) || input < 0 || input > i) {
      fail(
        `gene ${i} (node ${i + 1}) reads state ${String(input)}; it must be an integer from 0 to ${i}`,
      );
    }
  });
  const steps = genes.length;
  checkConcat(concat, steps + 1, fail);
  return steps;
}

/** Arc levels on each side of the node row: the longest arc spans N (genes) or N+1 columns. */
function arcLevels(steps: number): number {
  return steps + 0.5;
}

/** Default drawing size for a recurrent cell of `steps` nodes after node 0. */
export function defaultRecurrentCellSize(steps: number): { width: number; height: number } {
  return {
    width: 2 * (SIZE.marginX + SIZE.nodeWidth / 2) + (steps + 2) * SIZE.columnStep,
    height:
      2 *
      (SIZE.nodeHeight / 2 +
        SIZE.arcClearance +
        arcLevels(steps) * SIZE.arcLevelStep +
        SIZE.marginY),
  };
}

type Geometry = Pick<CellEdge, 'path' | 'labelX' | 'labelY'>;

/** A curve between points on neighbouring columns, from a right side to a left side. */
function sideToSide(p0: Point, p3: Point): Geometry {
  const mid = { x: (p0.x + p3.x) / 2, y: (p0.y + p3.y) / 2 };
  const c1 = { x: (p0.x + mid.x) / 2, y: p0.y };
  const c2 = { x: (mid.x + p3.x) / 2, y: p3.y };
  return { path: twoQuadratics(p0, c1, mid, c2, p3), labelX: mid.x, labelY: mid.y };
}

/**
 * Lays out a recurrent cell: `genes[i] = [op, j]` feeds node i+1 from state j; `concat` lists the
 * states averaged into h_{t}. Edge ids are `${from}->${to}#0`, stable for the same endpoints.
 */
export function recurrentCellLayout(
  genes: readonly RecurrentGeneInput[],
  concat: readonly number[],
  options: { readonly width?: number; readonly height?: number } = {},
): CellLayout {
  const steps = validate(genes, concat);
  const { width, height } = layoutSize(options, defaultRecurrentCellSize(steps), fail);
  const columns = steps + 3;
  const nodeWidth = Math.min(SIZE.nodeWidth, ((width - 2 * SIZE.marginX) / columns) * 0.8);
  const nodeHeight = Math.min(SIZE.nodeHeight, height / 6);
  const left = SIZE.marginX + nodeWidth / 2;
  const right = width - SIZE.marginX - nodeWidth / 2;
  const columnX = (column: number) => left + (column * (right - left)) / (columns - 1);
  const centerY = height / 2;
  const inputOffset = Math.min(SIZE.inputOffset, height / 8);
  const room = centerY - nodeHeight / 2 - SIZE.arcClearance - SIZE.marginY;
  const levelStep = Math.max(2, room / arcLevels(steps));
  const halfW = nodeWidth / 2;
  const halfH = nodeHeight / 2;
  const top = centerY - halfH;
  const bottom = centerY + halfH;

  const stateX = (state: number) => columnX(state + 1);
  const nodes: CellNode[] = [
    {
      id: RECURRENT_INPUT_IDS[0],
      label: RECURRENT_INPUT_IDS[0],
      kind: 'input',
      x: columnX(0),
      y: centerY - inputOffset,
    },
    {
      id: RECURRENT_INPUT_IDS[1],
      label: RECURRENT_INPUT_IDS[1],
      kind: 'input',
      x: columnX(0),
      y: centerY + inputOffset,
    },
  ];
  for (let state = 0; state <= steps; state++) {
    const id = String(state);
    nodes.push({ id, label: id, kind: 'intermediate', x: stateX(state), y: centerY });
  }
  const outX = columnX(steps + 2);
  nodes.push({
    id: RECURRENT_OUTPUT_ID,
    label: RECURRENT_OUTPUT_ID,
    kind: 'output',
    x: outX,
    y: centerY,
  });

  const edges: CellEdge[] = [];
  for (const [k, input] of RECURRENT_INPUT_IDS.entries()) {
    const y = k === 0 ? centerY - inputOffset : centerY + inputOffset;
    const landing = (k === 0 ? -1 : 1) * (halfH / 2);
    edges.push({
      id: `${input}->0#0`,
      from: input,
      to: '0',
      op: null,
      color: OUTPUT_EDGE_COLOR,
      ...sideToSide({ x: columnX(0) + halfW, y }, { x: stateX(0) - halfW, y: centerY + landing }),
    });
  }
  genes.forEach(([op, from], i) => {
    const to = i + 1;
    const span = to - from;
    // Longer arcs leave further left and land further right, so that nested arcs do not cross.
    const inset = nodeWidth * (0.4 - 0.3 * Math.min(1, (span - 1) / Math.max(1, steps - 1)));
    const lift = SIZE.arcClearance + (span - 1 + (from % 2) * 0.5) * levelStep;
    edges.push({
      id: `${from}->${to}#0`,
      from: String(from),
      to: String(to),
      op,
      color: opColor(op),
      ...arc({ x: stateX(from) + inset, y: top }, { x: stateX(to) - inset, y: top }, top - lift),
    });
  });
  for (const state of concat) {
    const span = steps + 1 - state;
    const geometry =
      span <= 1
        ? sideToSide({ x: stateX(state) + halfW, y: centerY }, { x: outX - halfW, y: centerY })
        : arc(
            { x: stateX(state), y: bottom },
            // Lower arcs land further left on h_{t}'s bottom, so arrowheads stay apart.
            { x: outX - halfW * (0.9 * Math.min(1, (span - 1) / Math.max(1, steps))), y: bottom },
            bottom + SIZE.arcClearance + (span - 2) * levelStep,
          );
    edges.push({
      id: `${state}->${RECURRENT_OUTPUT_ID}#0`,
      from: String(state),
      to: RECURRENT_OUTPUT_ID,
      op: null,
      color: OUTPUT_EDGE_COLOR,
      ...geometry,
    });
  }
  return { width, height, nodeWidth, nodeHeight, nodes, edges };
}
