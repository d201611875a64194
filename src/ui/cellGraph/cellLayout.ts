/**
 * Fixed layout of one DARTS cell, in the spirit of `cnn/visualize.py` (inputs c_{k-2}, c_{k-1},
 * intermediate nodes 0..N-1, output c_{k}; each gene is an edge labelled with its op; every
 * concatenated state has an unlabelled edge into c_{k}).
 *
 * Unlike graphviz, which re-lays out every frame so nodes jump between epochs, node positions here
 * depend only on the node count N: the picture changes in place as the genotype changes.
 *
 * Pure: no DOM, no d3.
 *
 * Geometry:
 * - columns: both inputs in column 0, node i in column i+1, the output in column N+1;
 * - rows: c_{k-2} and the even nodes sit above the centre line, c_{k-1} and the odd nodes below it,
 *   the output on it;
 * - an edge between neighbouring columns is an S-curve from the right side of its source to the
 *   left side of its target;
 * - a longer edge arcs over (source above the centre line) or under (below) the nodes it skips,
 *   higher the more columns it spans, leaving its source's top/bottom on the right half and
 *   entering its target's top/bottom on the left half.
 *
 * Every path has the same command structure, `M x y Q x y x y Q x y x y`, whose middle point is
 * the label anchor, so a d3 string interpolation morphs any edge into any other smoothly.
 */
import type { Gene } from '../../nas/genotype/genotype';
import { opColor } from '../opColors';

export type CellNodeKind = 'input' | 'intermediate' | 'output';

export interface CellNode {
  /** 'c_{k-2}', 'c_{k-1}', '0'..'N-1', 'c_{k}' */
  readonly id: string;
  readonly label: string;
  readonly kind: CellNodeKind;
  /** Centre of the node. */
  readonly x: number;
  readonly y: number;
}

export interface CellEdge {
  /** `${from}->${to}#${slot}`: stable for the same (from, to, slot). */
  readonly id: string;
  readonly from: string;
  readonly to: string;
  /** The op name; null for the unlabelled edges into c_{k}. */
  readonly op: string | null;
  readonly color: string;
  /** SVG path data: `M x y Q x y x y Q x y x y`. */
  readonly path: string;
  readonly labelX: number;
  readonly labelY: number;
}

export interface CellLayout {
  readonly width: number;
  readonly height: number;
  /** Size of every node's rectangle (centred on the node's x, y). */
  readonly nodeWidth: number;
  readonly nodeHeight: number;
  readonly nodes: readonly CellNode[];
  readonly edges: readonly CellEdge[];
}

export interface CellLayoutOptions {
  /** Defaults grow with the node count; see `defaultCellSize`. */
  readonly width?: number;
  readonly height?: number;
}

export const INPUT_IDS = ['c_{k-2}', 'c_{k-1}'] as const;
export const OUTPUT_ID = 'c_{k}';
/** Colour of the unlabelled edges into c_{k}: neutral, distinct from every op colour. */
export const OUTPUT_EDGE_COLOR = '#5f6b7a';

const NODE_WIDTH = 64;
const NODE_HEIGHT = 30;
const COLUMN_STEP = 150;
const MARGIN_X = 14;
/** Room above the highest arc (and below the lowest) for its label. */
const MARGIN_Y = 14;
/** Half the vertical distance between the two rows. */
const ROW_OFFSET = 27;
/** Gap between a row's nodes and the lowest arc over them. */
const ARC_CLEARANCE = 22;
const ARC_LEVEL_STEP = 16;
/** How far apart two edges between the same pair of states are drawn. */
const DUPLICATE_SPREAD = 14;

/** Id of state `index`: 0 → c_{k-2}, 1 → c_{k-1}, 2.. → intermediate node index−2. */
export function stateId(index: number): string {
  if (index === 0) return INPUT_IDS[0];
  if (index === 1) return INPUT_IDS[1];
  return String(index - 2);
}

/** The longest span an edge can have in a cell of N nodes (c_{k-2} straight into c_{k}). */
function maxSpan(steps: number): number {
  return steps + 1;
}

/**
 * Arcs into c_{k} sit half a level above the gene arcs of the same span, so the two kinds don't
 * run on top of each other (nor through the labels).
 */
const OUTPUT_LEVEL_OFFSET = 0.5;

/** Arc levels above the lowest one: the highest arc is an input straight into c_{k}. */
function arcLevels(steps: number): number {
  return maxSpan(steps) - 2 + OUTPUT_LEVEL_OFFSET;
}

/** Default drawing size for a cell of `steps` intermediate nodes. */
export function defaultCellSize(steps: number): { width: number; height: number } {
  const levels = arcLevels(steps);
  return {
    width: 2 * (MARGIN_X + NODE_WIDTH / 2) + (steps + 1) * COLUMN_STEP,
    height: Math.max(
      8 * ROW_OFFSET,
      2 * (ROW_OFFSET + NODE_HEIGHT / 2 + ARC_CLEARANCE + levels * ARC_LEVEL_STEP + MARGIN_Y),
    ),
  };
}

