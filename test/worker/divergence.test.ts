import { describe, expect, it } from 'vitest';
import { genotypeToJson } from '../../src/nas/genotype/genotype';
import { DARTS_V2 } from '../../src/nas/genotype/publishedGenotypes';
import {
  DEFAULT_DIVERGENCE_ALPHA_LIMIT,
  DivergenceWatch,
  divergedAt,
  divergenceAt,
} from '../../src/worker/divergence';
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

  it('sees exploding alphas: a finite max |α| above the limit, not at it', () => {
    expect(DEFAULT_DIVERGENCE_ALPHA_LIMIT).toBe(100);
    expect(divergedAt(point({ alphaMaxAbs: 3.2 }))).toBe(false);
    expect(divergedAt(point({ alphaMaxAbs: 100 }))).toBe(false);
    expect(divergenceAt(point({ alphaMaxAbs: 1.5e6 }))).toBe(
      'the alphas exploded: max |α| = 1.50e+6, above the limit 100',
    );
    expect(divergedAt(point({ alphaMaxAbs: 100.5 }))).toBe(true);
    expect(divergedAt(point({ alphaMaxAbs: 50 }), 10)).toBe(true);
    expect(divergedAt(point({ alphaMaxAbs: 50 }), 1e3)).toBe(false);
    expect(divergenceAt(point({ alphaMaxAbs: Number.NaN }))).toBe(
      'an alpha is not a finite number',
    );
    expect(divergenceAt(point({ alphaMaxAbs: Number.POSITIVE_INFINITY }))).toBe(
      'an alpha is not a finite number',
    );
  });

  it('names what diverged', () => {
    expect(divergenceAt(point())).toBeNull();
    expect(divergenceAt(point({ valLoss: Number.POSITIVE_INFINITY }))).toBe(
      'the validation loss is Infinity',
    );
    expect(divergenceAt(point({ trainLoss: Number.NaN }))).toBe('the training loss is NaN');
    expect(divergenceAt(point({ cdarts: cdarts('evalWarmup', Number.NaN) }))).toBe(
      "the evaluation network's loss is NaN",
    );
  });

  it('asks for a rollback the first time and a pause after that, until reset', () => {
    const watch = new DivergenceWatch();
    const verdict = (p: StepPoint) => watch.check(p).verdict;
    expect(verdict(point())).toBe('ok');
    expect(verdict(point({ trainLoss: Number.NaN }))).toBe('rollback');
    expect(verdict(point())).toBe('ok');
    expect(watch.check(point({ alphaMaxAbs: 1e9 }))).toEqual({
      verdict: 'pause',
      reason: 'the alphas exploded: max |α| = 1.00e+9, above the limit 100',
    });
    watch.reset();
    expect(verdict(point({ trainLoss: Number.NaN }))).toBe('rollback');
    const strict = new DivergenceWatch(1);
    expect(verdict(point({ alphaMaxAbs: 2 }))).toBe('ok');
    expect(strict.check(point({ alphaMaxAbs: 2 })).verdict).toBe('rollback');
  });
});
