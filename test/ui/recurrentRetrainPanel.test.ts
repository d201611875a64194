/**
 * The recurrent retrain's view on the page: the rnn-retrain kind's reports read by metric key and
 * detail (the corpus and genotype, the ASGD switch, the result), its chart series, the panel's
 * markup, and a rollback cutting the view.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { rnnGenotypeToJson } from '../../src/nas/rnn/genotype/rnnGenotype';
import { RNN_DARTS_V1 } from '../../src/nas/rnn/genotype/rnnPublishedGenotypes';
import { RNN_RETRAIN_INFO } from '../../src/nas/rnn/retrain/rnnRetrainKindInfo';
import { labDefaults } from '../../src/ui/settings/labSettings';
import type { RunReport } from '../../src/nas/runKind/runKind';
import { RecurrentRetrainPanel } from '../../src/ui/RecurrentRetrainPanel';
import { asgdFromStep, bestEpochOf, corpusOf, optimizerOf } from '../../src/ui/reportDetails';
import type { RunTrace } from '../../src/ui/runTrace';
import { latestGenotype, metricOf, newTrace, traceReport, traceUpTo } from '../../src/ui/runTrace';
import { metricSeries } from '../../src/ui/traceSeries';

/** The recurrent retrain kind's form at the lab's defaults, idle. */
const FORM = {
  info: RNN_RETRAIN_INFO,
  settings: labDefaults(RNN_RETRAIN_INFO),
  running: false,
  disabled: false,
  onChange: () => undefined,
  onPreset: () => undefined,
};

/** A step report as the rnn-retrain kind writes it (NaN perplexity at step 2: a gap). */
const step = (n: number, optimizer: 'sgd' | 'asgd'): RunReport => ({
  type: 'step',
  step: n,
  epoch: n > 2 ? 1 : 0,
  totalSteps: 4,
  elapsedMs: 1000 * n,
  throughput: 321,
  metrics: {
    trainLoss: Math.log(100 + n),
    trainPerplexity: n === 2 ? NaN : 100 + n,
    lr: 20,
    segmentLength: 5,
  },
  detail: { optimizer, seqLen: 5 },
});

const epoch = (
  n: number,
  at: number,
  valPerplexity: number,
  testPerplexity: number,
  evaluated: 'weights' | 'averaged',
  switchedToAsgd: boolean,
): RunReport => ({
  type: 'epoch',
  epoch: n,
  step: at,
  metrics: {
    valLoss: Math.log(valPerplexity),
    valPerplexity,
    testLoss: Math.log(testPerplexity),
    testPerplexity,
  },
  detail: { evaluated, switchedToAsgd, bestEpoch: n, bestValLoss: Math.log(valPerplexity) },
});

const MESSAGES: RunReport[] = [
  {
    type: 'note',
    text: 'Retraining recurrent genotype DARTS_V1 on built-in text',
    detail: {
      note: 'corpus',
      level: 'word',
      vocabularySize: 300,
      trainTokens: 200,
      validTokens: 100,
      testTokens: 100,
      genotype: rnnGenotypeToJson(RNN_DARTS_V1),
    },
  },
  step(1, 'sgd'),
  step(2, 'sgd'),
  epoch(0, 2, 90, 95, 'weights', true),
  step(3, 'asgd'),
  step(4, 'asgd'),
  epoch(1, 4, 80, 85.123, 'averaged', false),
  {
    type: 'done',
    step: 4,
    metrics: { testLoss: Math.log(85.123), testPerplexity: 85.123, bestValPerplexity: 80 },
    detail: { bestEpoch: 1, bestValLoss: Math.log(80) },
  },
];

const view = (messages: RunReport[]): RunTrace =>
  messages.reduce(traceReport, newTrace(RNN_RETRAIN_INFO.id, 0));

