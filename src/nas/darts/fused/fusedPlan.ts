/**
 * The layout of a fused search cell, as plain numbers and names (no tensors): which candidate
 * outputs are computed together, where each one lands, which named parameter and BatchNorm
 * each block uses, and the index maps that assemble filters and mixing weights.
 *
 * The fused cell groups the edges by the states they read: one group reads both cell inputs
 * (s0 and s1, concatenated along channels: every node reads both), then one group per node
 * that later nodes read. A group computes every candidate of every edge it holds with one
 * ReLU, one channel-multiplier depthwise conv for the first stage of all conv candidates
 * (input channel i gives output channels i·J … i·J + J − 1, one per (candidate, destination)),
 * one batched matMul for their pointwise convs and one BatchNorm; the separable convs' second
 * stage likewise; each pooling op once per state (its input is the same for every edge). The
 * candidate outputs are blocks [blocks, pixels, channels]; the input of every destination node
 * is one matMul of a mixing matrix [destinations, blocks] (softmax weights, zero where a block
 * does not feed the destination) with the blocks.
 *
 * Block orders (s = source state within the group, d = destination, innermost last):
 * - first stage: (conv candidate, d, s), separable candidates first;
 * - second BatchNorm: second stages (separable candidate, d, s), then pools (pool, s) in
 *   training or (pool, d, s) in evaluation, then FactorizedReduce skips (d, s);
 * - identity skip: (s).
 */
import { edgeList } from '../../genotype/cellTopology';
import { inverseIndices } from './fusedGather';
import type { OpName } from '../../ops/primitives';

/** How the fused cell computes one candidate op. */
export type FusedCandidate =
  | { readonly kind: 'none' }
  | { readonly kind: 'pool'; readonly pool: 'max' | 'avg' }
  | { readonly kind: 'skip' }
  | {
      readonly kind: 'conv';
      /** sep_conv: two (ReLU, depthwise, pointwise, BN) stages; dil_conv: one, dilated. */
      readonly separable: boolean;
      readonly kernel: number;
      readonly dilation: number;
    };

/** The fused form of `name`, or null when the fused cell cannot compute it. */
function fusedCandidate(name: OpName): FusedCandidate | null {
  switch (name) {
    case 'none':
      return { kind: 'none' };
    case 'max_pool_3x3':
      return { kind: 'pool', pool: 'max' };
    case 'avg_pool_3x3':
      return { kind: 'pool', pool: 'avg' };
    case 'skip_connect':
      return { kind: 'skip' };
    case 'sep_conv_3x3':
      return { kind: 'conv', separable: true, kernel: 3, dilation: 1 };
    case 'sep_conv_5x5':
      return { kind: 'conv', separable: true, kernel: 5, dilation: 1 };
    case 'sep_conv_7x7':
      return { kind: 'conv', separable: true, kernel: 7, dilation: 1 };
    case 'dil_conv_3x3':
      return { kind: 'conv', separable: false, kernel: 3, dilation: 2 };
    case 'dil_conv_5x5':
      return { kind: 'conv', separable: false, kernel: 5, dilation: 2 };
    case 'conv_7x1_1x7':
      return null;
  }
}

/** Ops of `primitives` the fused cell cannot compute (empty when it computes them all). */
export function unfusableOps(primitives: readonly OpName[]): OpName[] {
  return primitives.filter((name) => fusedCandidate(name) === null);
}

export interface ConvColumn {
  /** Column of the candidate in the alphas (its index in the op set). */
  readonly column: number;
  readonly name: OpName;
  readonly separable: boolean;
  readonly kernel: number;
  readonly dilation: number;
}

export interface PoolColumn {
  readonly column: number;
  readonly name: OpName;
  readonly pool: 'max' | 'avg';
}

/** What a block of candidate outputs feeds: (destination index, edge, alpha column) triples. */
export interface MixingBlock {
  readonly feeds: readonly {
    readonly dest: number;
    readonly edge: number;
    readonly column: number;
  }[];
}

