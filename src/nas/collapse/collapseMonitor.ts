/**
 * The collapse monitor of one DARTS search: when the Hessian is measured, the series of
 * measurements, the normal cell's skip count, and the early-stopping rules over them
 * (`earlyStopRules.ts`), with what a run saves of it in its checkpoints so that a resumed run
 * continues the series and a rule that fired does not fire again. Positions map R-DARTS's epochs
 * to step indices (steps done − 1): it measures after epoch e when e % freq == 0 or at the last
 * epoch (`src/search/train_search.py` line 374), this after the step of index t when
 * t % hessianEvery == 0 or after the last step. No tfjs.
 */
import type { Genotype } from '../genotype/genotype';
import type { EigenPoint } from './earlyStopRules';
import { rdartsCheck, RDARTS_DEFAULTS, skipsCheck, DARTS_PLUS_SKIPS } from './earlyStopRules';

export interface CollapseSettings {
  readonly hessianEvery: number;
  readonly earlyStop: string;
  readonly earlyStopAction: string;
  readonly earlyStopStart: number;
}

/** A rule that fired: which, at which step (steps done), and the genotype it offers. */
export interface CollapseFiring {
  readonly rule: 'rdarts' | 'skips';
  readonly step: number;
  /** Why, in words with the values. */
  readonly text: string;
  /** The step whose genotype is offered (R-DARTS: the window's start; DARTS+: this step). */
  readonly offeredStep: number;
  readonly offered: Genotype;
  /** The values the rule compared. */
  readonly values: Readonly<Record<string, number>>;
}

/** What a checkpoint keeps of the monitor. */
export interface CollapseRecord {
  /** Measured eigenvalues by step (steps done), oldest first. */
  readonly eigenvalues: readonly { readonly step: number; readonly value: number }[];
  /** The rule that fired, if one did: it does not fire again in this run. */
  readonly fired: { readonly rule: 'rdarts' | 'skips'; readonly step: number } | null;
}

export const EMPTY_COLLAPSE_RECORD: CollapseRecord = { eigenvalues: [], fired: null };

/** The normal cell's skip connections (DARTS+'s count). */
export function normalSkips(genotype: Genotype): number {
  return genotype.normal.filter(([op]) => op === 'skip_connect').length;
}

/** The figures a step reports, and the firing, if a rule fired at it. */
export interface StepVerdict {
  readonly metrics: Readonly<Record<string, number>>;
  readonly firing: CollapseFiring | null;
}

const figure = (v: number): string => String(Number(v.toPrecision(4)));

export class CollapseMonitor {
  private readonly eigenvalues: { step: number; value: number }[];
  private fired: CollapseRecord['fired'];

  constructor(
    private readonly settings: CollapseSettings,
    record: CollapseRecord = EMPTY_COLLAPSE_RECORD,
  ) {
    this.eigenvalues = record.eigenvalues.map((e) => ({ ...e }));
    this.fired = record.fired;
  }

  /** Whether the step that brings the run to `step` steps done measures the Hessian. */
  measuresAt(step: number, totalSteps: number): boolean {
    const every = this.settings.hessianEvery;
    return every > 0 && ((step - 1) % every === 0 || step === totalSteps);
  }

  /**
   * After the step that brought the run to `step` steps done: its eigenvalue (where measured),
   * the genotype derived after it, and the genotype after any earlier step (`genotypeAt`).
   */
  afterStep(at: {
    readonly step: number;
    readonly totalSteps: number;
    readonly stepsPerEpoch: number;
    readonly eigenvalue?: number;
    readonly genotype: Genotype;
    readonly genotypeAt: (step: number) => Genotype;
  }): StepVerdict {
    const skips = normalSkips(at.genotype);
    const metrics: Record<string, number> = { normalSkips: skips };
    if (at.eigenvalue !== undefined) {
      metrics.hessianEigenvalue = at.eigenvalue;
      // A diverged measurement is reported (the chart leaves a gap) but joins no average.
      if (Number.isFinite(at.eigenvalue))
        this.eigenvalues.push({ step: at.step, value: at.eigenvalue });
    }
    const last = at.step === at.totalSteps;
    if (this.fired !== null || last) return { metrics, firing: null };
    const firing = this.check(at, skips);
    if (firing) this.fired = { rule: firing.rule, step: firing.step };
    return { metrics, firing };
  }

  private check(
    at: Parameters<CollapseMonitor['afterStep']>[0],
    skips: number,
  ): CollapseFiring | null {
    const start = this.settings.earlyStopStart * at.stepsPerEpoch;
    const index = at.step - 1;
    if (this.settings.earlyStop === 'skips' && skipsCheck(skips, index, start)) {
      return {
        rule: 'skips',
        step: at.step,
        text:
          `DARTS+'s rule fired at step ${at.step}: the normal cell holds ${skips} skip ` +
          `connections (≥ ${DARTS_PLUS_SKIPS}); its genotype is the one offered`,
        offeredStep: at.step,
        offered: at.genotype,
        values: { normalSkips: skips, threshold: DARTS_PLUS_SKIPS },
      };
    }
    if (this.settings.earlyStop !== 'rdarts' || at.eigenvalue === undefined) return null;
    const points: EigenPoint[] = this.eigenvalues.map((e) => ({ at: e.step - 1, value: e.value }));
    const every = this.settings.hessianEvery;
    const r = rdartsCheck(points, { ...RDARTS_DEFAULTS, every, start });
    if (!r) return null;
    const offeredStep = r.anchorAt + 1;
    return {
      rule: 'rdarts',
      step: at.step,
      text:
        `R-DARTS's rule fired at step ${at.step}: the local average of the dominant eigenvalue ` +
        `rose from ${figure(r.previous)} to ${figure(r.current)} (×${figure(r.ratio)} > ` +
        `${RDARTS_DEFAULTS.factor}, window ${RDARTS_DEFAULTS.window}, ${RDARTS_DEFAULTS.delta} ` +
        `averages apart); the genotype offered is the one after step ${offeredStep}, before the rise`,
      offeredStep,
      offered: at.genotypeAt(offeredStep),
      values: { current: r.current, previous: r.previous, ratio: r.ratio },
    };
  }

  /** What a checkpoint keeps. */
  record(): CollapseRecord {
    return { eigenvalues: this.eigenvalues.map((e) => ({ ...e })), fired: this.fired };
  }
}
