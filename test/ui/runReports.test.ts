/**
 * The page's views of runs of any kind: reports of kinds registered here (the toy's engine under
 * other ids, commands, spaces and metrics) land in the slot of their command and space and are
 * charted by the metric keys and labels their descriptor declares; a resumed search shows where
 * it stands, a finished retrain's model is kept for download, a recurrent search's corpus is read.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { genotypeToJson, stringifyGenotype } from '../../src/nas/genotype/genotype';
import { DARTS_V2 } from '../../src/nas/genotype/publishedGenotypes';
import type { RunKindEntry } from '../../src/nas/runKind/registry';
import { registerRunKind } from '../../src/nas/runKind/registry';
import type { RunKindInfo, RunReport, StepReport } from '../../src/nas/runKind/runKind';
import { INITIAL_LAB_STATE, reduceLabBatch, runStarting } from '../../src/ui/labReducer';
import { corpusOf, evalGenotypeOf } from '../../src/ui/reportDetails';
import { RETRAIN_INFO } from '../../src/nas/retrain/retrainKindInfo';
import { RetrainPanel } from '../../src/ui/RetrainPanel';
import { labDefaults } from '../../src/ui/settings/labSettings';
import { alphaHistory, latestAlphas, metricSeries } from '../../src/ui/traceSeries';
import type { FromWorker } from '../../src/worker/protocol';
import { TOY_ENTRY, TOY_INFO } from '../support/toyRunKind';

/** The toy under another id, command, space and metrics. */
function kind(id: string, changes: Partial<RunKindInfo>): RunKindEntry {
  return {
    ...TOY_ENTRY,
    info: { ...TOY_INFO, id, checkpointFormat: `nas-lab.${id}`, ...changes },
  };
}

const SEARCH = kind('cellSearch', {
  metrics: [
    { key: 'trainLoss', label: 'training loss', kind: 'loss', watch: true },
    { key: 'evalLoss', label: "the evaluation network's loss", kind: 'loss' },
    { key: 'valAccuracy', label: 'validation accuracy', kind: 'accuracy' },
  ],
});
const RETRAIN = kind('cellRetrain', {
  command: 'retrain',
  select: { space: 'cnn' },
  metrics: [
    { key: 'trainLoss', label: 'training loss', kind: 'loss', watch: true },
    { key: 'trainAccuracy', label: 'training accuracy', kind: 'accuracy' },
    { key: 'lr', label: 'learning rate', kind: 'rate' },
    { key: 'testLoss', label: 'test loss', kind: 'loss' },
    { key: 'testAccuracy', label: 'test accuracy', kind: 'accuracy' },
  ],
});
const RECURRENT = kind('cellRnn', {
  select: { space: 'rnn', algorithm: 'x' },
  metrics: [
    { key: 'trainPerplexity', label: 'train perplexity', kind: 'perplexity' },
    { key: 'valPerplexity', label: 'validation perplexity (alpha segment)', kind: 'perplexity' },
  ],
});

const removals: (() => void)[] = [];
beforeAll(() => {
  for (const entry of [SEARCH, RETRAIN, RECURRENT]) removals.push(registerRunKind(entry));
});
afterAll(() => removals.forEach((remove) => remove()));

const report = (kindId: string, r: RunReport): FromWorker => ({
  type: 'report',
  kind: kindId,
  report: r,
});
const softmax = (v: number) => [
  [v, 1 - v],
  [1 - v, v],
];
const genotype = genotypeToJson(DARTS_V2);
const cellGroups = (normal: number, reduce: number) => [
  { name: 'normal', ops: ['a', 'b'], softmax: softmax(normal) },
  { name: 'reduce', ops: ['a', 'b'], softmax: softmax(reduce) },
];

function stepReport(step: number, extra: Partial<StepReport>): StepReport {
  return {
    type: 'step',
    step,
    epoch: 0,
    totalSteps: 10,
    elapsedMs: 5 * step,
    throughput: 100,
    metrics: {},
    ...extra,
  };
}

/** A series' name and points as [step, value]. */
const drawn = (series: ReturnType<typeof metricSeries>) =>
  series.map((s) => [s.name, s.points.map((p) => [p.step, p.value])]);