/** The edges that read one or two states, computed together. */
export interface GroupPlan {
  /** States read, in channel order: 0 = s0, 1 = s1, 2 + i = node i. */
  readonly sources: readonly number[];
  readonly stride: number;
  /** Nodes fed, ascending; a destination's position in this list is its index d. */
  readonly dests: readonly number[];
  /** Edge index of sources[s] → dests[d], as edges[d][s]. */
  readonly edges: readonly (readonly number[])[];
  /**
   * The first stage's depthwise convs: one per window (side K, odd; every candidate's kernel
   * zero-embedded at its centre), candidates with small footprints apart from large ones so
   * that a 3×3 kernel is not computed as a 9×9 one.
   */
  readonly windows: readonly { readonly size: number; readonly convs: readonly ConvColumn[] }[];
  /** Every conv candidate in block order: the windows' candidates one after the other. */
  readonly convs: readonly ConvColumn[];
  /** Runs of separable candidates' first-stage blocks (start, count), in block order. */
  readonly separableRuns: readonly { readonly start: number; readonly count: number }[];
  /** Depthwise window of the separable convs' second stage. */
  readonly window2: number;
  readonly pools: readonly PoolColumn[];
  /** Column of skip_connect, or null. */
  readonly skipColumn: number | null;
  /** Whether the skip is FactorizedReduce (stride 2) rather than the identity. */
  readonly reducingSkip: boolean;
  /** BatchNorm names of the first-stage blocks. */
  readonly bn1: readonly string[];
  /** BatchNorm names of the second BatchNorm's blocks (in training a pool block has D). */
  bn2(training: boolean): readonly (readonly string[])[];
  /** Pointwise weights [1, 1, C, C] of the first-stage blocks and the second-stage ones. */
  readonly pointwise1: readonly string[];
  readonly pointwise2: readonly string[];
  /** The blocks mixed into the destinations, in order. */
  mixing(training: boolean): readonly MixingBlock[];
}

export interface CellPlanSpec {
  readonly prefix: string;
  readonly steps: number;
  /** Channels of the cell's nodes. */
  readonly c: number;
  readonly reduction: boolean;
  readonly primitives: readonly OpName[];
}

/** Edge index of (from → node) in the DARTS enumeration. */
function edgeIndex(steps: number, node: number, from: number): number {
  return edgeList(steps).findIndex((e) => e.node === node && e.from === from);
}

/** Side of the (dilated) kernel's footprint: d(k − 1) + 1. */
export function span(c: { kernel: number; dilation: number }): number {
  return c.dilation * (c.kernel - 1) + 1;
}

function columnsOf(primitives: readonly OpName[]) {
  const convs: ConvColumn[] = [];
  const pools: PoolColumn[] = [];
  let skipColumn: number | null = null;
  primitives.forEach((name, column) => {
    const op = fusedCandidate(name);
    if (op === null) throw new Error(`the fused cell cannot compute "${name}"`);
    if (op.kind === 'conv') convs.push({ column, name, ...op });
    else if (op.kind === 'pool') pools.push({ column, name, pool: op.pool });
    else if (op.kind === 'skip') skipColumn = column;
  });
  return { convs, pools, skipColumn };
}

/** Largest footprint computed in the small window; larger ones get their own. */
const SMALL_WINDOW = 5;

/** Conv candidates by window: small footprints, then large; separable first in each. */
function windowsOf(convs: readonly ConvColumn[]) {
  const classes = [
    convs.filter((c) => span(c) <= SMALL_WINDOW),
    convs.filter((c) => span(c) > SMALL_WINDOW),
  ];
  return classes
    .filter((list) => list.length > 0)
    .map((list) => ({
      size: Math.max(...list.map(span)),
      convs: [...list.filter((c) => c.separable), ...list.filter((c) => !c.separable)],
    }));
}

/** Runs of consecutive separable candidates, in blocks of `perConv`. */
function separableRunsOf(convs: readonly ConvColumn[], perConv: number) {
  const runs: { start: number; count: number }[] = [];
  convs.forEach((c, i) => {
    if (!c.separable) return;
    const last = runs[runs.length - 1];
    if (last && last.start + last.count === i * perConv) last.count += perConv;
    else runs.push({ start: i * perConv, count: perConv });
  });
  return runs;
}

/** Every (d, s) pair, s innermost. */
function pairs(dests: number, sources: number): { d: number; s: number }[] {
  const out: { d: number; s: number }[] = [];
  for (let d = 0; d < dests; d++) for (let s = 0; s < sources; s++) out.push({ d, s });
  return out;
}

