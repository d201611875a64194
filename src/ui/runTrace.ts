/**
 * What the page keeps of a run: its uniform reports (runKind.ts) as they came, under the slot of
 * its command and space (a convolutional search and its retrain, a recurrent search and its
 * retrain: the page shows one of each side by side). The views read them by metric key and by
 * the kind's descriptor, so a new kind of an existing shape needs no page code.
 *
 * Pure. Consecutive steps whose genotype did not change share one genotype object, so memoised
 * views of the cells and the genotype skip their work until the architecture really changes.
 */
import type {
  AlphaGroup,
  DoneReport,
  EpochReport,
  NoteReport,
  RunCommand,
  RunKindInfo,
  RunReport,
  RunSelector,
  StepReport,
} from '../nas/runKind/runKind';

/** Where the page shows a kind's runs: its space and command ('cnn:search', 'rnn:retrain'). */
export type RunSlot = `${RunSelector['space']}:${RunCommand}`;

export function slotOf(info: RunKindInfo): RunSlot {
  return `${info.select.space}:${info.command}`;
}

/** Where a run stood before its first step, as its opening notes tell (a resumed run's place). */
export interface Standing {
  readonly step: number;
  /** The architecture weights' softmax, where the notes name them. */
  readonly alphas: readonly AlphaGroup[] | null;
  /** The genotype in the kind's JSON form (a retrain's, a resumed search's), or null. */
  readonly genotype: unknown;
}

export interface RunTrace {
  /** The kind's id. */
  readonly kind: string;
  /** The step it started at: 0, or where the checkpoint it resumed from stood. */
  readonly from: number;
  readonly notes: readonly NoteReport[];
  readonly opening: Standing;
  readonly steps: readonly StepReport[];
  readonly epochs: readonly EpochReport[];
  readonly done: DoneReport | null;
  /** A finished run's model file (`.nas`), named for download: `nas-lab-<kind>-model.nas`. */
  readonly model: { readonly name: string; readonly bytes: ArrayBuffer } | null;
}

export function newTrace(kind: string, from: number): RunTrace {
  return {
    kind,
    from,
    notes: [],
    opening: { step: from, alphas: null, genotype: null },
    steps: [],
    epochs: [],
    done: null,
    model: null,
  };
}

const isRecord = (v: unknown): v is Readonly<Record<string, unknown>> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A report's `detail` as a record (empty where it has none or it is not one). */
export function detailOf(report: { readonly detail?: unknown }): Readonly<Record<string, unknown>> {
  return isRecord(report.detail) ? report.detail : {};
}

/** A report's figure by metric key; NaN where it has none (the charts draw a gap). */
export function metricOf(
  report: { readonly metrics: Readonly<Record<string, number>> } | null | undefined,
  key: string,
): number {
  return report?.metrics[key] ?? Number.NaN;
}

function sameJson(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** A note before the first step may say where the run stands: its alphas, its genotype. */
function withNote(trace: RunTrace, note: NoteReport): RunTrace {
  const notes = [...trace.notes, note];
  if (trace.steps.length > 0) return { ...trace, notes };
  const d = detailOf(note);
  const { opening } = trace;
  return {
    ...trace,
    notes,
    opening: {
      step: typeof d.resumedFrom === 'number' ? d.resumedFrom : opening.step,
      alphas: Array.isArray(d.alphas) ? (d.alphas as AlphaGroup[]) : opening.alphas,
      genotype: d.genotype ?? opening.genotype,
    },
  };
}

/** The step, holding the genotype object it had before where the genotype did not change. */
function withSharedGenotype(step: StepReport, before: unknown): StepReport {
  if (step.genotype === undefined || before === null || before === undefined) return step;
  return sameJson(before, step.genotype) ? { ...step, genotype: before } : step;
}

/** A done report's model file (bytes whose path ends in `.nas`), named for download. */
function modelOf(kind: string, done: DoneReport): RunTrace['model'] {
  const file = (done.files ?? []).find(
    (f) => f.path.endsWith('.nas') && f.data instanceof Uint8Array,
  );
  if (!file || !(file.data instanceof Uint8Array)) return null;
  return {
    name: `nas-lab-${kind}-${file.path.replace(/\//g, '-')}`,
    bytes: file.data.slice().buffer,
  };
}

/** The trace with one more report. */
export function traceReport(trace: RunTrace, report: RunReport): RunTrace {
  switch (report.type) {
    case 'note':
      return withNote(trace, report);
    case 'step': {
      const before = trace.steps.at(-1)?.genotype ?? trace.opening.genotype;
      return { ...trace, steps: [...trace.steps, withSharedGenotype(report, before)] };
    }
    case 'epoch':
      return { ...trace, epochs: [...trace.epochs, report] };
    case 'done':
      return { ...trace, done: report, model: modelOf(trace.kind, report) ?? trace.model };
  }
}

/** The trace as it stood at `step` (a rollback or a recovery went back there). */
export function traceUpTo(trace: RunTrace, step: number): RunTrace {
  return {
    ...trace,
    steps: trace.steps.filter((r) => r.step <= step),
    epochs: trace.epochs.filter((r) => r.step <= step),
    done: trace.done && trace.done.step <= step ? trace.done : null,
  };
}

/** The genotype the run has now: its latest step's, else where it stood before its steps. */
export function latestGenotype(trace: RunTrace | null | undefined): unknown {
  return trace?.steps.at(-1)?.genotype ?? trace?.opening.genotype ?? null;
}
