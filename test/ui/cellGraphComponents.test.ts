import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Gene } from '../../src/nas/genotype/genotype';
import { CellGraph, markerIdPrefix } from '../../src/ui/cellGraph/CellGraph';
import { cellLayout } from '../../src/ui/cellGraph/cellLayout';
import { OpLegend } from '../../src/ui/cellGraph/OpLegend';
import { OP_COLORS } from '../../src/ui/opColors';

const GENES: Gene[] = [
  ['sep_conv_3x3', 0],
  ['sep_conv_3x3', 1],
  ['skip_connect', 0],
  ['dil_conv_3x3', 2],
];

// Server rendering only: the d3 drawing runs in an effect, in the browser.
describe('CellGraph (server-rendered shell)', () => {
  it('renders an accessible svg sized to the layout', () => {
    const html = renderToStaticMarkup(
      createElement(CellGraph, {
        title: 'Normal <cell>',
        genes: GENES,
        concat: [2, 3],
        testId: 'n',
      }),
    );
    const { width, height } = cellLayout(GENES, [2, 3]);
    expect(html).toMatch(/^<svg [^>]*\/?>(<\/svg>)?$/);
    expect(html).toContain('role="img"');
    expect(html).toContain('aria-label="Normal &lt;cell&gt;"');
    expect(html).toContain('data-testid="n"');
    expect(html).toContain(`viewBox="0 0 ${width} ${height}"`);
  });

  it('makes marker ids from useId safe for url(#…) references', () => {
    expect(markerIdPrefix('_r_1_')).toBe('cell-_r_1_');
    expect(markerIdPrefix('«r1»')).toBe('cell-_r1_');
    expect(markerIdPrefix(':R2a:')).toMatch(/^cell-[A-Za-z0-9_-]+$/);
  });
});

describe('OpLegend', () => {
  it('lists every op with its colour by default', () => {
    const html = renderToStaticMarkup(createElement(OpLegend));
    expect(html).toContain('data-testid="op-legend"');
    for (const [op, color] of Object.entries(OP_COLORS)) {
      expect(html).toContain(`data-op="${op}"`);
      expect(html).toContain(color);
    }
  });

  it('lists only the ops asked for, plus the output edge on request', () => {
    const html = renderToStaticMarkup(
      createElement(OpLegend, { ops: ['skip_connect', 'sep_conv_3x3'], showOutputEdge: true }),
    );
    expect(html.match(/<li/g)).toHaveLength(3);
    expect(html.indexOf('skip_connect')).toBeLessThan(html.indexOf('sep_conv_3x3'));
    expect(html).toContain('into c_{k}');
  });
});