function fail(message: string): never {
  throw new Error(`cellLayout: ${message}`);
}

function validate(genes: readonly Gene[], concat: readonly number[]): number {
  if (!Array.isArray(genes) || genes.length === 0 || genes.length % 2 !== 0) {
    fail(
      `a cell needs two genes per intermediate node (an even, non-zero count), got ${
        Array.isArray(genes) ? genes.length : typeof genes
      }`,
    );
  }
  const steps = genes.length / 2;
  genes.forEach((gene, i) => {
    const node = Math.floor(i / 2);
    if (!Array.isArray(gene) || gene.length !== 2) fail(`gene ${i} must be [op, input]`);
    const [op, input] = gene;
    if (typeof op !== 'string' || op.length === 0) fail(`gene ${i} has no op name`);
    if (!Number.isInteger(input) || input < 0 || input > node + 1) {
      fail(
        `gene ${i} (node ${node}) reads input ${String(input)}; it must be an integer from 0 to ${node + 1}`,
      );
    }
  });
  checkConcat(concat, steps + 2, fail);
  return steps;
}

/** Either layout's concat: at least one state, each an index below `states`, none twice. */
export function checkConcat(
  concat: readonly number[],
  states: number,
  fail: (message: string) => never,
): void {
  if (!Array.isArray(concat) || concat.length === 0) fail('concat must list at least one state');
  const seen = new Set<number>();
  for (const c of concat) {
    if (!Number.isInteger(c) || c < 0 || c >= states) {
      fail(`concat entry ${String(c)} is not a state index from 0 to ${states - 1}`);
    }
    if (seen.has(c)) fail(`concat lists state ${c} twice`);
    seen.add(c);
  }
}

/** The drawing's size: the options' or the defaults', both positive. */
export function layoutSize(
  options: { readonly width?: number; readonly height?: number },
  defaults: { readonly width: number; readonly height: number },
  fail: (message: string) => never,
): { width: number; height: number } {
  const width = options.width ?? defaults.width;
  const height = options.height ?? defaults.height;
  if (!(width > 0) || !(height > 0)) {
    fail(`width and height must be positive, got ${width}×${height}`);
  }
  return { width, height };
}

interface Geometry {
  readonly steps: number;
  readonly columnX: (column: number) => number;
  readonly centerY: number;
  readonly rowTop: number;
  readonly rowBottom: number;
  readonly nodeWidth: number;
  readonly nodeHeight: number;
  readonly levelStep: number;
}

/** Column, row side (-1 above the centre line, +1 below, 0 on it) and centre of a state. */
interface Place {
  readonly column: number;
  readonly side: -1 | 0 | 1;
  readonly x: number;
  readonly y: number;
}

function statePlace(geo: Geometry, state: number): Place {
  const column = state <= 1 ? 0 : state - 1;
  const side: -1 | 1 = state % 2 === 0 ? -1 : 1;
  return {
    column,
    side,
    x: geo.columnX(column),
    y: side < 0 ? geo.rowTop : geo.rowBottom,
  };
}

function outputPlace(geo: Geometry): Place {
  return { column: geo.steps + 1, side: 0, x: geo.columnX(geo.steps + 1), y: geo.centerY };
}

const fmt = (v: number): string => String(Math.round(v * 10) / 10);

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** An edge's path `M x y Q x y x y Q x y x y` (both layouts: d3 morphs any edge into any other). */
export function twoQuadratics(p0: Point, c1: Point, mid: Point, c2: Point, p3: Point): string {
  return (
    `M${fmt(p0.x)},${fmt(p0.y)}` +
    ` Q${fmt(c1.x)},${fmt(c1.y)} ${fmt(mid.x)},${fmt(mid.y)}` +
    ` Q${fmt(c2.x)},${fmt(c2.y)} ${fmt(p3.x)},${fmt(p3.y)}`
  );
}

/** An arc from p0 to p3 (both on a row's top or bottom edge) peaking at `peakY`, labelled there. */
export function arc(
  p0: Point,
  p3: Point,
  peakY: number,
): Pick<CellEdge, 'path' | 'labelX' | 'labelY'> {
  const mid = { x: (p0.x + p3.x) / 2, y: peakY };
  return {
    path: twoQuadratics(p0, { x: p0.x, y: peakY }, mid, { x: p3.x, y: peakY }, p3),
    labelX: mid.x,
    labelY: mid.y,
  };
}

/**
 * Path and label anchor of one edge. `spread` is −1/+1 for the two edges of a duplicated
 * (from, to) pair and 0 otherwise.
 */
