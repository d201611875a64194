import { describe, expect, it } from 'vitest';
import { genotypeToJson } from '../../src/nas/genotype';
import { DARTS_V2 } from '../../src/nas/publishedGenotypes';
import { DivergenceWatch, divergedAt } from '../../src/worker/divergence';
import type { StepPoint } from '../../src/worker/protocol';

function point(extra: Partial<StepPoint> = {}): StepPoint {
  return {
    step: 1,
    epoch: 0,
    totalSteps: 4,
    trainLoss: 2,
    trainAccuracy: 0.1,
    valLoss: 2,
    weightLr: 0.025,
    imagesPerSecond: 1,
    elapsedMs: 1,
    alphaSoftmax: { normal: [[0.5, 0.5]], reduce: [[0.5, 0.5]] },
    genotype: genotypeToJson(DARTS_V2),
    ...extra,
  };
}

const cdarts = (phase: 'searchWarmup' | 'evalWarmup' | 'joint', evalLoss: number) => ({
  phase,
  evalLoss,
  evalAccuracy: 0.5,
  distillationLoss: Number.NaN,
  penalty: Number.NaN,
  evalGenotype: null,
});

describe('divergence watch', () => {
  it('sees a non-finite loss or alpha, and nothing else', () => {
    expect(divergedAt(point())).toBe(false);
    expect(divergedAt(point({ trainLoss: Number.NaN }))).toBe(true);
    expect(divergedAt(point({ valLoss: Number.POSITIVE_INFINITY }))).toBe(true);
    expect(divergedAt(point({ alphaSoftmax: { normal: [[Number.NaN, 1]], reduce: [[1]] } }))).toBe(
      true,
    );
  });

  it('ignores the figures a CDARTS phase does not have', () => {
    expect(
      divergedAt(point({ valLoss: Number.NaN, cdarts: cdarts('searchWarmup', Number.NaN) })),
    ).toBe(false);
    expect(
      divergedAt(
        point({ trainLoss: Number.NaN, valLoss: Number.NaN, cdarts: cdarts('evalWarmup', 1) }),
      ),
    ).toBe(false);
    expect(divergedAt(point({ cdarts: cdarts('evalWarmup', Number.NaN) }))).toBe(true);
    expect(divergedAt(point({ cdarts: cdarts('joint', Number.NaN) }))).toBe(true);
  });

  it('asks for a rollback the first time and a pause after that, until reset', () => {
    const watch = new DivergenceWatch();
    expect(watch.check(point())).toBe('ok');
    expect(watch.check(point({ trainLoss: Number.NaN }))).toBe('rollback');
    expect(watch.check(point())).toBe('ok');
    expect(watch.check(point({ trainLoss: Number.NaN }))).toBe('pause');
    watch.reset();
    expect(watch.check(point({ trainLoss: Number.NaN }))).toBe('rollback');
  });
});
