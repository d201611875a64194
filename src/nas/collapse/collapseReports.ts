/**
 * What the collapse monitor adds to a DARTS search's step reports: the figures (normal-cell
 * skips at every step; the eigenvalue and its cost as a share of the step's time where measured)
 * and, when a rule fires, the note that says which rule fired and why, offering the genotype the
 * rule names as `early-stop/genotype.json`, and asking the host to pause (action 'pause') or
 * ending the run with that genotype (action 'stop', R-DARTS `--early_stop 1`,
 * `src/search/train_search.py` lines 178-194). No tfjs.
 */
import type { Genotype } from '../genotype/genotype';
import { genotypeToJson, stringifyGenotype } from '../genotype/genotype';
import type { GenotypeHistory } from '../genotype/genotypeHistory';
import type { NoteReport } from '../runKind/runKind';
import type { ProbeResult } from '../darts/searchLoop';
import type { CollapseFiring, CollapseMonitor } from './collapseMonitor';

/** Where the offered genotype is written (CLI) or offered (lab). */
export const EARLY_STOP_GENOTYPE_FILE = 'early-stop/genotype.json';

/** The genotype derived after `step` steps, from a search's genotype history. */
export function genotypeAtStep(history: GenotypeHistory, step: number): Genotype {
  let found: Genotype | null = null;
  for (const change of history) {
    if (change.step > step) break;
    found = change.genotype;
  }
  if (found === null) throw new Error(`the genotype history does not reach back to step ${step}`);
  return found;
}

/** The note of a firing rule; `halt` where the run pauses after it. */
export function earlyStopNote(firing: CollapseFiring, action: string): NoteReport {
  const then = action === 'stop' ? 'the search stops' : 'the search pauses (it may go on)';
  return {
    type: 'note',
    text: `${firing.text}; ${then}`,
    detail: {
      earlyStop: {
        rule: firing.rule,
        step: firing.step,
        action,
        values: firing.values,
        offeredStep: firing.offeredStep,
        genotype: genotypeToJson(firing.offered),
        file: EARLY_STOP_GENOTYPE_FILE,
      },
    },
    files: [{ path: EARLY_STOP_GENOTYPE_FILE, data: stringifyGenotype(firing.offered) }],
    ...(action === 'stop' ? {} : { halt: 'pause' as const }),
  };
}

/** The monitor's part of a step: its figures, and its firing (null: none). */
export function collapseStep(
  monitor: CollapseMonitor,
  event: {
    readonly step: number;
    readonly totalSteps: number;
    readonly stepsPerEpoch: number;
    readonly genotype: Genotype;
    readonly probe?: ProbeResult;
  },
  history: () => GenotypeHistory,
): { readonly metrics: Readonly<Record<string, number>>; readonly firing: CollapseFiring | null } {
  const eigenvalue = event.probe?.metrics.hessianEigenvalue;
  const verdict = monitor.afterStep({
    step: event.step,
    totalSteps: event.totalSteps,
    stepsPerEpoch: event.stepsPerEpoch,
    genotype: event.genotype,
    genotypeAt: (step) => genotypeAtStep(history(), step),
    ...(eigenvalue === undefined ? {} : { eigenvalue }),
  });
  const metrics: Record<string, number> = { ...verdict.metrics };
  // The measurement's time as a share of the step's: what the monitor costs.
  if (event.probe) metrics.hessianCost = event.probe.ms / Math.max(event.probe.stepMs, 1e-3);
  return { metrics, firing: verdict.firing };
}
