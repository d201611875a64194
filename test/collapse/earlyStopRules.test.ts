/**
 * The early-stopping rules (src/nas/collapse/earlyStopRules.ts) against R-DARTS's own code: on
 * every synthetic series of test/fixtures/earlyStop.json (scripts/fixtures/early_stop_ref.py ran
 * automl/RobustDARTS `src/utils.py` EVLocalAvg as train_search.py drives it), the rule fires at
 * the same measurement, not one earlier, and looks back to the same epoch; DARTS+'s skip rule at
 * two skips.
 */
import { describe, expect, it } from 'vitest';
import type { EigenPoint } from '../../src/nas/collapse/earlyStopRules';
import {
  localAverages,
  rdartsCheck,
  RDARTS_DEFAULTS,
  skipsCheck,
} from '../../src/nas/collapse/earlyStopRules';
import { loadFixture } from '../support/fixtures';

interface EarlyStopCase {
  readonly name: string;
  readonly series: readonly number[];
  readonly epochs: number;
  readonly freq: number;
  readonly window: number;
  readonly delta: number;
  readonly factor: number;
  readonly start: number;
  readonly measured: readonly number[];
  readonly firedAtEpoch: number | null;
  readonly stopEpoch: number | null;
  readonly localAverages: readonly number[];
}

const fx = loadFixture<{ cases: readonly EarlyStopCase[] }>('earlyStop.json');

describe("R-DARTS's rule fires where the official code does", () => {
  it('covers firing and silent series', () => {
    expect(fx.cases.filter((c) => c.firedAtEpoch !== null).length).toBeGreaterThan(10);
    expect(fx.cases.filter((c) => c.firedAtEpoch === null).length).toBeGreaterThan(3);
  });

  for (const c of fx.cases) {
    const label = `${c.name}: every ${c.freq}, window ${c.window}, delta ${c.delta}, factor ${c.factor}, start ${c.start}`;
    it(`${label} → ${c.firedAtEpoch === null ? 'never' : `epoch ${c.firedAtEpoch}`}`, () => {
      const params = {
        window: c.window,
        delta: c.delta,
        factor: c.factor,
        every: c.freq,
        start: c.start,
      };
      const points: EigenPoint[] = [];
      let fired: { at: number; anchorAt: number } | null = null;
      for (const [i, at] of c.measured.entries()) {
        points.push({ at, value: c.series[i] as number });
        if (at === c.epochs - 1) break;
        const firing = rdartsCheck(points, params);
        if (firing) {
          fired = { at, anchorAt: firing.anchorAt };
          break;
        }
      }
      expect(fired?.at ?? null).toBe(c.firedAtEpoch);
      expect(fired?.anchorAt ?? null).toBe(c.stopEpoch);
      // The official tracker's local averages, up to where it stopped or before its last
      // epoch (where it appends the shrinking tail averages of update()'s last branch instead).
      const checked = points.filter((q) => q.at !== c.epochs - 1).map((q) => q.value);
      const mine = localAverages(checked, c.window);
      expect(mine.length).toBeGreaterThan(0);
      mine.forEach((v, i) => expect(v).toBeCloseTo(c.localAverages[i] as number, 12));
    });
  }

  it('uses the official defaults', () => {
    expect(RDARTS_DEFAULTS).toEqual({ window: 5, delta: 4, factor: 1.3 });
  });
});

describe("DARTS+'s skip rule", () => {
  it('fires at two skip connections in the normal cell, from the start position on', () => {
    expect(skipsCheck(1, 50, 0)).toBe(false);
    expect(skipsCheck(2, 50, 0)).toBe(true);
    expect(skipsCheck(3, 50, 0)).toBe(true);
    expect(skipsCheck(2, 9, 10)).toBe(false);
    expect(skipsCheck(2, 10, 10)).toBe(true);
  });
});
