/**
 * What the lab draws of the collapse monitor from a DARTS search's reports: the eigenvalue and
 * skip series by their keys only (other figures stay in their own charts), and the last
 * early-stop note with the genotype it offers.
 */
import { describe, expect, it } from 'vitest';
import { DARTS_INFO } from '../../src/nas/darts/dartsKindInfo';
import type { RunReport, StepReport } from '../../src/nas/runKind/runKind';
import { COLLAPSE_CHARTS, earlyStopOf } from '../../src/ui/EarlyStopNotice';
import { newTrace, traceReport } from '../../src/ui/runTrace';
import { metricSeries } from '../../src/ui/traceSeries';

const step = (n: number, metrics: Record<string, number>): StepReport => ({
  type: 'step',
  step: n,
  epoch: 0,
  totalSteps: 10,
  elapsedMs: 0,
  throughput: 1,
  metrics: { trainLoss: 1, ...metrics },
});

const reports: RunReport[] = [
  step(1, { normalSkips: 0, hessianEigenvalue: 0.2, hessianCost: 3 }),
  step(2, { normalSkips: 1 }),
  step(3, { normalSkips: 2, hessianEigenvalue: 0.5, hessianCost: 3 }),
  {
    type: 'note',
    text: "DARTS+'s rule fired at step 3",
    detail: {
      earlyStop: { rule: 'skips', genotype: { normal: [] }, file: 'early-stop/genotype.json' },
    },
    halt: 'pause',
  },
];

describe("the lab's collapse charts and notice", () => {
  const trace = reports.reduce(traceReport, newTrace('darts', 0));

  it('draws each chart from its own key', () => {
    const [hessian, skips] = COLLAPSE_CHARTS.map((c) =>
      metricSeries(DARTS_INFO, trace, c.metric, c.keys),
    );
    expect(hessian?.map((s) => [s.name, s.points.map((p) => [p.step, p.value])])).toEqual([
      [
        'dominant Hessian eigenvalue (alphas)',
        [
          [1, 0.2],
          [3, 0.5],
        ],
      ],
    ]);
    expect(skips?.map((s) => s.points.map((p) => p.value))).toEqual([[0, 1, 2]]);
  });

  it('finds the rule that fired and the genotype it offers', () => {
    expect(earlyStopOf(trace)).toEqual({
      text: "DARTS+'s rule fired at step 3",
      genotype: { normal: [] },
      file: 'early-stop/genotype.json',
    });
    expect(earlyStopOf(reports.slice(0, 3).reduce(traceReport, newTrace('darts', 0)))).toBeNull();
  });
});
