/**
 * A search's results as the page draws them, from reports as the built-in kinds write them: a
 * recurrent search's steps (genotypes shared while unchanged, a new search clearing them, gaps
 * in the perplexity chart) and its server-rendered results; a convolutional search resumed from
 * a checkpoint drawn where it stands before it steps, a CDARTS step's evaluation cells, and a
 * genotype that is not a cell left undrawn. The progress line (the page's header's) is rendered
 * beside them from the same trace.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { genotypeToJson } from '../../src/nas/genotype/genotype';
import { DARTS_V1, DARTS_V2 } from '../../src/nas/genotype/publishedGenotypes';
import { rnnGenotypeToJson, stringifyRnnGenotype } from '../../src/nas/rnn/genotype/rnnGenotype';
import { RNN_DARTS_V1, RNN_DARTS_V2 } from '../../src/nas/rnn/genotype/rnnPublishedGenotypes';
import { RNN_PRIMITIVES } from '../../src/nas/rnn/model/rnnPrimitives';
import { RNN_SEARCH_INFO } from '../../src/nas/rnn/search/rnnSearchKindInfo';
import type { RunReport, StepReport } from '../../src/nas/runKind/runKind';
import { INITIAL_LAB_STATE, reduceLabBatch, runStarting } from '../../src/ui/labReducer';
import type { RunTrace } from '../../src/ui/runTrace';
import { newTrace, traceReport } from '../../src/ui/runTrace';
import { Progress } from '../../src/ui/Progress';
import { SearchResults } from '../../src/ui/SearchResults';
import { metricSeries } from '../../src/ui/traceSeries';
import type { FromWorker } from '../../src/worker/protocol';

const uniform = (rows: number, ops: number) =>
  Array.from({ length: rows }, () => Array.from({ length: ops }, () => 1 / ops));

/** A recurrent search's step as its engine reports it (no alpha-segment figures: gaps). */
function rnnStep(step: number, genotype = RNN_DARTS_V2): StepReport {
  return {
    type: 'step',
    step,
    epoch: 0,
    totalSteps: 10,
    elapsedMs: step,
    throughput: 1,
    metrics: {
      trainLoss: Math.log(100 + step),
      trainPerplexity: 100 + step,
      valLoss: Number.NaN,
      valPerplexity: Number.NaN,
      lr: 20,
      alphaLr: 3e-3,
      segmentLength: 10,
    },
    alphas: [{ name: 'recurrent', ops: RNN_PRIMITIVES, softmax: uniform(36, 5) }],
    genotype: rnnGenotypeToJson(genotype),
  };
}

const corpusNote = (level: 'word' | 'char', vocabularySize: number): RunReport => ({
  type: 'note',
  text: 'corpus',
  detail: { note: 'corpus', level, vocabularySize, trainTokens: 900, validTokens: 90 },
});

const rnn = (r: RunReport): FromWorker => ({ type: 'report', kind: 'rnn-search', report: r });

const render = (space: 'cnn' | 'rnn', trace: RunTrace | null) =>
  renderToStaticMarkup(createElement(Progress, { status: 'paused', trace })) +
  renderToStaticMarkup(
    createElement(SearchResults, {
      space,
      trace,
      smoothing: 0.6,
      onSmoothingChange: () => undefined,
    }),
  );

describe('a recurrent search on the page', () => {
  it('keeps its steps, sharing unchanged genotypes; a new search clears it', () => {
    const s = reduceLabBatch(INITIAL_LAB_STATE, [
      { type: 'runStarted', kind: 'rnn-search', settings: {}, step: 0 },
      rnn(corpusNote('word', 50)),
      rnn(rnnStep(1)),
      rnn(rnnStep(2)),
      rnn(rnnStep(3, RNN_DARTS_V1)),
      rnn({
        type: 'epoch',
        epoch: 0,
        step: 3,
        metrics: { valLoss: 4, valPerplexity: Math.exp(4) },
      }),
    ]);
    const trace = s.runs['rnn:search'] ?? null;
    const steps = trace?.steps ?? [];
    expect(steps.map((p) => p.step)).toEqual([1, 2, 3]);
    expect(steps[1]?.genotype).toBe(steps[0]?.genotype);
    expect(steps[2]?.genotype).not.toBe(steps[1]?.genotype);
    expect(trace?.epochs).toHaveLength(1);
    expect(s.runs['cnn:search']).toBeUndefined();
    expect(runStarting(s, 'rnn-search').runs['rnn:search']).toBeUndefined();

    const [train, epoch, ...rest] = metricSeries(RNN_SEARCH_INFO, trace, 'perplexity');
    expect(train?.points.map((p) => p.value)).toEqual([101, 102, 103]);
    // NaN figures leave gaps, not zeros: the alpha segment's series has no point at all.
    expect(epoch).toMatchObject({
      name: 'validation perplexity (epoch end)',
      points: [{ step: 3, value: Math.exp(4) }],
    });
    expect(rest).toEqual([]);
  });

  it('shows the corpus, the cell, the genotype as JSON and a heatmap of 36 edges for a streamed step', () => {
    const trace = [corpusNote('char', 61), rnnStep(1)].reduce(
      traceReport,
      newTrace('rnn-search', 0),
    );
    const html = render('rnn', trace);
    expect(html).toContain('Built-in text at char level: vocabulary of 61 tokens');
    expect(html).toContain('data-testid="cell-recurrent"');
    expect(html).toContain('data-testid="perplexity-chart"');
    expect(html).toContain('data-testid="rnn-loss-chart"');
    const json = stringifyRnnGenotype(RNN_DARTS_V2).replaceAll('"', '&quot;');
    expect(html).toContain(json.trimEnd());
    expect(html.match(/<g data-edge=/g)).toHaveLength(36);
    expect(html).toContain('data-testid="alphas-recurrent"');
    // The small multiples are drawn only on demand.
    expect(html).not.toContain('<figure data-edge=');
    expect(html).toContain('1.0 tokens/s');
  });
});

