/**
 * The collapse monitor (src/nas/collapse/collapseMonitor.ts) over synthetic series: when it
 * measures (R-DARTS's schedule in steps), the normal cell's skip count, where each rule fires and
 * which genotype it offers, that a rule fires once, and that a monitor restored from its record
 * (a resumed run) fires exactly where the uninterrupted one does.
 */
import { describe, expect, it } from 'vitest';
import type { Genotype } from '../../src/nas/genotype/genotype';
import type { CollapseFiring, CollapseSettings } from '../../src/nas/collapse/collapseMonitor';
import { CollapseMonitor, normalSkips } from '../../src/nas/collapse/collapseMonitor';
import { earlyStopNote, genotypeAtStep } from '../../src/nas/collapse/collapseReports';

/** A genotype of two nodes whose normal cell holds `skips` skip connections. */
function withSkips(skips: number): Genotype {
  const ops = ['skip_connect', 'skip_connect', 'skip_connect', 'skip_connect'].map((op, i) =>
    i < skips ? op : 'sep_conv_3x3',
  );
  return {
    normal: ops.map((op, i) => [op, i % 2] as const) as Genotype['normal'],
    normalConcat: [2, 3],
    reduce: [
      ['max_pool_3x3', 0],
      ['max_pool_3x3', 1],
      ['max_pool_3x3', 0],
      ['max_pool_3x3', 1],
    ],
    reduceConcat: [2, 3],
  };
}

const RDARTS: CollapseSettings = {
  hessianEvery: 2,
  earlyStop: 'rdarts',
  earlyStopAction: 'pause',
  earlyStopStart: 1,
};

/** Steps 1…total through `monitor` with eigenvalue `ev(step)` where measured; the firings. */
function drive(
  monitor: CollapseMonitor,
  from: number,
  to: number,
  ev: (step: number) => number,
  genotypeAt: (step: number) => Genotype = () => withSkips(0),
  total = 60,
): CollapseFiring[] {
  const fired: CollapseFiring[] = [];
  for (let step = from; step <= to; step++) {
    const measured = monitor.measuresAt(step, total);
    const v = monitor.afterStep({
      step,
      totalSteps: total,
      stepsPerEpoch: 4,
      genotype: genotypeAt(step),
      genotypeAt,
      ...(measured ? { eigenvalue: ev(step) } : {}),
    });
    expect('hessianEigenvalue' in v.metrics).toBe(measured);
    if (v.firing) fired.push(v.firing);
  }
  return fired;
}

/** Flat at 0.1 until step 30, then ×1.2 per measurement. */
const rising = (step: number) => (step <= 30 ? 0.1 : 0.1 * 1.2 ** ((step - 29) / 2));

describe('CollapseMonitor', () => {
  it('measures after the first step, every hessianEvery steps, and after the last', () => {
    const m = new CollapseMonitor({ ...RDARTS, hessianEvery: 3 });
    const due = Array.from({ length: 10 }, (_, i) => i + 1).filter((s) => m.measuresAt(s, 10));
    expect(due).toEqual([1, 4, 7, 10]);
    const off = new CollapseMonitor({ ...RDARTS, hessianEvery: 0 });
    expect([1, 2, 3].some((s) => off.measuresAt(s, 3))).toBe(false);
  });

  it('counts the skip connections of the normal cell only', () => {
    expect(normalSkips(withSkips(0))).toBe(0);
    expect(normalSkips(withSkips(3))).toBe(3);
  });

  it("fires R-DARTS's rule once, offering the genotype at the window's start", () => {
    const genotypeAt = (step: number) => withSkips(step % 3);
    const fired = drive(new CollapseMonitor(RDARTS), 1, 59, rising, genotypeAt);
    expect(fired).toHaveLength(1);
    const f = fired[0] as CollapseFiring;
    expect(f.rule).toBe('rdarts');
    // The window spans ⌊5/2⌋ + 4 = 6 measurements of 2 steps back from the firing one.
    expect(f.offeredStep).toBe(f.step - 12);
    expect(f.offered).toEqual(genotypeAt(f.offeredStep));
    expect(f.values.ratio).toBeGreaterThan(1.3);
    // One measurement earlier, the ratio of local averages was still at most 1.3.
    const earlier = drive(new CollapseMonitor(RDARTS), 1, f.step - 2, rising);
    expect(earlier).toHaveLength(0);
  });

  it('does not fire on the last step, nor before its start epoch', () => {
    const late = drive(new CollapseMonitor({ ...RDARTS, earlyStopStart: 100 }), 1, 59, rising);
    expect(late).toHaveLength(0);
  });

  it('fires at the same step after a resume from its record, and not again after firing', () => {
    const whole = drive(new CollapseMonitor(RDARTS), 1, 59, rising);
    const first = new CollapseMonitor(RDARTS);
    expect(drive(first, 1, 25, rising)).toHaveLength(0);
    const record = JSON.parse(JSON.stringify(first.record())) as ReturnType<
      CollapseMonitor['record']
    >;
    expect(record.eigenvalues.map((e) => e.step)).toEqual([
      1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25,
    ]);
    const resumed = new CollapseMonitor(RDARTS, record);
    const after = drive(resumed, 26, 59, rising);
    expect(after.map((f) => [f.step, f.offeredStep])).toEqual(
      whole.map((f) => [f.step, f.offeredStep]),
    );
    const again = new CollapseMonitor(RDARTS, resumed.record());
    expect(drive(again, 26, 59, rising)).toHaveLength(0);
    expect(resumed.record().fired).toEqual({ rule: 'rdarts', step: whole[0]?.step });
  });

  it("fires DARTS+'s rule at the first step whose normal cell holds two skips", () => {
    const skipsAt = (step: number) => withSkips(step < 9 ? 1 : 2);
    const settings = { ...RDARTS, hessianEvery: 0, earlyStop: 'skips' };
    const fired = drive(new CollapseMonitor(settings), 1, 20, rising, skipsAt);
    expect(fired.map((f) => [f.rule, f.step, f.offeredStep])).toEqual([['skips', 9, 9]]);
    // Before its start epoch (1 × 4 steps: step index 4) it stays silent.
    const early = (step: number) => withSkips(step < 3 ? 1 : 2);
    const atStart = drive(new CollapseMonitor(settings), 1, 20, rising, early);
    expect(atStart.map((f) => f.step)).toEqual([5]);
  });
});

describe('the early-stop note', () => {
  const firing: CollapseFiring = {
    rule: 'skips',
    step: 9,
    text: 'rule text',
    offeredStep: 9,
    offered: withSkips(2),
    values: { normalSkips: 2 },
  };

  it('offers the genotype as a file and asks to pause', () => {
    const note = earlyStopNote(firing, 'pause');
    expect(note.halt).toBe('pause');
    expect(note.text).toContain('rule text');
    expect(note.files?.map((f) => f.path)).toEqual(['early-stop/genotype.json']);
    expect(String(note.files?.[0]?.data)).toContain('skip_connect');
  });

  it('does not ask to pause when the run stops', () => {
    expect(earlyStopNote(firing, 'stop').halt).toBeUndefined();
  });

  it('finds the genotype after a step in a history of changes', () => {
    const history = [
      { step: 0, genotype: withSkips(0) },
      { step: 4, genotype: withSkips(1) },
      { step: 9, genotype: withSkips(2) },
    ];
    expect(genotypeAtStep(history, 3)).toEqual(withSkips(0));
    expect(genotypeAtStep(history, 4)).toEqual(withSkips(1));
    expect(genotypeAtStep(history, 20)).toEqual(withSkips(2));
  });
});
