/**
 * The recurrent search's view on the page: its messages reduced into the lab's state, its chart
 * series and edge labels, and its results' markup. (Its link and its settings' checks are the
 * kinds': test/ui/labLinks.test.ts, labProblems.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { INITIAL_LAB_STATE, reduceLabBatch, searchStarted } from '../../src/ui/labReducer';
import { rnnEdgeLabels, rnnPerplexitySeries } from '../../src/ui/recurrentSeries';
import { rnnGenotypeToJson } from '../../src/nas/rnn/genotype/rnnGenotype';
import { RNN_DARTS_V1, RNN_DARTS_V2 } from '../../src/nas/rnn/genotype/rnnPublishedGenotypes';
import type { FromWorker } from '../../src/worker/protocol';
import type { RnnStepPoint } from '../../src/worker/recurrentProtocol';

function point(step: number, genotype = RNN_DARTS_V2): RnnStepPoint {
  return {
    step,
    epoch: 0,
    totalSteps: 10,
    segmentLength: 10,
    trainLoss: Math.log(100 + step),
    trainPerplexity: 100 + step,
    valLoss: Number.NaN,
    valPerplexity: Number.NaN,
    weightLr: 20,
    alphaSoftmax: [],
    genotype: rnnGenotypeToJson(genotype),
    tokensPerSecond: 1,
    elapsedMs: step,
  };
}

describe('recurrent view', () => {
  it('reduces rnn messages into LabState.recurrent, sharing unchanged genotypes; a new search clears it', () => {
    const messages: FromWorker[] = [
      {
        type: 'rnnCorpus',
        corpus: { level: 'word', vocabularySize: 50, trainTokens: 10, validTokens: 5 },
      },
      { type: 'rnnStep', point: point(1) },
      { type: 'rnnStep', point: point(2) },
      { type: 'rnnStep', point: point(3, RNN_DARTS_V1) },
      { type: 'rnnEpoch', point: { epoch: 0, step: 3, valLoss: 4, valPerplexity: Math.exp(4) } },
    ];
    const s = reduceLabBatch(INITIAL_LAB_STATE, messages);
    const view = s.recurrent!;
    expect(view.corpus?.vocabularySize).toBe(50);
    expect(view.steps.map((p) => p.step)).toEqual([1, 2, 3]);
    expect(view.steps[1]!.genotype).toBe(view.steps[0]!.genotype);
    expect(view.steps[2]!.genotype).not.toBe(view.steps[1]!.genotype);
    expect(view.epochs).toHaveLength(1);
    expect(s.steps).toEqual([]);
    expect(searchStarted().recurrent).toBeNull();

    const [train, alpha, epoch] = rnnPerplexitySeries(view.steps, view.epochs);
    expect(train!.points).toEqual([
      { step: 1, value: 101 },
      { step: 2, value: 102 },
      { step: 3, value: 103 },
    ]);
    // NaN figures leave gaps, not zeros.
    expect(alpha!.points).toEqual([]);
    expect(epoch!.points).toEqual([{ step: 3, value: Math.exp(4) }]);
  });

  it('labels the 36 alpha rows node by node, as the core orders them', () => {
    const labels = rnnEdgeLabels(8);
    expect(labels).toHaveLength(36);
    expect(labels.slice(0, 4)).toEqual([
      'node 1 ← node 0',
      'node 2 ← node 0',
      'node 2 ← node 1',
      'node 3 ← node 0',
    ]);
    expect(labels.at(-1)).toBe('node 8 ← node 7');
  });
});

describe('recurrent results (server-rendered)', () => {
  it('shows the corpus, the cell, the genotype as JSON and 36 alpha charts for a streamed step', async () => {
    const { createElement } = await import('react');
    const { renderToStaticMarkup } = await import('react-dom/server');
    const { RecurrentResults } = await import('../../src/ui/RecurrentResults');
    const { stringifyRnnGenotype } = await import('../../src/nas/rnn/genotype/rnnGenotype');
    const uniform = Array.from({ length: 36 }, () => [0.2, 0.2, 0.2, 0.2, 0.2]);
    const html = renderToStaticMarkup(
      createElement(RecurrentResults, {
        view: {
          corpus: { level: 'char', vocabularySize: 61, trainTokens: 900, validTokens: 90 },
          steps: [{ ...point(1), alphaSoftmax: uniform }],
          epochs: [],
        },
        status: 'running',
        smoothing: 0.6,
        onSmoothingChange: () => undefined,
      }),
    );
    expect(html).toContain('Built-in text at char level: vocabulary of 61 tokens');
    expect(html).toContain('data-testid="cell-recurrent"');
    expect(html).toContain('data-testid="perplexity-chart"');
    const json = stringifyRnnGenotype(RNN_DARTS_V2).replaceAll('"', '&quot;');
    expect(html).toContain(json.trimEnd());
    expect(html.match(/<figure data-edge=/g)).toHaveLength(36);
    expect(html).toContain('tokens/s');
  });
});
