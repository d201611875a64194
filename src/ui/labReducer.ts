/**
 * The lab's state as a pure reduction over the worker's messages. Consecutive steps whose
 * genotype did not change share one genotype object, so memoised views of the cells and the
 * genotype skip their work until the architecture really changes.
 */
import type { GenotypeJson } from '../nas/genotype/genotype';
import type { AlphaSoftmax } from '../nas/darts/searchLoop';
import type {
  AutosaveSummary,
  EpochPoint,
  FromWorker,
  LabConfig,
  RetrainEpochPoint,
  RetrainStepPoint,
  RunStatus,
  StepPoint,
} from '../worker/protocol';
import { genotypeToJson } from '../nas/genotype/genotype';
import { parseGenotypeAny } from '../nas/genotype/genotypeFormats';
import { findRunKind } from '../nas/runKind/registry';
import type { Settings } from '../nas/runKind/settingsSchema';
import type { RunView } from './reportViews';
import { reportMessages, restoredOf, viewOf } from './reportViews';
import type { RecurrentView } from './recurrentView';
import { recurrentUpTo, reduceRecurrent } from './recurrentView';
import type { RecurrentRetrainView } from './recurrentRetrainView';
import {
  EMPTY_RECURRENT_RETRAIN_VIEW,
  recurrentRetrainUpTo,
  reduceRecurrentRetrain,
} from './recurrentRetrainView';

export interface RetrainView {
  /** The genotype being retrained. */
  readonly genotype: GenotypeJson;
  readonly steps: readonly RetrainStepPoint[];
  readonly epochs: readonly RetrainEpochPoint[];
  readonly final: { readonly testLoss: number; readonly testAccuracy: number } | null;
  /** The trained model file, once the retrain has finished. */
  readonly model?: { readonly name: string; readonly bytes: ArrayBuffer };
}

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
  readonly steps: readonly StepPoint[];
  readonly epochs: readonly EpochPoint[];
  readonly error: string | null;
  /** What the worker runs now. */
  readonly mode: 'search' | 'retrain';
  /** The latest retrain, kept next to the search's results. */
  readonly retrain: RetrainView | null;
  /** The latest evaluation of a loaded model file. */
  readonly evaluation: ModelEvaluation | null;
  /** Something the run did by itself that the user should know (a rollback). */
  readonly notice: string | null;
  /** The latest autosave of this run. */
  readonly lastAutosave: { readonly step: number; readonly savedAt: number } | null;
  /** Autosaves found in the browser's storage (offered for resuming after a reload). */
  readonly autosaves: readonly AutosaveSummary[];
  /** The run of a kind the worker runs or last ran: its kind and settings ('runStarted'). */
  readonly run: {
    readonly kind: string;
    readonly settings: Settings;
    readonly step: number;
  } | null;
  /** Where a search loaded from a checkpoint stood when it was saved. */
  readonly resumedFrom: {
    /** Its settings as a per-kind job restored them; null for a run of a kind (see `run`). */
    readonly config: LabConfig | null;
    readonly step: number;
    readonly alphaSoftmax: AlphaSoftmax;
    readonly genotype: GenotypeJson | null;
  } | null;
  /** The recurrent search's points (null until one streams). */
  readonly recurrent: RecurrentView | null;
  /** The recurrent retrain's points (null until one streams). */
  readonly recurrentRetrain: RecurrentRetrainView | null;
}

export const INITIAL_LAB_STATE: LabState = {
  status: 'idle',
  backend: null,
  steps: [],
  epochs: [],
  error: null,
  mode: 'search',
  retrain: null,
  run: null,
  resumedFrom: null,
  lastAutosave: null,
  notice: null,
  evaluation: null,
  autosaves: [],
  recurrent: null,
  recurrentRetrain: null,
};

/** State when a search starts: everything from an earlier run is cleared. */
export function searchStarted(): LabState {
  return { ...INITIAL_LAB_STATE, status: 'loading' };
}

