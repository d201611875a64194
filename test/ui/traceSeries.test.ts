/**
 * The search charts of the built-in kinds, from reports as their engines write them: DARTS's
 * train and validation curves; CDARTS's both networks and the distillation loss, with gaps where
 * a phase has no figure; and the labels of alpha groups' edges, read from their row counts.
 */
import { describe, expect, it } from 'vitest';
import { CDARTS_INFO } from '../../src/nas/cdarts/cdartsKindInfo';
import { DARTS_INFO } from '../../src/nas/darts/dartsKindInfo';
import type { EpochReport, StepReport } from '../../src/nas/runKind/runKind';
import { alphaRowLabels, edgeLabels, rnnEdgeLabels } from '../../src/ui/charts/edgeLabels';
import type { RunTrace } from '../../src/ui/runTrace';
import { newTrace, traceReport } from '../../src/ui/runTrace';
import { baseLabel, metricSeries, titleWithStatistics } from '../../src/ui/traceSeries';

function step(n: number, metrics: Record<string, number>): StepReport {
  return {
    type: 'step',
    step: n,
    epoch: 0,
    totalSteps: 4,
    elapsedMs: 1,
    throughput: 1,
    metrics,
  };
}

const epoch = (n: number, at: number, metrics: Record<string, number>): EpochReport => ({
  type: 'epoch',
  epoch: n,
  step: at,
  metrics,
});

const trace = (kind: string, reports: readonly (StepReport | EpochReport)[]): RunTrace =>
  reports.reduce(traceReport, newTrace(kind, 0));

const names = (series: ReturnType<typeof metricSeries>) =>
  series.map((s) => [s.name, s.points.map((p) => p.step)]);