describe('views of runs of any kind', () => {
  it('charts a convolutional search by the metric keys and labels of its kind, with gaps', () => {
    const state = reduceLabBatch(runStarting(INITIAL_LAB_STATE, 'cellSearch'), [
      { type: 'runStarted', kind: 'cellSearch', settings: { steps: 3 }, step: 0 },
      report('cellSearch', { type: 'note', text: 'searching', detail: { resumedFrom: null } }),
      report(
        'cellSearch',
        stepReport(1, {
          metrics: { trainLoss: 2, trainAccuracy: 0.25, undeclared: 7 },
          alphas: cellGroups(0.5, 0.75),
          genotype,
        }),
      ),
      report(
        'cellSearch',
        stepReport(2, {
          metrics: { trainLoss: Number.NaN, evalLoss: 1.5 },
          detail: { phase: 'evalWarmup', evalGenotype: genotype },
          genotype,
        }),
      ),
      report('cellSearch', {
        type: 'epoch',
        epoch: 0,
        step: 2,
        metrics: { evalLoss: 1.25, valAccuracy: 0.5 },
      }),
    ]);
    expect(state.run).toEqual({ kind: 'cellSearch', settings: { steps: 3 }, step: 0 });
    expect(state.active).toBe('cnn:search');
    const trace = state.runs['cnn:search'] ?? null;
    expect(trace?.opening).toEqual({ step: 0, alphas: null, genotype: null });
    const info = SEARCH.info;
    // NaN and absent figures leave gaps; a key the kind does not declare is not charted.
    expect(drawn(metricSeries(info, trace, 'loss'))).toEqual([
      ['training loss', [[1, 2]]],
      ["the evaluation network's loss", [[2, 1.5]]],
      ["the evaluation network's loss (epoch end)", [[2, 1.25]]],
    ]);
    expect(drawn(metricSeries(info, trace, 'accuracy'))).toEqual([
      ['validation accuracy (epoch end)', [[2, 0.5]]],
    ]);
    // Colours follow the metric's place among the kind's, whichever series have points yet.
    const colours = metricSeries(info, trace, 'loss').map((s) => s.color);
    expect(new Set(colours).size).toBe(3);
    const early = reduceLabBatch(INITIAL_LAB_STATE, [
      report('cellSearch', stepReport(1, { metrics: { evalLoss: 1 } })),
    ]).runs['cnn:search'];
    expect(metricSeries(info, early ?? null, 'loss').map((s) => s.color)).toEqual([colours[1]]);
    // The alphas: the groups of the latest step that has them, and each group's history.
    expect(latestAlphas(trace).map((g) => g.name)).toEqual(['normal', 'reduce']);
    expect(alphaHistory(trace, 'reduce')).toEqual([{ step: 1, softmax: softmax(0.75) }]);
    expect(evalGenotypeOf(trace?.steps[1])).toEqual(genotype);
    expect(evalGenotypeOf(trace?.steps[0])).toBeNull();
  });

  it('shows where a resumed search stands, from the note it opens with', () => {
    const state = reduceLabBatch(INITIAL_LAB_STATE, [
      { type: 'runStarted', kind: 'cellSearch', settings: {}, step: 7 },
      report('cellSearch', {
        type: 'note',
        text: 'resuming at step 7',
        detail: { resumedFrom: 7, alphas: cellGroups(0.25, 1), genotype },
      }),
    ]);
    const trace = state.runs['cnn:search'] ?? null;
    expect(trace?.from).toBe(7);
    expect(trace?.opening).toEqual({ step: 7, alphas: cellGroups(0.25, 1), genotype });
    expect(state.run?.step).toBe(7);
    // Its alpha history starts at the restored alphas; its steps follow.
    const stepped = reduceLabBatch(state, [
      report('cellSearch', stepReport(8, { alphas: cellGroups(0.5, 0.5), genotype })),
    ]).runs['cnn:search'];
    expect(alphaHistory(stepped ?? null, 'normal')).toEqual([
      { step: 7, softmax: softmax(0.25) },
      { step: 8, softmax: softmax(0.5) },
    ]);
    // A note after the first step (a rollback's reopened run) does not move the start.
    const later = reduceLabBatch(INITIAL_LAB_STATE, [
      { type: 'runStarted', kind: 'cellSearch', settings: {}, step: 0 },
      report('cellSearch', stepReport(1, { genotype })),
      report('cellSearch', { type: 'note', text: 'x', detail: { resumedFrom: 1, genotype: {} } }),
    ]).runs['cnn:search'];
    expect(later?.opening).toEqual({ step: 0, alphas: null, genotype: null });
    expect(later?.notes).toHaveLength(1);
  });

  it('draws a retrain from its reports and keeps the finished model, the search results kept', () => {
    const searched = reduceLabBatch(INITIAL_LAB_STATE, [
      report('cellSearch', stepReport(1, { genotype })),
    ]);
    const model = Uint8Array.of(9, 8, 7);
    const state = reduceLabBatch(runStarting(searched, 'cellRetrain'), [
      {
        type: 'runStarted',
        kind: 'cellRetrain',
        settings: { genotype: stringifyGenotype(DARTS_V2) },
        step: 0,
      },
      report('cellRetrain', { type: 'note', text: 'retraining', detail: { genotype } }),
      report(
        'cellRetrain',
        stepReport(1, { metrics: { trainLoss: 2, trainAccuracy: 0.5, lr: 0.025 } }),
      ),
      report('cellRetrain', {
        type: 'epoch',
        epoch: 0,
        step: 1,
        metrics: { testLoss: 1.5, testAccuracy: 0.6 },
      }),
      report('cellRetrain', {
        type: 'done',
        step: 1,
        metrics: { testLoss: 1.5, testAccuracy: 0.6 },
        files: [
          { path: 'genotype.json', data: '{}' },
          { path: 'model.nas', data: model },
        ],
      }),
    ]);
    expect(state.active).toBe('cnn:retrain');
    expect(state.runs['cnn:search']).toBe(searched.runs['cnn:search']);
    const trace = state.runs['cnn:retrain'] ?? null;
    expect(trace?.opening.genotype).toEqual(genotype);
    expect(trace?.model?.name).toBe('nas-lab-cellRetrain-model.nas');
    expect([...new Uint8Array(trace?.model?.bytes ?? new ArrayBuffer(0))]).toEqual([9, 8, 7]);
    const info = RETRAIN.info;
    expect(drawn(metricSeries(info, trace, 'loss'))).toEqual([
      ['training loss', [[1, 2]]],
      ['test loss (epoch end)', [[1, 1.5]]],
    ]);
    expect(drawn(metricSeries(info, trace, 'rate'))).toEqual([['learning rate', [[1, 0.025]]]]);
    const html = renderToStaticMarkup(
      createElement(RetrainPanel, {
        current: null,
        busy: false,
        view: trace,
        smoothing: 0,
        form: {
          info: RETRAIN_INFO,
          settings: labDefaults(RETRAIN_INFO),
          running: false,
          disabled: false,
          onChange: () => undefined,
          onPreset: () => undefined,
        },
        onStart: () => undefined,
        status: 'done',
        onSave: () => undefined,
        onEvaluate: () => undefined,
        evaluation: null,
      }),
    );
    expect(html).toContain('Test accuracy 60.0% (loss 1.500)');
    expect(html).toContain('data-testid="download-model"');
    expect(html).toContain('data-testid="export-pytorch"');
    expect(html).toContain('data-testid="retrain-lr-chart" data-points="1"');
    expect(html).toContain('data-testid="retrain-cell-normal"');
  });

  it('draws a recurrent search: its corpus, steps with the recurrent alphas, epochs', () => {
    const rnnGenotype = { recurrent: [['tanh', 0]], concat: [1] };
    const state = reduceLabBatch(INITIAL_LAB_STATE, [
      { type: 'runStarted', kind: 'cellRnn', settings: {}, step: 0 },
      report('cellRnn', {
        type: 'note',
        text: 'corpus',
        detail: {
          note: 'corpus',
          level: 'word',
          vocabularySize: 300,
          trainTokens: 4000,
          validTokens: 800,
        },
      }),
      report(
        'cellRnn',
        stepReport(1, {
          metrics: { trainPerplexity: 148, valPerplexity: 245 },
          alphas: [{ name: 'recurrent', ops: ['tanh', 'relu'], softmax: softmax(0.5) }],
          genotype: rnnGenotype,
        }),
      ),
      report('cellRnn', { type: 'epoch', epoch: 0, step: 1, metrics: { valPerplexity: 148 } }),
    ]);
    expect(state.active).toBe('rnn:search');
    expect(state.runs['cnn:search']).toBeUndefined();
    const trace = state.runs['rnn:search'] ?? null;
    expect(corpusOf(trace)).toEqual({
      level: 'word',
      vocabularySize: 300,
      trainTokens: 4000,
      validTokens: 800,
    });
    expect(trace?.steps[0]?.genotype).toEqual(rnnGenotype);
    expect(alphaHistory(trace, 'recurrent')).toEqual([{ step: 1, softmax: softmax(0.5) }]);
    // An epoch's value of a qualified label goes by the label without its qualifier.
    expect(drawn(metricSeries(RECURRENT.info, trace, 'perplexity'))).toEqual([
      ['train perplexity', [[1, 148]]],
      ['validation perplexity (alpha segment)', [[1, 245]]],
      ['validation perplexity (epoch end)', [[1, 148]]],
    ]);
  });

  it('tells the lowered live settings of a rolled-back run by key', () => {
    const state = reduceLabBatch(INITIAL_LAB_STATE, [
      {
        type: 'diverged',
        step: 9,
        rolledBackTo: 8,
        reason: 'the loss is NaN',
        live: { rate: 0.25 },
      },
    ]);
    expect(state.notice).toBe(
      'The search diverged at step 9 (the loss is NaN). It went back to step 8 and goes on with the learning rates lowered to 0.250 (rate).',
    );
  });
});