/**
 * State when a run of `kind` starts: a search clears everything from an earlier run; a retrain
 * keeps the search's results and starts its own charts empty.
 */
export function runStarting(state: LabState, kind: string): LabState {
  const info = findRunKind(kind)?.info;
  switch (info ? viewOf(info) : 'search') {
    case 'retrain':
      return { ...state, status: 'loading', error: null, mode: 'retrain', retrain: null };
    case 'recurrentRetrain':
      return { ...state, status: 'loading', error: null, recurrentRetrain: null };
    default:
      return searchStarted();
  }
}

function updateRetrain(state: LabState, update: (r: RetrainView) => RetrainView): LabState {
  return state.retrain ? { ...state, retrain: update(state.retrain) } : state;
}

function sameGenotype(a: GenotypeJson, b: GenotypeJson): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

function withSharedGenotype(point: StepPoint, previous: StepPoint | undefined): StepPoint {
  if (!previous || !sameGenotype(previous.genotype, point.genotype)) return point;
  return { ...point, genotype: previous.genotype };
}

/** A retrain's genotype as its settings name it (a text in any format), or null. */
function genotypeOfSettings(settings: Settings): GenotypeJson | null {
  const text = settings.genotype;
  if (typeof text !== 'string') return null;
  try {
    return genotypeToJson(parseGenotypeAny(text));
  } catch {
    return null;
  }
}

/** A run of a kind started or was restored: its views start where it stands. */
function runStarted(state: LabState, m: Extract<FromWorker, { type: 'runStarted' }>): LabState {
  const info = findRunKind(m.kind)?.info;
  const run = { kind: m.kind, settings: m.settings, step: m.step };
  if (!info) return { ...state, run };
  const view = viewOf(info);
  if (view === 'retrain') {
    const genotype = genotypeOfSettings(m.settings) ?? state.retrain?.genotype;
    const retrain =
      m.step > 0 || !state.retrain
        ? genotype
          ? { genotype, steps: [], epochs: [], final: null }
          : null
        : state.retrain;
    return { ...state, run, mode: 'retrain', error: null, retrain };
  }
  if (view === 'search') return { ...state, run, mode: 'search', steps: [], epochs: [] };
  if (view === 'recurrentRetrain') {
    const fresh = m.step > 0 || state.recurrentRetrain === null;
    const recurrentRetrain = fresh ? EMPTY_RECURRENT_RETRAIN_VIEW : state.recurrentRetrain;
    return { ...state, run, error: null, recurrentRetrain };
  }
  return { ...state, run };
}

/** Which view the running (or last) run draws in. */
function runningView(state: LabState): RunView {
  const info = state.run ? findRunKind(state.run.kind)?.info : undefined;
  if (info) return viewOf(info);
  return state.mode === 'retrain' ? 'retrain' : 'search';
}

/** What notices call the run of a view. */
const RUN_NAMES: Readonly<Record<RunView, string>> = {
  search: 'search',
  retrain: 'retrain',
  recurrent: 'recurrent search',
  recurrentRetrain: 'recurrent retrain',
};

/** The running run's view as it stood at `step` (a rollback or a recovery went back there). */
function upTo(state: LabState, step: number): LabState {
  const kept = <P extends { readonly step: number }>(points: readonly P[]) =>
    points.filter((p) => p.step <= step);
  switch (runningView(state)) {
    case 'search':
      return { ...state, steps: kept(state.steps), epochs: kept(state.epochs) };
    case 'retrain':
      return updateRetrain(state, (r) => ({ ...r, steps: kept(r.steps), epochs: kept(r.epochs) }));
    case 'recurrent':
      return state.recurrent
        ? { ...state, recurrent: recurrentUpTo(state.recurrent, step) }
        : state;
    case 'recurrentRetrain':
      return state.recurrentRetrain
        ? { ...state, recurrentRetrain: recurrentRetrainUpTo(state.recurrentRetrain, step) }
        : state;
  }
}

