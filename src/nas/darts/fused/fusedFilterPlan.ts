/**
 * The filter half of a fused cell's layout (fusedPlan.ts has the groups and the mixing): where
 * every depthwise and FactorizedReduce weight lands in the filters the cell assembles with one
 * gather, per group and first-stage window, as plain index maps (no tensors).
 */
import type { OpName } from '../../ops/primitives';
import { inverseIndices } from './fusedGather';
import type { CellPlanSpec, GatherPlan, GroupPlan } from './fusedPlan';
import { span } from './fusedPlan';

/** A filter the cell assembles from its weights. */
export interface FilterSlot {
  readonly group: number;
  readonly kind: 'depthwise1' | 'depthwise2' | 'reduce1' | 'reduce2';
  /** Which first-stage window (0 for the other kinds). */
  readonly part: number;
  readonly shape: [number, number, number, number];
}

/**
 * The cell's depthwise filters (and FactorizedReduce filters), assembled by one gather from
 * the flat concatenation of its weights: weights of one shape are concatenated along their last
 * axis, flattened, and the shapes put one after the other; index `size` reads zero.
 */
export interface FilterPlan extends GatherPlan {
  /** Weight names by shape [kh, kw, in, out], in concatenation order. */
  readonly sources: readonly {
    readonly shape: readonly [number, number, number, number];
    readonly names: readonly string[];
  }[];
  /** The filters, in the gathered order. */
  readonly filters: readonly FilterSlot[];
}

/** A weight tap: name and position (a, b, in, out) in its [kh, kw, in, out] tensor. */
interface Tap {
  readonly name: string;
  readonly shape: readonly [number, number, number, number];
  readonly at: readonly [number, number, number, number];
}

/** Builds gather indices over weights concatenated by shape (see {@link FilterPlan}). */
class TapIndex {
  private readonly where = new Map<string, { base: number; count: number; position: number }>();
  readonly sources: { shape: readonly [number, number, number, number]; names: string[] }[] = [];
  private size = 0;

  add(name: string, shape: readonly [number, number, number, number]): void {
    if (this.sources.some((s) => s.names.includes(name))) {
      throw new Error(`fused cell: weight "${name}" placed twice`);
    }
    let source = this.sources.find((s) => s.shape.join() === shape.join());
    if (!source) {
      source = { shape, names: [] };
      this.sources.push(source);
    }
    source.names.push(name);
  }

  /** Fixes the layout; call after every add. */
  seal(): number {
    for (const s of this.sources) {
      s.names.forEach((name, position) => {
        this.where.set(name, { base: this.size, count: s.names.length, position });
      });
      this.size += s.shape.reduce((a, b) => a * b, 1) * s.names.length;
    }
    return this.size;
  }

  indexOf(tap: Tap): number {
    const at = this.where.get(tap.name);
    if (!at) throw new Error(`fused cell: no weight "${tap.name}"`);
    const [, kw, ci, co] = tap.shape;
    const [a, b, c, o] = tap.at;
    return at.base + ((a * kw + b) * ci + c) * at.count * co + at.position * co + o;
  }
}

