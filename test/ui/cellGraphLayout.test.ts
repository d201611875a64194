import { describe, expect, it } from 'vitest';
import type { Gene } from '../../src/nas/genotype/genotype';
import type { OpName } from '../../src/nas/ops/primitives';
import { DARTS_V1, DARTS_V2, NASNET } from '../../src/nas/genotype/publishedGenotypes';
import type { CellLayout } from '../../src/ui/cellGraph/cellLayout';
import {
  cellLayout,
  defaultCellSize,
  OUTPUT_EDGE_COLOR,
  stateId,
} from '../../src/ui/cellGraph/cellLayout';
import { OP_COLORS } from '../../src/ui/opColors';

/** Normal cells of DARTS_V2, DARTS_V1 (same node count, other edges) and NASNet (5 nodes, some
 * nodes read one state twice), from `cnn/genotypes.py`. */
const DARTS_V2_NORMAL: Gene[] = [...DARTS_V2.normal];
const DARTS_V2_CONCAT = [...DARTS_V2.normalConcat];
const DARTS_V1_NORMAL: Gene[] = [...DARTS_V1.normal];
const NASNET_NORMAL: Gene[] = [...NASNET.normal];
const NASNET_CONCAT = [2, 3, 4, 5, 6];

const positions = (layout: CellLayout) => layout.nodes.map(({ id, x, y }) => ({ id, x, y }));
const labelled = (layout: CellLayout) => layout.edges.filter((e) => e.op !== null);
const unlabelled = (layout: CellLayout) => layout.edges.filter((e) => e.op === null);

