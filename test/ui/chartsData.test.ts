import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { alphaRows, winningOp } from '../../src/ui/charts/alphaData';
import { AlphaSmallMultiples, stackedBands } from '../../src/ui/charts/AlphaSmallMultiples';
import { edgeLabels } from '../../src/ui/charts/edgeLabels';
import { metricRows, niceTicks, rowExtent } from '../../src/ui/charts/metricData';
import { MetricChart } from '../../src/ui/charts/MetricChart';
import { SmoothingSlider } from '../../src/ui/charts/SmoothingSlider';
import { DARTS_PRIMITIVES } from '../../src/nas/ops/primitives';

describe('edgeLabels', () => {
  it('labels the DARTS edge order of a 4-node cell', () => {
    const labels = edgeLabels(4);
    expect(labels).toHaveLength(14);
    expect(labels.slice(0, 5)).toEqual([
      'node 0 ← c_{k-2}',
      'node 0 ← c_{k-1}',
      'node 1 ← c_{k-2}',
      'node 1 ← c_{k-1}',
      'node 1 ← node 0',
    ]);
    expect(labels[13]).toBe('node 3 ← node 2');
    expect(labels).toContain('node 2 ← c_{k-1}');
    expect(labels).toContain('node 3 ← node 1');
  });
});

describe('winningOp', () => {
  const primitives = ['none', 'max_pool_3x3', 'sep_conv_3x3'];

  it('picks the largest non-none probability', () => {
    expect(winningOp([0.7, 0.1, 0.2], primitives)).toEqual({
      op: 'sep_conv_3x3',
      index: 2,
      probability: 0.2,
    });
  });

  it('is null without data or with only none', () => {
    expect(winningOp(undefined, primitives)).toBeNull();
    expect(winningOp([], primitives)).toBeNull();
    expect(winningOp([1], ['none'])).toBeNull();
  });

  it('skips non-finite probabilities', () => {
    expect(winningOp([0, NaN, 0.3], primitives)?.op).toBe('sep_conv_3x3');
  });
});

describe('alphaRows', () => {
  it('gives one row per snapshot with op{k} columns, 0 for missing entries', () => {
    const history = [
      { step: 1, softmax: [[0.5, 0.5]] },
      { step: 2, softmax: [[0.25, 0.75]] },
    ];
    expect(alphaRows(history, 0, 2)).toEqual([
      { step: 1, op0: 0.5, op1: 0.5 },
      { step: 2, op0: 0.25, op1: 0.75 },
    ]);
    expect(alphaRows(history, 3, 2)).toEqual([
      { step: 1, op0: 0, op1: 0 },
      { step: 2, op0: 0, op1: 0 },
    ]);
  });
});

describe('stackedBands', () => {
  /** The numbers of an SVG path, as [x, y] pairs. */
  const coords = (d: string) => {
    const n = (d.match(/-?\d+(\.\d+)?(e-?\d+)?/g) ?? []).map(Number);
    return Array.from({ length: n.length / 2 }, (_, i) => [n[2 * i]!, n[2 * i + 1]!] as const);
  };

  it('draws one band per op, stacked to the full height at every step', () => {
    const rows = alphaRows(
      [
        { step: 0, softmax: [[0.5, 0.25, 0.25]] },
        { step: 10, softmax: [[0.2, 0.2, 0.6]] },
      ],
      0,
      3,
    );
    const bands = stackedBands(rows, 3);
    expect(bands).toHaveLength(3);
    const all = bands.flatMap(coords);
    expect(Math.min(...all.map(([x]) => x))).toBeCloseTo(0, 9);
    expect(Math.max(...all.map(([x]) => x))).toBeCloseTo(120, 9);
    expect(Math.min(...all.map(([, y]) => y))).toBeCloseTo(0, 9);
    expect(Math.max(...all.map(([, y]) => y))).toBeCloseTo(60, 9);
    // The first op's band spans y from 60 (share 0) to 60·(1 − 0.5) = 30 at step 0.
    expect(coords(bands[0]!)).toContainEqual([0, 30]);
  });

  it('spans the width with a single snapshot and draws nothing without one', () => {
    const one = stackedBands(alphaRows([{ step: 5, softmax: [[1, 0]] }], 0, 2), 2);
    expect(coords(one[0]!).map(([x]) => x)).toContain(120);
    expect(stackedBands([], 2)).toEqual([]);
  });
});