/** A report of a run of a kind, through the views its kind feeds. */
function reportOfRun(state: LabState, m: Extract<FromWorker, { type: 'report' }>): LabState {
  const info = findRunKind(m.kind)?.info;
  if (!info) return state;
  if (viewOf(info) === 'recurrentRetrain') {
    return { ...state, recurrentRetrain: reduceRecurrentRetrain(state.recurrentRetrain, m.report) };
  }
  const restored = viewOf(info) === 'search' ? restoredOf(m.report) : null;
  const start = restored ? { ...state, resumedFrom: { ...restored, config: null } } : state;
  return reportMessages(info, m.report).reduce(reduceLab, start);
}

export function reduceLab(state: LabState, m: FromWorker): LabState {
  switch (m.type) {
    case 'status':
      return { ...state, status: m.status };
    case 'backend':
      return { ...state, backend: { name: m.backend, reason: m.reason } };
    case 'step':
      return { ...state, steps: [...state.steps, withSharedGenotype(m.point, state.steps.at(-1))] };
    case 'epoch':
      return { ...state, epochs: [...state.epochs, m.point] };
    case 'rnnCorpus':
    case 'rnnStep':
    case 'rnnEpoch':
      return { ...state, recurrent: reduceRecurrent(state.recurrent, m) };
    case 'retrainStep':
      return updateRetrain(state, (r) => ({ ...r, steps: [...r.steps, m.point] }));
    case 'retrainEpoch':
      return updateRetrain(state, (r) => ({ ...r, epochs: [...r.epochs, m.point] }));
    case 'retrainDone':
      return updateRetrain(state, (r) => ({
        ...r,
        final: { testLoss: m.testLoss, testAccuracy: m.testAccuracy },
      }));
    case 'restored':
      return {
        ...state,
        mode: 'search',
        steps: [],
        epochs: [],
        resumedFrom: {
          config: m.config,
          step: m.step,
          alphaSoftmax: m.alphaSoftmax,
          genotype: m.genotypeHistory.at(-1)?.genotype ?? null,
        },
      };
    case 'retrainRestored':
      return {
        ...state,
        mode: 'retrain',
        error: null,
        retrain: { genotype: m.genotype, steps: [], epochs: [], final: null },
      };
    case 'recovered':
      return {
        ...upTo(state, m.resumedAt),
        notice: `${m.reason[0]?.toUpperCase() ?? ''}${m.reason.slice(1)}. The ${RUN_NAMES[runningView(state)]} went back to its last checkpoint (step ${m.resumedAt}) and goes on, on ${m.backend}.`,
      };
    case 'diverged': {
      const retrain = state.mode === 'retrain';
      const rates = [
        ...(m.weightLr === undefined
          ? []
          : [`${m.weightLr.toPrecision(3)} (${retrain ? 'peak' : 'weights'})`]),
        ...(m.nasnetLr === undefined ? [] : [`${m.nasnetLr.toPrecision(3)} (evaluation network)`]),
        ...(m.alphaLr === undefined ? [] : [`${m.alphaLr.toPrecision(3)} (alphas)`]),
        ...Object.entries(m.live ?? {}).map(([key, value]) => `${value.toPrecision(3)} (${key})`),
      ].join(', ');
      return {
        // The steps after the rollback point are gone; the charts continue from it.
        ...upTo(state, m.rolledBackTo),
        notice: `The ${RUN_NAMES[runningView(state)]} diverged at step ${m.step} (${m.reason ?? 'a loss or an alpha was not a finite number'}). It went back to step ${m.rolledBackTo} and goes on with the learning rates lowered to ${rates}.`,
      };
    }
    case 'autosaved':
      return { ...state, lastAutosave: { step: m.step, savedAt: m.savedAt } };
    case 'autosaves':
      return { ...state, autosaves: m.items };
    case 'file':
      // Files asked for are downloaded at once (not here); a finished retrain's model is kept.
      return m.purpose === 'keep' && m.kind === 'model'
        ? updateRetrain(state, (r) => ({ ...r, model: { name: m.name, bytes: m.bytes } }))
        : state;
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
