/**
 * The divergence watch on a run's step reports: a non-finite watched metric (only those the step
 * reports: a CDARTS phase leaves out the figures it has none of), a non-finite alpha softmax, or
 * max |α| above the limit; the first divergence asks for a rollback, later ones for a pause.
 */
import { describe, expect, it } from 'vitest';
import { CDARTS_INFO } from '../../src/nas/cdarts/cdartsKindInfo';
import { DARTS_INFO } from '../../src/nas/darts/dartsKindInfo';
import type { StepReport } from '../../src/nas/runKind/runKind';
import {
  DEFAULT_DIVERGENCE_ALPHA_LIMIT,
  DivergenceWatch,
  reportDivergenceAt,
} from '../../src/worker/divergence';

function report(
  metrics: Readonly<Record<string, number>> = { trainLoss: 2, valLoss: 2, trainAccuracy: 0.1 },
  extra: Partial<StepReport> = {},
): StepReport {
  return {
    type: 'step',
    step: 1,
    epoch: 0,
    totalSteps: 4,
    elapsedMs: 1,
    throughput: 1,
    metrics,
    alphas: [
      { name: 'normal', ops: ['a', 'b'], softmax: [[0.5, 0.5]] },
      { name: 'reduce', ops: ['a', 'b'], softmax: [[0.5, 0.5]] },
    ],
    ...extra,
  };
}

const darts = (r: StepReport, limit?: number) => reportDivergenceAt(DARTS_INFO, r, limit);
const diverged = (r: StepReport, limit?: number) => darts(r, limit) !== null;

describe('divergence watch', () => {
  it('sees a non-finite loss or alpha, and nothing else', () => {
    expect(diverged(report())).toBe(false);
    expect(diverged(report({ trainLoss: Number.NaN, valLoss: 2 }))).toBe(true);
    expect(diverged(report({ trainLoss: 2, valLoss: Number.POSITIVE_INFINITY }))).toBe(true);
    // Not watched: an accuracy is no loss.
    expect(diverged(report({ trainLoss: 2, valLoss: 2, trainAccuracy: Number.NaN }))).toBe(false);
    const nanAlpha = report(undefined, {
      alphas: [{ name: 'normal', ops: ['a', 'b'], softmax: [[Number.NaN, 1]] }],
    });
    expect(diverged(nanAlpha)).toBe(true);
  });

  it('ignores the figures a CDARTS phase does not have', () => {
    const cdarts = (metrics: Record<string, number>) =>
      reportDivergenceAt(CDARTS_INFO, report(metrics));
    // Search warm-up: the search network's training loss only.
    expect(cdarts({ trainLoss: 2 })).toBeNull();
    // Evaluation warm-up: the evaluation network's loss only.
    expect(cdarts({ evalLoss: 1 })).toBeNull();
    expect(cdarts({ evalLoss: Number.NaN })).toBe('the evaluation network loss is NaN');
    expect(cdarts({ trainLoss: 2, valLoss: 2, evalLoss: Number.NaN })).toBe(
      'the evaluation network loss is NaN',
    );
  });

  it('sees exploding alphas: a finite max |α| above the limit, not at it', () => {
    expect(DEFAULT_DIVERGENCE_ALPHA_LIMIT).toBe(100);
    const maxAbs = (alphaMaxAbs: number) => report(undefined, { alphaMaxAbs });
    expect(diverged(maxAbs(3.2))).toBe(false);
    expect(diverged(maxAbs(100))).toBe(false);
    expect(darts(maxAbs(1.5e6))).toBe(
      'the alphas exploded: max |α| = 1.50e+6, above the limit 100',
    );
    expect(diverged(maxAbs(100.5))).toBe(true);
    expect(diverged(maxAbs(50), 10)).toBe(true);
    expect(diverged(maxAbs(50), 1e3)).toBe(false);
    expect(darts(maxAbs(Number.NaN))).toBe('an alpha is not a finite number');
    expect(darts(maxAbs(Number.POSITIVE_INFINITY))).toBe('an alpha is not a finite number');
  });

  it('names what diverged', () => {
    expect(darts(report())).toBeNull();
    expect(darts(report({ trainLoss: 2, valLoss: Number.POSITIVE_INFINITY }))).toBe(
      'the validation loss is Infinity',
    );
    expect(darts(report({ trainLoss: Number.NaN, valLoss: 2 }))).toBe('the training loss is NaN');
  });

  it('asks for a rollback the first time and a pause after that, until reset', () => {
    const watch = new DivergenceWatch();
    const check = (r: StepReport) => watch.verdict(darts(r, watch.alphaLimit));
    expect(check(report()).verdict).toBe('ok');
    expect(check(report({ trainLoss: Number.NaN, valLoss: 2 })).verdict).toBe('rollback');
    expect(check(report()).verdict).toBe('ok');
    expect(check(report(undefined, { alphaMaxAbs: 1e9 }))).toEqual({
      verdict: 'pause',
      reason: 'the alphas exploded: max |α| = 1.00e+9, above the limit 100',
    });
    watch.reset();
    expect(check(report({ trainLoss: Number.NaN, valLoss: 2 })).verdict).toBe('rollback');
    const strict = new DivergenceWatch(1);
    const r = report(undefined, { alphaMaxAbs: 2 });
    expect(check(r).verdict).toBe('ok');
    expect(strict.verdict(darts(r, strict.alphaLimit)).verdict).toBe('rollback');
  });
});
