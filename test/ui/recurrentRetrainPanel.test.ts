/**
 * The recurrent retrain's view on the page: the reducer over the rnn-retrain kind's reports (by
 * metric key and detail), its chart series, the panel's markup, and a rollback cutting the view.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { rnnGenotypeToJson } from '../../src/nas/rnn/genotype/rnnGenotype';
import { RNN_DARTS_V1 } from '../../src/nas/rnn/genotype/rnnPublishedGenotypes';
import { RNN_RETRAIN_INFO } from '../../src/nas/rnn/retrain/rnnRetrainKindInfo';
import { RecurrentRetrainPanel } from '../../src/ui/RecurrentRetrainPanel';
import { labDefaults } from '../../src/ui/settings/labSettings';
import { rnnRetrainPerplexitySeries } from '../../src/ui/recurrentRetrainSeries';
import type { RecurrentRetrainView } from '../../src/ui/recurrentRetrainView';
import { recurrentRetrainUpTo, reduceRecurrentRetrain } from '../../src/ui/recurrentRetrainView';
import type { RunReport } from '../../src/nas/runKind/runKind';

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

const view = (messages: RunReport[]): RecurrentRetrainView =>
  messages.reduce<RecurrentRetrainView | null>(reduceRecurrentRetrain, null)!;

describe('recurrent retrain view', () => {
  it('keeps every point, the step ASGD started at, and the result', () => {
    const v = view(MESSAGES);
    expect(v.vocabularySize).toBe(300);
    expect(v.genotype).toEqual(rnnGenotypeToJson(RNN_DARTS_V1));
    expect(v.steps.map((p) => p.optimizer)).toEqual(['sgd', 'sgd', 'asgd', 'asgd']);
    expect(v.epochs.map((e) => e.evaluated)).toEqual(['weights', 'averaged']);
    expect(v.result).toEqual({
      steps: 4,
      bestEpoch: 1,
      bestValPerplexity: 80,
      testPerplexity: 85.123,
    });
    expect(v.steps.map((p) => p.step)).toEqual([1, 2, 3, 4]);
    expect(v.epochs).toHaveLength(2);
    expect(v.asgdFromStep).toBe(3);
    expect(v.result?.testPerplexity).toBe(85.123);
    expect(view(MESSAGES.slice(0, 3)).asgdFromStep).toBeNull();
  });

  it('charts train perplexity per step and validation/test per epoch, leaving gaps for NaN', () => {
    const [train, valid, test] = rnnRetrainPerplexitySeries(view(MESSAGES));
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
        form: {
          info: RNN_RETRAIN_INFO,
          settings: labDefaults(RNN_RETRAIN_INFO),
          running: false,
          disabled: false,
          onChange: () => undefined,
          onPreset: () => undefined,
        },
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
    const v = recurrentRetrainUpTo(view(MESSAGES), 2);
    expect(v.steps.map((p) => p.step)).toEqual([1, 2]);
    expect(v.epochs).toHaveLength(1);
    expect(v.asgdFromStep).toBe(3);
    expect(recurrentRetrainUpTo(view(MESSAGES), 1)).toMatchObject({
      epochs: [],
      asgdFromStep: null,
    });
  });
});
