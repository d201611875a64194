/**
 * The search view's signs of learning from a run's step reports: the alphas' mean normalised
 * entropy per step (1 at uniform, lower as a row sharpens) and the steps since the derived
 * genotype last changed; and the view shows both (entropy chart, "unchanged for" line).
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { genotypeToJson } from '../../src/nas/genotype/genotype';
import { DARTS_V1, DARTS_V2 } from '../../src/nas/genotype/publishedGenotypes';
import type { StepReport } from '../../src/nas/runKind/runKind';
import { UnchangedCounter } from '../../src/ui/LearningSignals';
import type { RunTrace } from '../../src/ui/runTrace';
import { newTrace, traceReport } from '../../src/ui/runTrace';
import { entropySeries, stepsUnchanged } from '../../src/ui/searchProgress';

const step = (n: number, row: number[], genotype = DARTS_V2): StepReport => ({
  type: 'step',
  step: n,
  epoch: 0,
  totalSteps: 10,
  elapsedMs: n,
  throughput: 1,
  metrics: { trainLoss: 1 },
  alphas: [{ name: 'normal', ops: ['a', 'b'], softmax: [row, [0.5, 0.5]] }],
  genotype: genotypeToJson(genotype),
});

const traceOf = (...steps: StepReport[]): RunTrace =>
  steps.reduce(traceReport, newTrace('darts', 0));

describe('signs that a search learns', () => {
  it('charts the mean normalised entropy of the alphas, falling as a row sharpens', () => {
    const trace = traceOf(step(1, [0.5, 0.5]), step(2, [1, 0]), step(3, [0.9, 0.1]));
    const points = entropySeries(trace).points;
    expect(points.map((p) => p.step)).toEqual([1, 2, 3]);
    expect(points[0]?.value).toBeCloseTo(1, 12);
    // One row at 1, the other at 0: the mean.
    expect(points[1]?.value).toBeCloseTo(0.5, 12);
    const h = -(0.9 * Math.log(0.9) + 0.1 * Math.log(0.1)) / Math.log(2);
    expect(points[2]?.value).toBeCloseTo((h + 1) / 2, 12);
    expect(entropySeries(null).points).toEqual([]);
  });

  it('counts the steps since the genotype last changed', () => {
    const u = [0.5, 0.5];
    expect(stepsUnchanged(traceOf(step(1, u)))).toBe(null);
    expect(stepsUnchanged(traceOf(step(1, u), step(2, u), step(3, u)))).toBe(2);
    const changed = traceOf(step(1, u, DARTS_V1), step(2, u), step(3, u), step(4, u));
    expect(stepsUnchanged(changed)).toBe(2);
    expect(stepsUnchanged(traceOf(step(1, u), step(2, u, DARTS_V1)))).toBe(0);
    const html = renderToStaticMarkup(createElement(UnchangedCounter, { trace: changed }));
    expect(html).toContain('Genotype unchanged for 2 steps.');
  });
});
