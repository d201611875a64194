/**
 * The lab's state as a pure reduction over the worker's messages: its status, backend, notices
 * and autosaves, and per slot (a convolutional search and its retrain, a recurrent search and its
 * retrain) the reports of the latest run there (runTrace.ts), which the views read by metric key.
 */
import type { GenotypeJson } from '../nas/genotype/genotype';
import type { AutosaveSummary, FromWorker, RunStatus } from '../worker/protocol';
import { findRunKind } from '../nas/runKind/registry';
import type { Settings } from '../nas/runKind/settingsSchema';
import type { RunSlot, RunTrace } from './runTrace';
import { newTrace, slotOf, traceReport, traceUpTo } from './runTrace';

export interface ModelEvaluation {
  readonly testLoss: number;
  readonly testAccuracy: number;
  readonly testImages: number;
  /** The test accuracy the file recorded when it was saved. */
  readonly savedAccuracy: number;
  readonly genotype: GenotypeJson;
}

export interface LabState {
  readonly status: RunStatus;
  readonly backend: { readonly name: string; readonly reason: string } | null;
  readonly error: string | null;
  /** The latest evaluation of a loaded model file. */
  readonly evaluation: ModelEvaluation | null;
  /** Something the run did by itself that the user should know (a rollback). */
  readonly notice: string | null;
  /** The latest autosave of this run. */
  readonly lastAutosave: { readonly step: number; readonly savedAt: number } | null;
  /** Autosaves found in the browser's storage (offered for resuming after a reload). */
  readonly autosaves: readonly AutosaveSummary[];
  /** The run the worker runs or last ran: its kind and settings ('runStarted'). */
  readonly run: {
    readonly kind: string;
    readonly settings: Settings;
    readonly step: number;
  } | null;
  /** The slot of the run the worker runs now (or ran last): what a rollback cuts back. */
  readonly active: RunSlot;
  /** Per slot, the reports of the latest run there. */
  readonly runs: Readonly<Partial<Record<RunSlot, RunTrace>>>;
}

export const INITIAL_LAB_STATE: LabState = {
  status: 'idle',
  backend: null,
  error: null,
  run: null,
  active: 'cnn:search',
  runs: {},
  lastAutosave: null,
  notice: null,
  evaluation: null,
  autosaves: [],
};

/** State when a search starts or a checkpoint loads: everything from an earlier run is cleared. */
export function searchStarted(): LabState {
  return { ...INITIAL_LAB_STATE, status: 'loading' };
}

/**
 * State when a run of `kind` starts: a search clears everything from an earlier run; a retrain
 * keeps the search's results and starts its own view empty.
 */
export function runStarting(state: LabState, kind: string): LabState {
  const info = findRunKind(kind)?.info;
  if (!info) return searchStarted();
  const slot = slotOf(info);
  if (info.command === 'search') return { ...searchStarted(), active: slot };
  const runs = { ...state.runs };
  delete runs[slot];
  return { ...state, status: 'loading', error: null, active: slot, runs };
}

/** A run of a kind started or was restored: its slot starts where it stands. */
function runStarted(state: LabState, m: Extract<FromWorker, { type: 'runStarted' }>): LabState {
  const run = { kind: m.kind, settings: m.settings, step: m.step };
  const info = findRunKind(m.kind)?.info;
  if (!info) return { ...state, run };
  const slot = slotOf(info);
  const runs = { ...state.runs, [slot]: newTrace(m.kind, m.step) };
  return { ...state, run, active: slot, error: null, runs };
}

/** A report of a run, into its kind's slot (a trace begins there if none of its kind did). */
function reportOfRun(state: LabState, m: Extract<FromWorker, { type: 'report' }>): LabState {
  const info = findRunKind(m.kind)?.info;
  if (!info) return state;
  const slot = slotOf(info);
  const trace = state.runs[slot];
  const base = trace && trace.kind === m.kind ? trace : newTrace(m.kind, 0);
  return { ...state, runs: { ...state.runs, [slot]: traceReport(base, m.report) } };
}

/** What notices call the run of a slot. */
const RUN_NAMES: Readonly<Record<RunSlot, string>> = {
  'cnn:search': 'search',
  'cnn:retrain': 'retrain',
  'rnn:search': 'recurrent search',
  'rnn:retrain': 'recurrent retrain',
};

/** The running run's trace as it stood at `step` (a rollback or a recovery went back there). */
function upTo(state: LabState, step: number): LabState {
  const trace = state.runs[state.active];
  if (!trace) return state;
  return { ...state, runs: { ...state.runs, [state.active]: traceUpTo(trace, step) } };
}

const capitalised = (text: string) => `${text[0]?.toUpperCase() ?? ''}${text.slice(1)}`;

export function reduceLab(state: LabState, m: FromWorker): LabState {
  switch (m.type) {
    case 'status':
      return { ...state, status: m.status };
    case 'backend':
      return { ...state, backend: { name: m.backend, reason: m.reason } };
    case 'recovered':
      return {
        ...upTo(state, m.resumedAt),
        notice: `${capitalised(m.reason)}. The ${RUN_NAMES[state.active]} went back to its last checkpoint (step ${m.resumedAt}) and goes on, on ${m.backend}.`,
      };
    case 'diverged': {
      const rates = Object.entries(m.live)
        .map(([key, value]) => `${value.toPrecision(3)} (${key})`)
        .join(', ');
      return {
        // The steps after the rollback point are gone; the charts continue from it.
        ...upTo(state, m.rolledBackTo),
        notice: `The ${RUN_NAMES[state.active]} diverged at step ${m.step} (${m.reason ?? 'a loss or an alpha was not a finite number'}). It went back to step ${m.rolledBackTo} and goes on with the learning rates lowered to ${rates}.`,
      };
    }
    case 'autosaved':
      return { ...state, lastAutosave: { step: m.step, savedAt: m.savedAt } };
    case 'autosaves':
      return { ...state, autosaves: m.items };
    case 'file':
      // A file the user asked for: downloaded at once (useLab), not kept.
      return state;
    case 'evaluated':
      return {
        ...state,
        evaluation: {
          testLoss: m.testLoss,
          testAccuracy: m.testAccuracy,
          testImages: m.testImages,
          savedAccuracy: m.savedAccuracy,
          genotype: m.genotype,
        },
      };
    case 'error':
      // The error supersedes a notice that the run goes on (a recovery that failed after all).
      return { ...state, error: m.message, status: 'failed', notice: null };
    case 'runStarted':
      return runStarted(state, m);
    case 'report':
      return reportOfRun(state, m);
  }
}

/** Applies a batch of messages in order (one render for all of them). */
export function reduceLabBatch(state: LabState, messages: readonly FromWorker[]): LabState {
  return messages.reduce(reduceLab, state);
}