describe('cellLayout', () => {
  it("lays out DARTS_V2's normal cell like cnn/visualize.py", () => {
    const layout = cellLayout(DARTS_V2_NORMAL, DARTS_V2_CONCAT);

    expect(layout.nodes.map((n) => [n.id, n.kind])).toEqual([
      ['c_{k-2}', 'input'],
      ['c_{k-1}', 'input'],
      ['0', 'intermediate'],
      ['1', 'intermediate'],
      ['2', 'intermediate'],
      ['3', 'intermediate'],
      ['c_{k}', 'output'],
    ]);
    expect(layout.nodes.every((n) => n.label === n.id)).toBe(true);

    expect(labelled(layout).map((e) => [e.from, e.to, e.op])).toEqual([
      ['c_{k-2}', '0', 'sep_conv_3x3'],
      ['c_{k-1}', '0', 'sep_conv_3x3'],
      ['c_{k-2}', '1', 'sep_conv_3x3'],
      ['c_{k-1}', '1', 'sep_conv_3x3'],
      ['c_{k-1}', '2', 'sep_conv_3x3'],
      ['c_{k-2}', '2', 'skip_connect'],
      ['c_{k-2}', '3', 'skip_connect'],
      ['0', '3', 'dil_conv_3x3'],
    ]);
    for (const e of labelled(layout)) {
      expect(e.color).toBe(OP_COLORS[e.op as OpName]);
    }

    const outs = unlabelled(layout);
    expect(outs.map((e) => [e.from, e.to])).toEqual([
      ['0', 'c_{k}'],
      ['1', 'c_{k}'],
      ['2', 'c_{k}'],
      ['3', 'c_{k}'],
    ]);
    expect(outs.every((e) => e.color === OUTPUT_EDGE_COLOR)).toBe(true);

    // Unique ids, well-formed paths with the label anchor in the middle.
    expect(new Set(layout.edges.map((e) => e.id)).size).toBe(layout.edges.length);
    for (const e of layout.edges) {
      expect(e.path).toMatch(
        /^M[-\d.]+,[-\d.]+ Q[-\d.]+,[-\d.]+ [-\d.]+,[-\d.]+ Q[-\d.]+,[-\d.]+ [-\d.]+,[-\d.]+$/,
      );
      const [, , , , mx, my] = pathNumbers(e.path);
      expect(mx).toBeCloseTo(e.labelX, 0);
      expect(my).toBeCloseTo(e.labelY, 0);
    }
  });

  it('places inputs left, nodes 0..N-1 left to right with alternating offsets, output right', () => {
    const layout = cellLayout(DARTS_V2_NORMAL, DARTS_V2_CONCAT);
    const byId = new Map(layout.nodes.map((n) => [n.id, n]));
    const get = (id: string) => byId.get(id)!;
    expect(get('c_{k-2}').x).toBe(get('c_{k-1}').x);
    expect(get('c_{k-2}').y).toBeLessThan(get('c_{k-1}').y);
    const xs = ['c_{k-2}', '0', '1', '2', '3', 'c_{k}'].map((id) => get(id).x);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
    expect(new Set(xs).size).toBe(xs.length);
    expect(get('0').y).toBeLessThan(get('1').y);
    expect(get('1').y).toBeGreaterThan(get('2').y);
    expect(get('2').y).toBeLessThan(get('3').y);
    expect(get('0').y).toBe(get('2').y);
    expect(get('1').y).toBe(get('3').y);
    expect(get('c_{k}').y).toBe(layout.height / 2);
    for (const n of layout.nodes) {
      expect(n.x - layout.nodeWidth / 2).toBeGreaterThanOrEqual(0);
      expect(n.x + layout.nodeWidth / 2).toBeLessThanOrEqual(layout.width);
    }
  });

  it('keeps node positions fixed for two genotypes with the same node count', () => {
    const a = cellLayout(DARTS_V2_NORMAL, DARTS_V2_CONCAT);
    const b = cellLayout(DARTS_V1_NORMAL, [2, 3, 4, 5]);
    const c = cellLayout(DARTS_V2_NORMAL, [4, 5]);
    expect(positions(b)).toEqual(positions(a));
    expect(positions(c)).toEqual(positions(a));
    expect([b.width, b.height]).toEqual([a.width, a.height]);
    expect(defaultCellSize(4)).toEqual({ width: a.width, height: a.height });

    // With an explicit size too.
    const size = { width: 900, height: 320 };
    expect(positions(cellLayout(DARTS_V1_NORMAL, [2, 3, 4, 5], size))).toEqual(
      positions(cellLayout(DARTS_V2_NORMAL, DARTS_V2_CONCAT, size)),
    );
    expect(cellLayout(DARTS_V2_NORMAL, DARTS_V2_CONCAT, size)).toMatchObject(size);
  });

  it('gives edges ids that are stable for the same (from, to, slot)', () => {
    const a = cellLayout(DARTS_V2_NORMAL, DARTS_V2_CONCAT);
    expect(a.edges.map((e) => e.id)).toEqual([
      'c_{k-2}->0#0',
      'c_{k-1}->0#0',
      'c_{k-2}->1#0',
      'c_{k-1}->1#0',
      'c_{k-1}->2#0',
      'c_{k-2}->2#0',
      'c_{k-2}->3#0',
      '0->3#0',
      '0->c_{k}#0',
      '1->c_{k}#0',
      '2->c_{k}#0',
      '3->c_{k}#0',
    ]);
    // Same call twice: identical.
    expect(cellLayout(DARTS_V2_NORMAL, DARTS_V2_CONCAT)).toEqual(a);

    // Changing one op keeps every id; only that edge's op/colour change, not its geometry.
    const changed = DARTS_V2_NORMAL.map((g, i): Gene => (i === 7 ? ['sep_conv_5x5', 2] : g));
    const b = cellLayout(changed, DARTS_V2_CONCAT);
    expect(b.edges.map((e) => e.id)).toEqual(a.edges.map((e) => e.id));
    const before = a.edges.find((e) => e.id === '0->3#0')!;
    const after = b.edges.find((e) => e.id === '0->3#0')!;
    expect(after.op).toBe('sep_conv_5x5');
    expect(after.color).toBe(OP_COLORS.sep_conv_5x5);
    expect(after.path).toBe(before.path);

    // Swapping a node's two genes (DARTS orders them strongest first) keeps both ids.
    const swapped = [...DARTS_V2_NORMAL];
    [swapped[0], swapped[1]] = [swapped[1]!, swapped[0]!];
    const s = cellLayout(swapped, DARTS_V2_CONCAT);
    expect(new Set(s.edges.map((e) => e.id))).toEqual(new Set(a.edges.map((e) => e.id)));
    for (const e of s.edges) {
      const same = a.edges.find((x) => x.id === e.id)!;
      expect([e.from, e.to, e.op, e.path]).toEqual([same.from, same.to, same.op, same.path]);
    }

    // Rewiring one edge replaces exactly that id.
    const rewired = DARTS_V2_NORMAL.map((g, i): Gene => (i === 7 ? ['dil_conv_3x3', 3] : g));
    const r = cellLayout(rewired, DARTS_V2_CONCAT);
    const ids = new Set(r.edges.map((e) => e.id));
    expect(ids.has('0->3#0')).toBe(false);
    expect(ids.has('1->3#0')).toBe(true);
    expect(r.edges.filter((e) => !a.edges.some((x) => x.id === e.id)).map((e) => e.id)).toEqual([
      '1->3#0',
    ]);
  });

  it('lays out a 5-node NASNet-like cell, with a node reading one state twice', () => {
    const layout = cellLayout(NASNET_NORMAL, NASNET_CONCAT);
    expect(layout.nodes.map((n) => n.id)).toEqual([
      'c_{k-2}',
      'c_{k-1}',
      '0',
      '1',
      '2',
      '3',
      '4',
      'c_{k}',
    ]);
    expect(labelled(layout)).toHaveLength(10);
    expect(unlabelled(layout).map((e) => e.from)).toEqual(['0', '1', '2', '3', '4']);
    expect(new Set(layout.edges.map((e) => e.id)).size).toBe(layout.edges.length);
    expect(labelled(layout).map((e) => e.id)).toEqual([
      'c_{k-1}->0#0',
      'c_{k-2}->0#0',
      'c_{k-2}->1#0',
      'c_{k-2}->1#1',
      'c_{k-1}->2#0',
      'c_{k-2}->2#0',
      'c_{k-2}->3#0',
      'c_{k-2}->3#1',
      'c_{k-1}->4#0',
      'c_{k-1}->4#1',
    ]);
    // The two edges of a duplicated pair are drawn apart, labels included.
    for (const [from, to] of [
      ['c_{k-2}', '1'],
      ['c_{k-2}', '3'],
      ['c_{k-1}', '4'],
    ]) {
      const dup = labelled(layout).filter((e) => e.from === from && e.to === to);
      expect(dup.map((e) => e.id)).toEqual([`${from}->${to}#0`, `${from}->${to}#1`]);
      expect(dup[0]!.path).not.toBe(dup[1]!.path);
      expect(Math.abs(dup[0]!.labelY - dup[1]!.labelY)).toBeGreaterThanOrEqual(10);
    }
    expect(layout.width).toBeGreaterThan(cellLayout(DARTS_V2_NORMAL, DARTS_V2_CONCAT).width);
  });

  it('draws every possible edge clear of the nodes it skips and inside the picture', () => {
    for (let steps = 1; steps <= 7; steps++) {
      for (const size of [undefined, { width: 1000, height: 360 }]) {
        const concat = Array.from({ length: steps + 2 }, (_, i) => i);
        // Genotype j: node i reads state min(j, i+1) twice (covers every (from, to) pair and the
        // duplicate drawing), plus one genotype per j with two different inputs.
        for (let j = 0; j <= steps; j++) {
          for (const twice of [true, false]) {
            const genes: Gene[] = [];
            for (let i = 0; i < steps; i++) {
              const a = Math.min(j, i + 1);
              const b = twice ? a : (a + 1) % (i + 2);
              genes.push(['sep_conv_3x3', a], ['max_pool_3x3', b]);
            }
            checkClear(cellLayout(genes, concat, size), `steps=${steps} j=${j} twice=${twice}`);
          }
        }
      }
    }
  });

  it('rejects bad input with a clear message', () => {
    expect(() => cellLayout([], [2])).toThrow(/even, non-zero count.*got 0/);
    expect(() => cellLayout(DARTS_V2_NORMAL.slice(0, 3), [2])).toThrow(
      /two genes per intermediate node.*got 3/,
    );
    expect(() =>
      cellLayout(
        [
          ['sep_conv_3x3', 0],
          ['sep_conv_3x3', 2],
        ],
        [2],
      ),
    ).toThrow(/gene 1 \(node 0\) reads input 2; it must be an integer from 0 to 1/);
    expect(() =>
      cellLayout(
        [
          ['sep_conv_3x3', 0],
          ['sep_conv_3x3', -1],
        ],
        [2],
      ),
    ).toThrow(/reads input -1/);
    expect(() => cellLayout(DARTS_V2_NORMAL, [])).toThrow(/concat must list at least one state/);
    expect(() => cellLayout(DARTS_V2_NORMAL, [2, 6])).toThrow(
      /concat entry 6 is not a state index from 0 to 5/,
    );
    expect(() => cellLayout(DARTS_V2_NORMAL, [2, 2])).toThrow(/concat lists state 2 twice/);
    expect(() => cellLayout(DARTS_V2_NORMAL, [2], { width: 0 })).toThrow(/must be positive/);
  });

  it('names states like the reference', () => {
    expect([0, 1, 2, 5].map(stateId)).toEqual(['c_{k-2}', 'c_{k-1}', '0', '3']);
  });
});

