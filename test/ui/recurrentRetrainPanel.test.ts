import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { rnnGenotypeToJson } from '../../src/nas/rnn/genotype/rnnGenotype';
import { RNN_DARTS_V1 } from '../../src/nas/rnn/genotype/rnnPublishedGenotypes';
import { RecurrentRetrainPanel } from '../../src/ui/RecurrentRetrainPanel';
import { rnnRetrainPerplexitySeries } from '../../src/ui/recurrentRetrainSeries';
import type { RecurrentRetrainView } from '../../src/ui/recurrentRetrainView';
import { reduceRecurrentRetrain } from '../../src/ui/recurrentRetrainView';
import type {
  RecurrentRetrainFromWorker,
  RnnRetrainStepPoint,
} from '../../src/worker/recurrentRetrainProtocol';

const step = (n: number, optimizer: 'sgd' | 'asgd'): RnnRetrainStepPoint => ({
  step: n,
  epoch: n > 2 ? 1 : 0,
  totalSteps: 4,
  trainLoss: Math.log(100 + n),
  trainPerplexity: n === 2 ? NaN : 100 + n,
  lr: 20,
  optimizer,
  tokensPerSecond: 321,
  elapsedMs: 1000 * n,
});

const MESSAGES: RecurrentRetrainFromWorker[] = [
  {
    type: 'rnnRetrainCorpus',
    vocabularySize: 300,
    tokens: { train: 200, valid: 100, test: 100 },
    genotype: rnnGenotypeToJson(RNN_DARTS_V1),
  },
  { type: 'rnnRetrainStep', point: step(1, 'sgd') },
  { type: 'rnnRetrainStep', point: step(2, 'sgd') },
  {
    type: 'rnnRetrainEpoch',
    point: {
      epoch: 0,
      step: 2,
      valPerplexity: 90,
      testPerplexity: 95,
      evaluated: 'weights',
      switchedToAsgd: true,
    },
  },
  { type: 'rnnRetrainStep', point: step(3, 'asgd') },
  { type: 'rnnRetrainStep', point: step(4, 'asgd') },
  {
    type: 'rnnRetrainEpoch',
    point: {
      epoch: 1,
      step: 4,
      valPerplexity: 80,
      testPerplexity: 85.123,
      evaluated: 'averaged',
      switchedToAsgd: false,
    },
  },
  {
    type: 'rnnRetrainDone',
    result: { steps: 4, bestEpoch: 1, bestValPerplexity: 80, testPerplexity: 85.123 },
  },
];

const view = (messages: RecurrentRetrainFromWorker[]): RecurrentRetrainView =>
  messages.reduce<RecurrentRetrainView | null>(reduceRecurrentRetrain, null)!;

describe('recurrent retrain view', () => {
  it('keeps every point, the step ASGD started at, and the result', () => {
    const v = view(MESSAGES);
    expect(v.vocabularySize).toBe(300);
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
        onStart: () => undefined,
      }),
    );
    // No search yet: its cell cannot be chosen, a published one is.
    expect(html).toMatch(/<option value="search" disabled="">/);
    expect(html).toContain('<option value="DARTS_V2" selected="">DARTS_V2 (published)</option>');
    expect(html).toContain('Step 4 of ~4, epoch 2, asgd, 321 tokens/s — ASGD from step 3');
    expect(html).toContain('data-testid="rnn-retrain-chart"');
    expect(html).toContain('Test perplexity 85.12 (epoch 2, best validation perplexity 80.00).');
  });
});