describe('search chart series', () => {
  it('DARTS: train and validation curves, per step and at the epoch end', () => {
    const t = trace('darts', [
      step(1, { trainLoss: 2, trainAccuracy: 0.1, valLoss: 2.1, weightLr: 0.025 }),
      step(2, { trainLoss: 2, trainAccuracy: 0.2, valLoss: 2.05, weightLr: 0.025 }),
      epoch(0, 2, { valLoss: 1.9, valAccuracy: 0.3 }),
    ]);
    const loss = metricSeries(DARTS_INFO, t, 'loss');
    expect(names(loss)).toEqual([
      ['training loss', [1, 2]],
      ['validation loss', [1, 2]],
      ['validation loss (epoch end)', [2]],
    ]);
    expect(loss[0]?.points).toEqual([
      { step: 1, value: 2 },
      { step: 2, value: 2 },
    ]);
    expect(names(metricSeries(DARTS_INFO, t, 'accuracy'))).toEqual([
      ['training accuracy', [1, 2]],
      ['validation accuracy (epoch end)', [2]],
    ]);
    expect(metricSeries(DARTS_INFO, null, 'loss')).toEqual([]);
  });

  it('titles a chart with the BatchNorm statistics of the latest epoch evaluation, where said', () => {
    const said = (e: EpochReport, statistics: string): EpochReport => ({
      ...e,
      detail: { evaluationStatistics: statistics },
    });
    const steps = [
      step(1, { trainLoss: 2, trainAccuracy: 0.1, valLoss: 2.1, weightLr: 0.025 }),
      step(2, { trainLoss: 2, trainAccuracy: 0.2, valLoss: 2.05, weightLr: 0.025 }),
    ] as const;
    const t = trace('darts', [
      steps[0],
      said(epoch(0, 1, { valLoss: 1.9, valAccuracy: 0.3 }), 'running statistics'),
      steps[1],
      said(
        epoch(1, 2, { valLoss: 1.7, valAccuracy: 0.4 }),
        'BatchNorm recalibrated over 10 batches',
      ),
    ]);
    const accuracy = metricSeries(DARTS_INFO, t, 'accuracy');
    // The series keep their names (the page's tests find them by name).
    expect(names(accuracy)).toEqual([
      ['training accuracy', [1, 2]],
      ['validation accuracy (epoch end)', [1, 2]],
    ]);
    expect(titleWithStatistics('Accuracy', t, accuracy)).toBe(
      'Accuracy (epoch end: BatchNorm recalibrated over 10 batches)',
    );
    // No epoch-end series drawn, or no report that names its statistics: the title alone.
    const rates = metricSeries(DARTS_INFO, t, 'rate');
    expect(titleWithStatistics('Learning rate', t, rates)).toBe('Learning rate');
    const unsaid = trace('darts', [steps[0], epoch(0, 1, { valLoss: 1.9, valAccuracy: 0.3 })]);
    const plain = metricSeries(DARTS_INFO, unsaid, 'accuracy');
    expect(titleWithStatistics('Accuracy', unsaid, plain)).toBe('Accuracy');
    expect(titleWithStatistics('Accuracy', null, [])).toBe('Accuracy');
  });

  it('CDARTS: both networks and the distillation loss, with gaps where a phase has no figure', () => {
    // As cdartsReports writes them: a warm-up step trains one network, a joint step both.
    const warm = step(1, { trainLoss: 2, trainAccuracy: 0.1 });
    const evalWarm = step(2, { evalLoss: 1.5, evalAccuracy: 0.4 });
    const joint = step(3, {
      trainLoss: 1.8,
      trainAccuracy: 0.1,
      valLoss: 2,
      valAccuracy: 0.2,
      evalLoss: 1.2,
      evalAccuracy: 0.5,
      distillationLoss: 0.3,
      penalty: 4,
      alphaObjective: Number.NaN,
    });
    const t = trace('cdarts', [
      warm,
      epoch(0, 1, { valLoss: 2, valAccuracy: 0.2 }),
      evalWarm,
      joint,
      epoch(1, 3, { valLoss: 2, valAccuracy: 0.3, evalLoss: 1, evalAccuracy: 0.6 }),
    ]);
    expect(names(metricSeries(CDARTS_INFO, t, 'loss'))).toEqual([
      ['search network training loss', [1, 3]],
      ['search network validation loss', [3]],
      ['evaluation network loss', [2, 3]],
      ['distillation loss', [3]],
      ['search network validation loss (epoch end)', [1, 3]],
      ['evaluation network loss (epoch end)', [3]],
    ]);
    const accuracy = metricSeries(CDARTS_INFO, t, 'accuracy');
    expect(accuracy.map((x) => [x.name, x.points.map((p) => p.value)])).toEqual([
      ['search network training accuracy', [0.1, 0.1]],
      ['search network validation accuracy', [0.2]],
      ['evaluation network accuracy', [0.4, 0.5]],
      ['search network validation accuracy (epoch end)', [0.2, 0.3]],
      ['evaluation network accuracy (epoch end)', [0.6]],
    ]);
    // The penalty is no loss, accuracy or rate: no chart draws it.
    expect(metricSeries(CDARTS_INFO, t, 'other').map((s) => s.name)).toEqual(['alpha L1 penalty']);
  });

  it('names an epoch-end series by the label without its qualifier', () => {
    expect(baseLabel('validation loss (alpha segment)')).toBe('validation loss');
    expect(baseLabel('training loss')).toBe('training loss');
  });
});

describe('alpha group edge labels', () => {
  it('labels a convolutional cell by its DARTS edge order, a recurrent cell node by node', () => {
    expect(alphaRowLabels('cnn', 14)).toEqual(edgeLabels(4));
    expect(alphaRowLabels('cnn', 5)).toEqual(edgeLabels(2));
    const rnn = alphaRowLabels('rnn', 36);
    expect(rnn).toEqual(rnnEdgeLabels(8));
    expect(rnn).toHaveLength(36);
    expect(rnn.slice(0, 4)).toEqual([
      'node 1 ← node 0',
      'node 2 ← node 0',
      'node 2 ← node 1',
      'node 3 ← node 0',
    ]);
    expect(rnn.at(-1)).toBe('node 8 ← node 7');
    // A row count no cell has: plain edge numbers.
    expect(alphaRowLabels('cnn', 4)).toEqual(['edge 0', 'edge 1', 'edge 2', 'edge 3']);
  });
});