function edgeGeometry(
  geo: Geometry,
  src: Place,
  dst: Place,
  spread: number,
  levelOffset = 0,
): { path: string; labelX: number; labelY: number } {
  const span = dst.column - src.column;
  const halfW = geo.nodeWidth / 2;
  const halfH = geo.nodeHeight / 2;
  if (span <= 1) {
    // Neighbouring columns: an S-curve from the right side to the left side. Two edges arriving
    // from different rows land a little apart so their arrowheads don't overlap.
    const p0 = { x: src.x + halfW, y: src.y };
    const landing = Math.max(-halfH / 2, Math.min(halfH / 2, (src.y - dst.y) * 0.2));
    const p3 = { x: dst.x - halfW, y: dst.y + landing };
    const bend = spread * DUPLICATE_SPREAD;
    const mid = { x: (p0.x + p3.x) / 2, y: (p0.y + p3.y) / 2 + bend };
    const c1 = { x: (p0.x + mid.x) / 2, y: p0.y + bend };
    const c2 = { x: (mid.x + p3.x) / 2, y: p3.y + bend };
    return { path: twoQuadratics(p0, c1, mid, c2, p3), labelX: mid.x, labelY: mid.y };
  }
  // Longer edges arc over (source above the centre line) or under the columns they skip.
  const side = src.side < 0 ? -1 : 1;
  const levels = Math.max(1, maxSpan(geo.steps) - 2);
  const f = Math.min(1, (span - 2) / levels);
  // Nesting: a longer arc leaves further left and lands further right than a shorter one.
  const shift = spread * 4;
  const p0 = {
    x: src.x + geo.nodeWidth * (0.45 - 0.35 * f) - shift,
    y: src.y + side * halfH,
  };
  const p3 = {
    x: dst.x - geo.nodeWidth * (0.45 - 0.35 * f) + shift,
    y: dst.y + side * halfH,
  };
  const rowEdge = side < 0 ? geo.rowTop - halfH : geo.rowBottom + halfH;
  const lift =
    ARC_CLEARANCE +
    (span - 2 + levelOffset) * geo.levelStep +
    Math.max(0, spread) * DUPLICATE_SPREAD;
  return arc(p0, p3, rowEdge + side * lift);
}

/**
 * Lays out one cell. Node positions depend only on the node count (genes.length / 2) and the
 * size; edge ids depend only on (from, to, slot), where slot counts earlier genes of the same
 * node reading the same input (so it is 0 unless a node reads one state twice, and reordering a
 * node's two genes keeps both ids).
 */
export function cellLayout(
  genes: readonly Gene[],
  concat: readonly number[],
  options: CellLayoutOptions = {},
): CellLayout {
  const steps = validate(genes, concat);
  const { width, height } = layoutSize(options, defaultCellSize(steps), fail);

  const columns = steps + 2;
  const nodeWidth = Math.min(NODE_WIDTH, ((width - 2 * MARGIN_X) / columns) * 0.8);
  const nodeHeight = Math.min(NODE_HEIGHT, height / 6);
  const left = MARGIN_X + nodeWidth / 2;
  const right = width - MARGIN_X - nodeWidth / 2;
  const columnStep = (right - left) / (columns - 1);
  const centerY = height / 2;
  const rowOffset = Math.min(ROW_OFFSET, height / 8);
  const rowTop = centerY - rowOffset;
  const rowBottom = centerY + rowOffset;
  const room = rowTop - nodeHeight / 2 - ARC_CLEARANCE - MARGIN_Y;
  const geo: Geometry = {
    steps,
    columnX: (column) => left + column * columnStep,
    centerY,
    rowTop,
    rowBottom,
    nodeWidth,
    nodeHeight,
    levelStep: Math.max(2, room / arcLevels(steps)),
  };

  const nodes: CellNode[] = [];
  for (let state = 0; state < steps + 2; state++) {
    const place = statePlace(geo, state);
    const id = stateId(state);
    nodes.push({
      id,
      label: id,
      kind: state < 2 ? 'input' : 'intermediate',
      x: place.x,
      y: place.y,
    });
  }
  const out = outputPlace(geo);
  nodes.push({ id: OUTPUT_ID, label: OUTPUT_ID, kind: 'output', x: out.x, y: out.y });

  const edges: CellEdge[] = [];
  for (let node = 0; node < steps; node++) {
    const pair = [genes[2 * node], genes[2 * node + 1]] as const;
    const duplicated = pair[0]?.[1] === pair[1]?.[1];
    pair.forEach((gene, k) => {
      if (!gene) return;
      const [op, input] = gene;
      const slot = duplicated ? k : 0;
      const from = stateId(input);
      const to = String(node);
      const spread = duplicated ? (k === 0 ? -1 : 1) : 0;
      edges.push({
        id: `${from}->${to}#${slot}`,
        from,
        to,
        op,
        color: opColor(op),
        ...edgeGeometry(geo, statePlace(geo, input), statePlace(geo, node + 2), spread),
      });
    });
  }
  for (const state of concat) {
    const from = stateId(state);
    edges.push({
      id: `${from}->${OUTPUT_ID}#0`,
      from,
      to: OUTPUT_ID,
      op: null,
      color: OUTPUT_EDGE_COLOR,
      ...edgeGeometry(geo, statePlace(geo, state), out, 0, OUTPUT_LEVEL_OFFSET),
    });
  }

  return { width, height, nodeWidth, nodeHeight, nodes, edges };
}