function groupPlan(spec: CellPlanSpec, sources: readonly number[]): GroupPlan {
  const columns = columnsOf(spec.primitives);
  const { pools, skipColumn } = columns;
  const windows = windowsOf(columns.convs);
  const convs = windows.flatMap((w) => w.convs);
  const first = Math.max(...sources);
  const dests: number[] = [];
  for (let node = Math.max(0, first - 1); node < spec.steps; node++) dests.push(node);
  const edges = dests.map((node) => sources.map((from) => edgeIndex(spec.steps, node, from)));
  const stride = spec.reduction && first < 2 ? 2 : 1;
  const seps = convs.filter((c) => c.separable);
  const ds = pairs(dests.length, sources.length);
  const edgeOf = ({ d, s }: { d: number; s: number }) => edges[d]?.[s] as number;
  const name = (ps: { d: number; s: number }, op: OpName, local: string) =>
    `${spec.prefix}.edges.${edgeOf(ps)}.${op}.${local}`;
  const perBlock = <T, R>(list: readonly T[], f: (item: T, ps: { d: number; s: number }) => R) =>
    list.flatMap((item) => ds.map((ps) => f(item, ps)));
  const reducingSkip = skipColumn !== null && stride === 2;
  const feed = (column: number) => (ps: { d: number; s: number }) => ({
    dest: ps.d,
    edge: edgeOf(ps),
    column,
  });
  const sourceIndices = sources.map((_, s) => s);
  /** For each source s, its feeds to every destination. */
  const toAllDests = (column: number) =>
    sourceIndices.map((s) => ({ feeds: dests.map((_, d) => feed(column)({ d, s })) }));
  return {
    sources,
    stride,
    dests,
    edges,
    windows,
    convs,
    separableRuns: separableRunsOf(convs, dests.length * sources.length),
    window2: Math.max(0, ...seps.map(span)),
    pools,
    skipColumn,
    reducingSkip,
    bn1: perBlock(convs, (c, ps) => name(ps, c.name, c.separable ? 'bn1' : 'bn')),
    bn2: (training) => [
      ...perBlock(seps, (c, ps) => [name(ps, c.name, 'bn2')]),
      ...pools.flatMap((p): string[][] =>
        training
          ? sourceIndices.map((s) => dests.map((_, d) => name({ d, s }, p.name, 'bn')))
          : ds.map((ps) => [name(ps, p.name, 'bn')]),
      ),
      ...(reducingSkip ? ds.map((ps) => [name(ps, 'skip_connect', 'bn')]) : []),
    ],
    pointwise1: perBlock(convs, (c, ps) => name(ps, c.name, c.separable ? 'pw1' : 'pw')),
    pointwise2: perBlock(seps, (c, ps) => name(ps, c.name, 'pw2')),
    mixing: (training) => {
      const one = (column: number) => (ps: { d: number; s: number }) => ({
        feeds: [feed(column)(ps)],
      });
      return [
        // First-stage outputs: the separable ones are intermediate (weight zero).
        ...convs.flatMap((c) => ds.map((ps) => (c.separable ? { feeds: [] } : one(c.column)(ps)))),
        ...seps.flatMap((c) => ds.map(one(c.column))),
        ...pools.flatMap((p) => (training ? toAllDests(p.column) : ds.map(one(p.column)))),
        ...(reducingSkip && skipColumn !== null ? ds.map(one(skipColumn)) : []),
        ...(!reducingSkip && skipColumn !== null ? toAllDests(skipColumn) : []),
      ];
    },
  };
}

/** The groups of a cell: s0 and s1 together, then nodes 0 … steps − 2 (read by later nodes). */
export function cellGroups(spec: CellPlanSpec): GroupPlan[] {
  return [
    groupPlan(spec, [0, 1]),
    ...Array.from({ length: spec.steps - 1 }, (_, i) => groupPlan(spec, [i + 2])),
  ];
}

/** Indices of a {@link gatherOnce} and their inverse. */
export interface GatherPlan {
  readonly indices: Int32Array;
  readonly inverse: Int32Array;
}

/**
 * Index map of the mixing matrices of all groups, flattened and concatenated: entry
 * (group, destination, block) is the index of softmax(α)[edge, column] in the flat softmax
 * [edges · ops], or `edges · ops` (zero) where the block does not feed the destination.
 */
export function mixingIndices(
  groups: readonly GroupPlan[],
  opCount: number,
  edgeTotal: number,
  training: boolean,
): GatherPlan & { shapes: [number, number][] } {
  const zero = edgeTotal * opCount;
  const shapes: [number, number][] = [];
  const out: number[] = [];
  for (const g of groups) {
    const blocks = g.mixing(training);
    shapes.push([g.dests.length, blocks.length]);
    g.dests.forEach((_, d) => {
      for (const block of blocks) {
        const f = block.feeds.find((x) => x.dest === d);
        out.push(f ? f.edge * opCount + f.column : zero);
      }
    });
  }
  const indices = Int32Array.from(out);
  return { indices, inverse: inverseIndices(indices, zero), shapes };
}