describe('metricRows', () => {
  it('merges series by step, smoothing each at full resolution', () => {
    const rows = metricRows(
      [
        {
          name: 'train',
          color: '#000',
          points: [
            { step: 1, value: 1 },
            { step: 2, value: 2 },
            { step: 3, value: 3 },
          ],
        },
        { name: 'val', color: '#f00', points: [{ step: 2, value: 5 }] },
      ],
      0.6,
      1000,
    );
    expect(rows.map((r) => r.step)).toEqual([1, 2, 3]);
    expect(rows[1]).toMatchObject({ raw0: 2, raw1: 5, smooth1: 5 });
    expect(rows[1]!.smooth0).toBeCloseTo(1.625, 12);
    expect(rows[0]).not.toHaveProperty('raw1');
  });

  it('thins each series after smoothing', () => {
    const points = Array.from({ length: 5000 }, (_, i) => ({ step: i, value: i % 2 }));
    const rows = metricRows([{ name: 'loss', color: '#000', points }], 0.9, 100);
    expect(rows.length).toBeLessThanOrEqual(100);
    expect(rows[rows.length - 1]!.step).toBe(4999);
    // Smoothed on all 5000 points: the alternating 0/1 averages to about 0.5.
    expect(rows[rows.length - 1]!.smooth0).toBeCloseTo(0.5, 1);
  });
});

describe('chart components (server render)', () => {
  it('MetricChart exposes its test id and point count', () => {
    const html = renderToStaticMarkup(
      createElement(MetricChart, {
        title: 'Loss',
        testId: 'chart-loss',
        smoothing: 0.6,
        series: [
          {
            name: 'train',
            color: '#d62728',
            points: [
              { step: 1, value: 2.3 },
              { step: 2, value: 2.1 },
            ],
          },
        ],
      }),
    );
    expect(html).toContain('data-testid="chart-loss"');
    expect(html).toContain('data-points="2"');
    expect(html).toContain('Loss');
  });

  it('AlphaSmallMultiples draws one chart per edge with the winning op', () => {
    const primitives = DARTS_PRIMITIVES;
    const softmax = Array.from({ length: 5 }, (_, e) =>
      primitives.map((_, k) => (k === 0 ? 0.3 : k === 1 + (e % 7) ? 0.4 : 0.3 / 6)),
    );
    const html = renderToStaticMarkup(
      createElement(AlphaSmallMultiples, {
        title: 'Normal cell',
        primitives,
        steps: 2,
        testId: 'alpha-normal',
        history: [{ step: 1, softmax }],
      }),
    );
    expect(html).toContain('data-testid="alpha-normal"');
    for (let e = 0; e < 5; e++) expect(html).toContain(`data-edge="${e}"`);
    expect(html).not.toContain('data-edge="5"');
    expect(html).toContain('node 1 ← node 0');
    expect(html).toContain('max_pool_3x3 40%');
    // One band per op on every edge.
    expect(html.match(/<path /g)).toHaveLength(5 * primitives.length);
  });

  it('SmoothingSlider is a labelled range 0–0.99', () => {
    const html = renderToStaticMarkup(
      createElement(SmoothingSlider, { value: 0.6, onChange: () => undefined }),
    );
    expect(html).toContain('aria-label="Smoothing"');
    expect(html).toContain('type="range"');
    expect(html).toContain('max="0.99"');
    expect(html).toContain('0.60');
  });
});

describe('niceTicks', () => {
  it('covers the data with a nice domain and round ticks inside it', () => {
    const t = niceTicks(0.137, 2.41, 5);
    expect(t.domain).toEqual([0, 2.5]);
    expect(t.ticks).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
  });
  it('widens a single value and survives an empty extent', () => {
    expect(niceTicks(3, 3, 4).domain[0]).toBeLessThan(3);
    expect(niceTicks(3, 3, 4).domain[1]).toBeGreaterThan(3);
    expect(niceTicks(Infinity, -Infinity, 4)).toEqual({ domain: [0, 1], ticks: [0, 1] });
  });
  it('rowExtent skips rows without the key', () => {
    expect(rowExtent([{ step: 1, raw0: 4 }, { step: 2 }, { step: 3, raw0: -1 }], ['raw0'])).toEqual(
      [-1, 4],
    );
  });
});
