/**
 * The derived genotype's cost beside it (src/ui/CellCost.tsx): DARTS's figures at the paper's
 * C 36, 20 cells, named on the page, following the genotype as it changes, nothing for what is
 * not a convolutional genotype, and the reason where the network cannot be built.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Genotype } from '../../src/nas/genotype/genotype';
import { DARTS_CIFAR_NETWORK } from '../../src/nas/genotype/genotypeCost';
import { genotypeToJson } from '../../src/nas/genotype/genotype';
import { DARTS_V1, DARTS_V2 } from '../../src/nas/genotype/publishedGenotypes';
import { rnnGenotypeToJson } from '../../src/nas/rnn/genotype/rnnGenotype';
import { RNN_DARTS_V2 } from '../../src/nas/rnn/genotype/rnnPublishedGenotypes';
import { CellCost } from '../../src/ui/CellCost';
import { newTrace, traceReport } from '../../src/ui/runTrace';
import { SearchResults } from '../../src/ui/SearchResults';

const render = (genotype: unknown, network?: Parameters<typeof CellCost>[0]['network']) =>
  renderToStaticMarkup(createElement(CellCost, { genotype, ...(network ? { network } : {}) }));

/** The text of the element with `testId`. */
function textOf(html: string, testId: string): string | undefined {
  const match = new RegExp(`data-testid="${testId}"[^>]*>([^<]*)<`).exec(html);
  return match?.[1];
}

describe('the cost beside the derived genotype', () => {
  it("shows DARTS_V2's parameters and multiply-adds and the sizes they assume", () => {
    const html = render(genotypeToJson(DARTS_V2));
    expect(textOf(html, 'cell-cost-params')).toBe('3.35M parameters');
    expect(textOf(html, 'cell-cost-mult-adds')).toBe('528M multiply-adds');
    expect(html).toContain(
      'as DARTS retrains it for CIFAR-10: C 36, 20 cells, 32×32×3 images, 10 classes, auxiliary head',
    );
    expect(html).toContain('3.83M with it');
  });

  it('changes when the genotype changes', () => {
    const lighter: Genotype = {
      ...DARTS_V2,
      normal: DARTS_V2.normal.map(([op, input]) => [
        op === 'sep_conv_3x3' ? 'max_pool_3x3' : op,
        input,
      ]),
    };
    expect(textOf(render(genotypeToJson(DARTS_V1)), 'cell-cost-params')).toBe('3.17M parameters');
    // Five SepConvs fewer in each of the 18 normal cells: 3,349,342 − 30 · (3,384 + 11,952 +
    // 44,640) parameters, 528,359,040 − 30 · 9,123,840 multiply-adds.
    expect(textOf(render(genotypeToJson(lighter)), 'cell-cost-params')).toBe('1.55M parameters');
    expect(textOf(render(genotypeToJson(lighter)), 'cell-cost-mult-adds')).toBe(
      '255M multiply-adds',
    );
  });

  it('draws nothing for a recurrent genotype or none, and says why a network cannot be built', () => {
    expect(render(rnnGenotypeToJson(RNN_DARTS_V2))).toBe('');
    expect(render(null)).toBe('');
    const odd = render(genotypeToJson(DARTS_V2), { ...DARTS_CIFAR_NETWORK, imageSize: 34 });
    expect(odd).toMatch(/class="problem".*No cost at C 36, .*odd 17-pixel feature map/);
  });

  it("sits under a convolutional search's genotype, not a recurrent one's", () => {
    const step = {
      type: 'step' as const,
      step: 1,
      epoch: 0,
      totalSteps: 8,
      elapsedMs: 1,
      throughput: 1,
      metrics: {},
      genotype: genotypeToJson(DARTS_V2),
    };
    const results = (space: 'cnn' | 'rnn') =>
      renderToStaticMarkup(
        createElement(SearchResults, {
          space,
          trace: traceReport(newTrace(space === 'cnn' ? 'darts' : 'rnn-search', 0), step),
          smoothing: 0,
          onSmoothingChange: () => {},
        }),
      );
    const html = results('cnn');
    expect(html.indexOf('data-testid="cell-cost"')).toBeGreaterThan(
      html.indexOf('data-testid="genotype-json"'),
    );
    expect(results('rnn')).not.toContain('cell-cost');
  });
});