function pathNumbers(path: string): number[] {
  return (path.match(/-?\d+(\.\d+)?/g) ?? []).map(Number);
}

/**
 * Samples each edge's two quadratics and checks them against every node it does not touch and
 * against the picture's bounds (problems are collected, not asserted per sample, which is slow).
 */
function checkClear(layout: CellLayout, what: string): void {
  const pad = 3;
  const halfW = layout.nodeWidth / 2 + pad;
  const halfH = layout.nodeHeight / 2 + pad;
  const problems: string[] = [];
  const quad = (a: number, c: number, b: number, t: number) =>
    (1 - t) * (1 - t) * a + 2 * (1 - t) * t * c + t * t * b;
  for (const e of layout.edges) {
    const [x0, y0, cx1, cy1, mx, my, cx2, cy2, x3, y3] = pathNumbers(e.path) as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const others = layout.nodes.filter((n) => n.id !== e.from && n.id !== e.to);
    for (let k = 0; k <= 40; k++) {
      const t = k / 40;
      for (const [x, y] of [
        [quad(x0, cx1, mx, t), quad(y0, cy1, my, t)],
        [quad(mx, cx2, x3, t), quad(my, cy2, y3, t)],
      ] as const) {
        const where = `${what}: edge ${e.id} at (${x.toFixed(1)}, ${y.toFixed(1)})`;
        if (x < 0 || x > layout.width || y < 0 || y > layout.height) {
          problems.push(`${where} is outside the picture`);
        }
        for (const n of others) {
          if (Math.abs(x - n.x) < halfW && Math.abs(y - n.y) < halfH) {
            problems.push(`${where} crosses node ${n.id}`);
          }
        }
      }
    }
    if (e.labelY < 6 || e.labelY > layout.height - 6) {
      problems.push(`${what}: label of ${e.id} at y=${e.labelY} is cut off`);
    }
  }
  expect(problems.slice(0, 5)).toEqual([]);
}
