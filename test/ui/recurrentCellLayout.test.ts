import { describe, expect, it } from 'vitest';
import {
  RNN_DARTS_V1,
  RNN_DARTS_V2,
  RNN_ENAS,
} from '../../src/nas/rnn/genotype/rnnPublishedGenotypes';
import { OUTPUT_EDGE_COLOR } from '../../src/ui/cellGraph/cellLayout';
import type { RecurrentGeneInput } from '../../src/ui/cellGraph/recurrentCellLayout';
import {
  defaultRecurrentCellSize,
  recurrentCellLayout,
} from '../../src/ui/cellGraph/recurrentCellLayout';
import { opColor, RNN_OP_COLORS } from '../../src/ui/opColors';

const V2 = RNN_DARTS_V2.recurrent;
const CONCAT = RNN_DARTS_V2.concat;

const pathNumbers = (path: string): number[] => (path.match(/-?\d+(\.\d+)?/g) ?? []).map(Number);

describe('recurrentCellLayout', () => {
  it("lays out DARTS_V2's recurrent cell as rnn/visualize.py: x_t, h_{t-1} → 0, genes, nodes → h_t", () => {
    const layout = recurrentCellLayout(V2, CONCAT);
    expect(layout.nodes.map((n) => [n.id, n.kind])).toEqual([
      ['x_{t}', 'input'],
      ['h_{t-1}', 'input'],
      ...Array.from({ length: 9 }, (_, i) => [String(i), 'intermediate']),
      ['h_{t}', 'output'],
    ]);
    const labelled = layout.edges.filter((e) => e.op !== null);
    // rnn/genotypes.py DARTS_V2: gene i = (op, j) is the edge j → i+1, labelled op.
    expect(labelled.map((e) => [e.from, e.to, e.op])).toEqual([
      ['0', '1', 'sigmoid'],
      ['1', '2', 'relu'],
      ['1', '3', 'relu'],
      ['1', '4', 'identity'],
      ['2', '5', 'tanh'],
      ['5', '6', 'sigmoid'],
      ['3', '7', 'tanh'],
      ['5', '8', 'relu'],
    ]);
    for (const e of labelled) expect(e.color).toBe(RNN_OP_COLORS[e.op as 'tanh']);
    const unlabelled = layout.edges.filter((e) => e.op === null);
    expect(unlabelled.map((e) => [e.from, e.to])).toEqual([
      ['x_{t}', '0'],
      ['h_{t-1}', '0'],
      ...CONCAT.map((s) => [String(s), 'h_{t}']),
    ]);
    expect(unlabelled.every((e) => e.color === OUTPUT_EDGE_COLOR)).toBe(true);
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

  it('places inputs left (x_t above h_{t-1}), nodes 0..N left to right on the centre line, h_t right', () => {
    const layout = recurrentCellLayout(V2, CONCAT);
    const at = (id: string) => layout.nodes.find((n) => n.id === id)!;
    expect(at('x_{t}').x).toBe(at('h_{t-1}').x);
    expect(at('x_{t}').y).toBeLessThan(at('h_{t-1}').y);
    const xs = ['x_{t}', '0', '1', '2', '3', '4', '5', '6', '7', '8', 'h_{t}'].map(
      (id) => at(id).x,
    );
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
    expect(new Set(xs).size).toBe(xs.length);
    for (const id of ['0', '4', '8', 'h_{t}']) expect(at(id).y).toBe(layout.height / 2);
    for (const n of layout.nodes) {
      expect(n.x - layout.nodeWidth / 2).toBeGreaterThanOrEqual(0);
      expect(n.x + layout.nodeWidth / 2).toBeLessThanOrEqual(layout.width);
    }
    // Gene labels sit above the node row, inside the picture; concat arcs below it.
    for (const e of layout.edges.filter((x) => x.op !== null)) {
      expect(e.labelY).toBeLessThan(layout.height / 2 - layout.nodeHeight / 2);
      expect(e.labelY).toBeGreaterThan(0);
    }
    for (const e of layout.edges.filter((x) => x.to === 'h_{t}' && x.from !== '8')) {
      expect(e.labelY).toBeGreaterThan(layout.height / 2 + layout.nodeHeight / 2);
      expect(e.labelY).toBeLessThan(layout.height);
    }
  });

  it('raises longer gene arcs higher, so nested arcs do not run into each other', () => {
    const layout = recurrentCellLayout(RNN_DARTS_V1.recurrent, RNN_DARTS_V1.concat);
    const peak = (id: string) => layout.edges.find((e) => e.id === id)!.labelY;
    // DARTS_V1: ('relu', 1) into node 2 (span 1) and ('identity', 1) into node 6 (span 5).
    expect(peak('1->6#0')).toBeLessThan(peak('1->2#0'));
    expect(peak('1->8#0')).toBeLessThan(peak('1->6#0'));
  });

  it('keeps node positions and edge ids fixed as genes change; a rewired gene changes one id', () => {
    const a = recurrentCellLayout(V2, CONCAT);
    const b = recurrentCellLayout(RNN_DARTS_V1.recurrent, RNN_DARTS_V1.concat);
    expect(b.nodes).toEqual(a.nodes);
    expect([a.width, a.height]).toEqual([
      defaultRecurrentCellSize(8).width,
      defaultRecurrentCellSize(8).height,
    ]);
    const relabelled = V2.map((g, i): RecurrentGeneInput => (i === 7 ? ['tanh', 5] : g));
    const c = recurrentCellLayout(relabelled, CONCAT);
    expect(c.edges.map((e) => e.id)).toEqual(a.edges.map((e) => e.id));
    const edge = c.edges.find((e) => e.id === '5->8#0')!;
    expect([edge.op, edge.color]).toEqual(['tanh', opColor('tanh')]);
    expect(edge.path).toBe(a.edges.find((e) => e.id === '5->8#0')!.path);
    const rewired = V2.map((g, i): RecurrentGeneInput => (i === 7 ? ['relu', 0] : g));
    const ids = new Set(recurrentCellLayout(rewired, CONCAT).edges.map((e) => e.id));
    expect(ids.has('5->8#0')).toBe(false);
    expect(ids.has('0->8#0')).toBe(true);
  });

  it("draws ENAS's 11-node cell with its concat of loose ends", () => {
    const layout = recurrentCellLayout(RNN_ENAS.recurrent, RNN_ENAS.concat);
    expect(layout.nodes).toHaveLength(2 + 12 + 1);
    expect(layout.edges.filter((e) => e.to === 'h_{t}').map((e) => e.from)).toEqual(
      RNN_ENAS.concat.map(String),
    );
  });

  it('keeps an op name as given (the drawing sets it as text) and refuses malformed genes', () => {
    const odd = recurrentCellLayout([['<b>x</b>', 0]], [1]);
    expect(odd.edges.find((e) => e.op !== null)?.op).toBe('<b>x</b>');
    expect(() => recurrentCellLayout([], [1])).toThrow(/at least one gene/);
    expect(() => recurrentCellLayout([['tanh', 1]], [1])).toThrow(
      /gene 0 \(node 1\) reads state 1; it must be an integer from 0 to 0/,
    );
    expect(() => recurrentCellLayout([['', 0]], [1])).toThrow(/gene 0 has no op name/);
    expect(() => recurrentCellLayout([['tanh', 0]], [2])).toThrow(/concat entry 2/);
    expect(() => recurrentCellLayout([['tanh', 0]], [1, 1])).toThrow(/concat lists state 1 twice/);
    expect(() => recurrentCellLayout([['tanh', 0]], [1], { width: 0 })).toThrow(/positive/);
  });
});

describe('RecurrentCellGraph (server-rendered shell)', () => {
  it('renders an accessible svg sized to the recurrent layout', async () => {
    const { createElement } = await import('react');
    const { renderToStaticMarkup } = await import('react-dom/server');
    const { RecurrentCellGraph } = await import('../../src/ui/cellGraph/RecurrentCellGraph');
    const html = renderToStaticMarkup(
      createElement(RecurrentCellGraph, {
        title: 'Recurrent <cell>',
        genes: V2,
        concat: CONCAT,
        testId: 'r',
      }),
    );
    const { width, height } = recurrentCellLayout(V2, CONCAT);
    expect(html).toContain('aria-label="Recurrent &lt;cell&gt;"');
    expect(html).toContain('data-testid="r"');
    expect(html).toContain(`viewBox="0 0 ${width} ${height}"`);
  });
});