describe('recurrent retrain view', () => {
  it('keeps every point, the step ASGD started at, and the result', () => {
    const v = view(MESSAGES);
    expect(corpusOf(v)?.vocabularySize).toBe(300);
    expect(latestGenotype(v)).toEqual(rnnGenotypeToJson(RNN_DARTS_V1));
    expect(v.steps.map(optimizerOf)).toEqual(['sgd', 'sgd', 'asgd', 'asgd']);
    expect(v.steps.map((p) => p.step)).toEqual([1, 2, 3, 4]);
    expect(v.epochs).toHaveLength(2);
    expect(asgdFromStep(v)).toBe(3);
    expect(asgdFromStep(view(MESSAGES.slice(0, 3)))).toBeNull();
    const done = v.done;
    if (!done) throw new Error('no result');
    expect(bestEpochOf(done)).toBe(1);
    expect(metricOf(done, 'testPerplexity')).toBe(85.123);
    expect(metricOf(done, 'bestValPerplexity')).toBe(80);
    expect(bestEpochOf({ ...done, detail: {} })).toBe(-1);
  });

  it('charts train perplexity per step and validation/test per epoch, leaving gaps for NaN', () => {
    const series = metricSeries(RNN_RETRAIN_INFO, view(MESSAGES), 'perplexity');
    expect(series.map((s) => s.name)).toEqual([
      'train perplexity',
      'validation perplexity (epoch end)',
      'test perplexity (epoch end)',
    ]);
    const [train, valid, test] = series;
    expect(train!.points).toEqual([
      { step: 1, value: 101 },
      { step: 3, value: 103 },
      { step: 4, value: 104 },
    ]);
    expect(valid!.points).toEqual([
      { step: 2, value: 90 },
      { step: 4, value: 80 },
    ]);
    expect(test!.points.map((p) => p.value)).toEqual([95, 85.123]);
  });

  it('renders the cell choice, the progress with the ASGD switch, the chart and the test perplexity', () => {
    const html = renderToStaticMarkup(
      createElement(RecurrentRetrainPanel, {
        searchGenotype: null,
        view: view(MESSAGES),
        disabled: false,
        smoothing: 0,
        form: FORM,
        restored: null,
        onStart: () => undefined,
      }),
    );
    // No search yet: its cell cannot be chosen, a published one is.
    expect(html).toMatch(/<option value="search" disabled="">/);
    expect(html).toContain('<option value="DARTS_V2" selected="">DARTS_V2 (published)</option>');
    expect(html).toContain('Step 4 of ~4, epoch 2, asgd, 321 tokens/s — ASGD from step 3');
    expect(html).toContain('data-testid="rnn-retrain-chart"');
    expect(html).toContain('Test perplexity 85.12 (epoch 2, best validation perplexity 80.00).');
    // The form shows the kind's lab preset: the first 4000 training tokens, train.py's lr 20.
    expect(html).toContain('the first 4000 training');
    expect(html).toContain('SGD at lr 20');
    expect(html).toMatch(/<input [^>]*name="rnn-retrain-trainTokens"[^>]*value="4000"/);
    expect(html).toMatch(/<input [^>]*name="rnn-retrain-lr"[^>]*value="20"/);
  });

  it('goes back to the step a rollback returned to, the ASGD switch with it', () => {
    const v = traceUpTo(view(MESSAGES), 2);
    expect(v.steps.map((p) => p.step)).toEqual([1, 2]);
    expect(v.epochs).toHaveLength(1);
    expect(v.done).toBeNull();
    expect(asgdFromStep(v)).toBe(3);
    const early = traceUpTo(view(MESSAGES), 1);
    expect(early.epochs).toEqual([]);
    expect(asgdFromStep(early)).toBeNull();
  });

  it('says a retrain stopped before an epoch ended', () => {
    const stopped = view([
      ...MESSAGES.slice(0, 2),
      { type: 'done', step: 1, metrics: {}, detail: { bestEpoch: -1 } },
    ]);
    const html = renderToStaticMarkup(
      createElement(RecurrentRetrainPanel, {
        searchGenotype: null,
        view: stopped,
        disabled: false,
        smoothing: 0,
        form: FORM,
        restored: null,
        onStart: () => undefined,
      }),
    );
    expect(html).toContain('Stopped after 1 steps, before an epoch ended.');
    expect(html).toContain('Step 1 of ~4, epoch 1, sgd, 321 tokens/s<');
  });
});
