import { describe, expect, it } from 'vitest';
import { genotypeToJson } from '../../src/nas/genotype/genotype';
import { DARTS_V2 } from '../../src/nas/genotype/publishedGenotypes';
import { accuracySeries, lossSeries } from '../../src/ui/searchSeries';
import type { StepPoint } from '../../src/worker/protocol';

const genotype = genotypeToJson(DARTS_V2);

function point(step: number, extra: Partial<StepPoint> = {}): StepPoint {
  return {
    step,
    epoch: 0,
    totalSteps: 4,
    trainLoss: 2,
    trainAccuracy: 0.1,
    valLoss: 2.1,
    weightLr: 0.025,
    imagesPerSecond: 1,
    elapsedMs: 1,
    alphaSoftmax: { normal: [], reduce: [] },
    genotype,
    ...extra,
  };
}

describe('search chart series', () => {
  it('DARTS: train and validation curves only', () => {
    const s = lossSeries([point(1), point(2)]);
    expect(s.map((x) => x.name)).toEqual(['train loss', 'validation loss (alpha objective)']);
    expect(s[0]?.points).toEqual([
      { step: 1, value: 2 },
      { step: 2, value: 2 },
    ]);
  });

  it('CDARTS: both networks and the distillation loss, with gaps where a phase has no figure', () => {
    const warm = point(1, {
      valLoss: Number.NaN,
      cdarts: {
        phase: 'searchWarmup',
        evalLoss: Number.NaN,
        evalAccuracy: Number.NaN,
        distillationLoss: Number.NaN,
        penalty: Number.NaN,
        evalGenotype: null,
      },
    });
    const evalWarm = point(2, {
      trainLoss: Number.NaN,
      trainAccuracy: Number.NaN,
      valLoss: Number.NaN,
      cdarts: {
        phase: 'evalWarmup',
        evalLoss: 1.5,
        evalAccuracy: 0.4,
        distillationLoss: Number.NaN,
        penalty: Number.NaN,
        evalGenotype: genotype,
      },
    });
    const joint = point(3, {
      cdarts: {
        phase: 'joint',
        evalLoss: 1.2,
        evalAccuracy: 0.5,
        distillationLoss: 0.3,
        penalty: 4,
        evalGenotype: genotype,
      },
    });
    const loss = lossSeries([warm, evalWarm, joint]);
    expect(loss.map((x) => [x.name, x.points.map((p) => p.step)])).toEqual([
      ['search network train loss', [1, 3]],
      ['validation loss (alpha objective)', [3]],
      ['evaluation network loss', [2, 3]],
      ['distillation loss', [3]],
    ]);
    const acc = accuracySeries(
      [warm, evalWarm, joint],
      [
        {
          epoch: 0,
          step: 1,
          valLoss: 2,
          valAccuracy: 0.2,
          evalValLoss: null,
          evalValAccuracy: null,
        },
        { epoch: 1, step: 3, valLoss: 2, valAccuracy: 0.3, evalValLoss: 1, evalValAccuracy: 0.6 },
      ],
    );
    expect(acc.map((x) => [x.name, x.points.map((p) => p.value)])).toEqual([
      ['search network train accuracy', [0.1, 0.1]],
      ['validation accuracy (epoch end)', [0.2, 0.3]],
      ['evaluation network accuracy', [0.4, 0.5]],
      ['evaluation network validation accuracy (epoch end)', [0.6]],
    ]);
  });
});