/** A convolutional search's first step with DARTS_V2 as its genotype, and `extra` on top. */
const cnnStep = (extra: Partial<StepReport>): StepReport => ({
  type: 'step',
  step: 1,
  epoch: 0,
  totalSteps: 2,
  elapsedMs: 1,
  throughput: 3,
  metrics: { trainLoss: 2 },
  genotype: genotypeToJson(DARTS_V2),
  ...extra,
});

describe('a convolutional search on the page', () => {
  it('draws a resumed search where it stands before it steps: its step, cells, alphas', () => {
    const trace = traceReport(newTrace('darts', 7), {
      type: 'note',
      text: 'resuming at step 7',
      detail: {
        resumedFrom: 7,
        alphas: ['normal', 'reduce'].map((name) => ({
          name,
          ops: ['none', 'skip_connect'],
          softmax: uniform(14, 2),
        })),
        genotype: genotypeToJson(DARTS_V2),
      },
    });
    const html = render('cnn', trace);
    expect(html).toContain('<span data-testid="step-count">7</span>');
    expect(html).toContain('Step 7 of 7');
    expect(html).toContain('data-testid="cell-normal"');
    expect(html).toContain('data-testid="cell-reduce"');
    expect(html).not.toContain('data-testid="eval-cell-normal"');
    expect(html).toContain('data-testid="genotype-json"');
    expect(html.match(/<g data-edge=/g)).toHaveLength(28);
    expect(html).toContain('node 3 ← c_{k-2}');
  });

  it("lists the search's own ops under its cells: none of the space's others, never none", () => {
    const legendOps = (html: string) =>
      [
        ...(/data-testid="op-legend"[^]*?<\/ul>/.exec(html)?.[0] ?? '').matchAll(
          /data-op="([^"]+)"/g,
        ),
      ].map((m) => m[1]);
    const ops = ['none', 'max_pool_3x3', 'skip_connect', 'sep_conv_3x3'];
    const step = cnnStep({
      alphas: ['normal', 'reduce'].map((name) => ({ name, ops, softmax: uniform(14, 4) })),
    });
    const html = render('cnn', traceReport(newTrace('darts', 0), step));
    expect(legendOps(html)).toEqual(['max_pool_3x3', 'skip_connect', 'sep_conv_3x3']);
    // A recurrent search's legend: its activations, without none.
    const rnnHtml = render('rnn', traceReport(newTrace('rnn-search', 0), rnnStep(1)));
    expect(legendOps(rnnHtml)).toEqual(RNN_PRIMITIVES.filter((op) => op !== 'none'));
  });

  it("draws a CDARTS step's evaluation network cells, and nothing of a genotype that is no cell", () => {
    const step = cnnStep({
      detail: { phase: 'joint', evalGenotype: genotypeToJson(DARTS_V1) },
    });
    const html = render('cnn', traceReport(newTrace('cdarts', 0), step));
    expect(html).toContain('data-testid="eval-cell-normal"');
    expect(html).toContain('data-testid="eval-cell-reduce"');
    expect(html).toContain('3.0 images/s');
    const toy = render('cnn', traceReport(newTrace('darts', 0), { ...step, genotype: { a: 1 } }));
    expect(toy).toContain('Press Start: the cells are derived');
    expect(toy).not.toContain('data-testid="cell-normal"');
    expect(toy).toContain('The genotype appears after the first step.');
    // Before any run: empty charts, no cells.
    const idle = render('cnn', null);
    expect(idle).toContain('data-testid="loss-chart" data-points="0"');
    expect(idle).toContain('The architecture weights appear once the search has begun.');
  });
});