export function filterPlan(spec: CellPlanSpec, groups: readonly GroupPlan[]): FilterPlan {
  const c = spec.c;
  const weight = (edge: number, op: OpName, local: string) =>
    `${spec.prefix}.edges.${edge}.${op}.${local}`;
  const taps = new TapIndex();
  const depthwise = (k: number): [number, number, number, number] => [k, k, c, 1];
  const half = c / 2;
  for (const g of groups) {
    for (const conv of g.convs) {
      for (const row of g.edges) {
        for (const edge of row) {
          taps.add(weight(edge, conv.name, conv.separable ? 'dw1' : 'dw'), depthwise(conv.kernel));
          if (conv.separable) taps.add(weight(edge, conv.name, 'dw2'), depthwise(conv.kernel));
        }
      }
    }
    if (g.reducingSkip) {
      for (const row of g.edges) {
        for (const edge of row) {
          taps.add(weight(edge, 'skip_connect', 'conv1'), [1, 1, c, half]);
          taps.add(weight(edge, 'skip_connect', 'conv2'), [1, 1, c, half]);
        }
      }
    }
  }
  const zero = taps.seal();
  const indices: number[] = [];
  const filters: FilterSlot[] = [];
  /** Depthwise tap of a kernel at window position (A, B) of side K, or null. */
  const tapAt = (kernel: number, dilation: number, K: number, A: number, B: number) => {
    const off = (K - span({ kernel, dilation })) / 2;
    const a = (A - off) / dilation;
    const b = (B - off) / dilation;
    const inside = (v: number) => Number.isInteger(v) && v >= 0 && v < kernel;
    return inside(a) && inside(b) ? ([a, b] as const) : null;
  };
  groups.forEach((g, group) => {
    const S = g.sources.length;
    const stage1 = g.convs.flatMap((conv) =>
      g.edges.flatMap((row) =>
        row.map((edge) => ({
          name: weight(edge, conv.name, conv.separable ? 'dw1' : 'dw'),
          conv,
          edge,
        })),
      ),
    );
    let block = 0;
    g.windows.forEach((win, part) => {
      // [K, K, S·C, J]: input channel (s, ch); multiplier j = (conv, d) — block (j, s).
      const K = win.size;
      const J = win.convs.length * g.dests.length;
      const blocks = stage1.slice(block, block + J * S);
      block += J * S;
      for (let A = 0; A < K; A++) {
        for (let B = 0; B < K; B++) {
          for (let s = 0; s < S; s++) {
            for (let ch = 0; ch < c; ch++) {
              for (let j = 0; j < J; j++) {
                const p = blocks[j * S + s];
                if (!p) throw new Error('fused cell: first-stage block out of range');
                const tap = tapAt(p.conv.kernel, p.conv.dilation, K, A, B);
                indices.push(
                  tap
                    ? taps.indexOf({
                        name: p.name,
                        shape: depthwise(p.conv.kernel),
                        at: [tap[0], tap[1], ch, 0],
                      })
                    : zero,
                );
              }
            }
          }
        }
      }
      filters.push({ group, kind: 'depthwise1', part, shape: [K, K, S * c, J] });
    });
    const stage2 = stage1.filter((p) => p.conv.separable);
    if (stage2.length > 0) {
      // [K2, K2, blocks · C, 1]: channel = block · C + ch.
      const K = g.window2;
      for (let A = 0; A < K; A++) {
        for (let B = 0; B < K; B++) {
          for (const p of stage2) {
            const tap = tapAt(p.conv.kernel, 1, K, A, B);
            for (let ch = 0; ch < c; ch++) {
              indices.push(
                tap
                  ? taps.indexOf({
                      name: weight(p.edge, p.conv.name, 'dw2'),
                      shape: depthwise(p.conv.kernel),
                      at: [tap[0], tap[1], ch, 0],
                    })
                  : zero,
              );
            }
          }
        }
      }
      filters.push({ group, kind: 'depthwise2', part: 0, shape: [K, K, stage2.length * c, 1] });
    }
    if (g.reducingSkip) {
      // [1, 1, S·C, (d, s, C/2)]: block diagonal in s (each edge reads its own state).
      for (const local of ['conv1', 'conv2'] as const) {
        for (let s = 0; s < S; s++) {
          for (let ch = 0; ch < c; ch++) {
            g.edges.forEach((row) => {
              row.forEach((edge, sOut) => {
                for (let o = 0; o < half; o++) {
                  indices.push(
                    sOut === s
                      ? taps.indexOf({
                          name: weight(edge, 'skip_connect', local),
                          shape: [1, 1, c, half],
                          at: [0, 0, ch, o],
                        })
                      : zero,
                  );
                }
              });
            });
          }
        }
        filters.push({
          group,
          kind: local === 'conv1' ? 'reduce1' : 'reduce2',
          part: 0,
          shape: [1, 1, S * c, g.dests.length * S * half],
        });
      }
    }
  });
  const gather = Int32Array.from(indices);
  return {
    sources: taps.sources,
    indices: gather,
    inverse: inverseIndices(gather, zero),
    filters,
  };
}
