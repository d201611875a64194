/**
 * The lab's design pieces that hold logic: the view in the link (old links open the search), the
 * keyboard shortcuts' targets (never while typing), the alpha heatmap's scale, rows, kept op and
 * table, the cells' and charts' text alternatives, and each setting's reachable help.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { DARTS_V2 } from '../../src/nas/genotype/publishedGenotypes';
import { genotypeToJson } from '../../src/nas/genotype/genotype';
import { cellDescription } from '../../src/ui/cellGraph/cellText';
import { AlphaHeatmap, heatStrength, shortOp } from '../../src/ui/charts/AlphaHeatmap';
import { chartSummary } from '../../src/ui/charts/MetricChart';
import { shortcutFor } from '../../src/ui/layout/Shortcuts';
import { readLabView, withLabView } from '../../src/ui/labView';
import { readLabLink, writeLabLink } from '../../src/ui/settings/labSettings';
import { FieldControl } from '../../src/ui/settings/FieldControl';
import { TOY_SCHEMA } from '../support/toyRunKind';

describe('the view in the link', () => {
  it('writes nothing for the search, view=retrain for the retrains, beside the settings', () => {
    expect(withLabView('epochs=40', 'search')).toBe('epochs=40');
    expect(withLabView('epochs=40', 'retrain')).toBe('epochs=40&view=retrain');
    expect(withLabView('', 'retrain')).toBe('view=retrain');
    expect(readLabView('?epochs=40&view=retrain')).toBe('retrain');
    expect(readLabView('epochs=40')).toBe('search');
    expect(readLabView('view=nonsense')).toBe('search');
  });

  it('leaves the search settings of a link with a view as they were', () => {
    const query = withLabView(
      writeLabLink({ kind: 'darts', settings: {}, backend: 'cpu' }),
      'retrain',
    );
    const plain = readLabLink(writeLabLink({ kind: 'darts', settings: {}, backend: 'cpu' }));
    const withView = readLabLink(query);
    expect(withView.ignored).toEqual([]);
    expect(withView.settings).toEqual(plain.settings);
    expect(withView.backend).toBe('cpu');
  });
});

/** A stand-in for the element a key went to: `closest` answers for the selectors it matches. */
const target = (tag: string): Element =>
  ({
    closest: (selector: string) =>
      selector.split(',').some((s) => s.trim().split(/[[.\s]/)[0] === tag) ? {} : null,
  }) as unknown as Element;

describe('the keyboard shortcuts', () => {
  it('pause with Space and step with S, but not while typing; Space leaves buttons alone', () => {
    expect(shortcutFor(' ', null)).toBe('onToggle');
    expect(shortcutFor(' ', target('div'))).toBe('onToggle');
    expect(shortcutFor('s', target('div'))).toBe('onStep');
    expect(shortcutFor('S', null)).toBe('onStep');
    for (const typing of ['input', 'textarea', 'select']) {
      expect(shortcutFor('s', target(typing))).toBeNull();
      expect(shortcutFor(' ', target(typing))).toBeNull();
    }
    expect(shortcutFor(' ', target('button'))).toBeNull();
    expect(shortcutFor('s', target('button'))).toBe('onStep');
    expect(shortcutFor('x', null)).toBeNull();
  });
});

describe('the alpha heatmap', () => {
  it('is full colour at twice the uniform share, faint but visible near zero', () => {
    expect(heatStrength(0.25, 8)).toBe(1);
    expect(heatStrength(0.9, 8)).toBe(1);
    expect(heatStrength(0.125, 8)).toBeCloseTo(0.5);
    expect(heatStrength(0, 8)).toBe(0.04);
    expect(heatStrength(Number.NaN, 8)).toBe(0.04);
    expect(shortOp('sep_conv_3x3')).toBe('sep3');
    expect(shortOp('brand_new_op')).toBe('brand');
  });

  it('draws a row per edge, outlines the kept op (never none) and tables the numbers', () => {
    const html = renderToStaticMarkup(
      createElement(AlphaHeatmap, {
        group: {
          name: 'normal',
          ops: ['none', 'skip_connect', 'sep_conv_3x3'],
          softmax: [
            [0.8, 0.05, 0.15],
            [0.1, 0.6, 0.3],
          ],
        },
        labels: ['node 0 ← c_{k-2}', 'node 0 ← c_{k-1}'],
        title: 'Normal cell',
        step: 7,
        testId: 'alphas-normal',
      }),
    );
    expect(html.match(/<g data-edge=/g)).toHaveLength(2);
    const outlined = [...html.matchAll(/<rect[^>]*stroke="currentColor"[^>]*><title>([^<]+)</g)];
    expect(outlined.map((m) => m[1])).toEqual([
      'node 0 ← c_{k-2}: sep_conv_3x3 15.0%',
      'node 0 ← c_{k-1}: skip_connect 60.0%',
    ]);
    expect(html).toContain('Normal cell as a table');
    expect(html).toContain('aria-label="Normal cell, step 7');
  });
});

describe('the text alternatives', () => {
  it("list a cell's nodes and their inputs", () => {
    const g = genotypeToJson(DARTS_V2);
    expect(cellDescription('Normal cell', g.normal, 'cnn')).toMatch(
      /^Normal cell\. node 0: sep_conv_3x3 from c_\{k-2\}, sep_conv_3x3 from c_\{k-1\}; node 1: /,
    );
    expect(
      cellDescription(
        'Recurrent cell',
        [
          ['relu', 0],
          ['tanh', 1],
        ],
        'rnn',
      ),
    ).toBe('Recurrent cell. node 1: relu from node 0; node 2: tanh from node 1');
    expect(cellDescription('Empty', [], 'cnn')).toBe('Empty');
  });

  it("give a chart's first and latest value per series", () => {
    const series = [
      {
        name: 'train loss',
        color: '#000',
        points: [
          { step: 1, value: 2.302585 },
          { step: 40, value: 1.5 },
        ],
      },
      { name: 'val loss', color: '#000', points: [{ step: 40, value: 1.75 }] },
      { name: 'empty', color: '#000', points: [] },
    ];
    expect(chartSummary('Loss', series)).toBe(
      'Loss. train loss: 2.303 at step 1, 1.500 at step 40; val loss: 1.750 at step 40.',
    );
    expect(chartSummary('Loss', [])).toBe('Loss. no data yet.');
  });
});

describe("a setting's help", () => {
  it('is the control’s description and sits behind an “i”: meaning, official name, defaults', () => {
    const field = TOY_SCHEMA.fields.find((f) => f.key === 'steps');
    if (!field) throw new Error('the toy kind has no steps field');
    const html = renderToStaticMarkup(
      createElement(FieldControl, {
        field,
        schema: TOY_SCHEMA,
        value: 3,
        name: 'toy-steps',
        disabled: false,
        problems: [],
        onChange: () => undefined,
      }),
    );
    expect(html).toContain('aria-describedby="toy-steps-help"');
    expect(html).toMatch(/<summary aria-label="About Steps"[^>]*>i<\/summary>/);
    expect(html).toMatch(
      /id="toy-steps-help"[^>]*><span class="help-line">steps to take\.<\/span>.*Default: small 3 · big 50\./,
    );
  });
});
