/**
 * What every kind of run (a DARTS search, a CDARTS search, a retrain, a recurrent search, a
 * recurrent retrain, …) implements once, in its own folder, so that the command line, the lab's
 * URL and settings form, the worker's session, autosave, divergence rollback and device-loss
 * recovery are written once for all of them: a descriptor (`RunKindInfo`: its settings schema,
 * checkpoint format, metrics) that the page may import, and an engine (`RunKind`: create, resume)
 * whose runs step and report uniformly (`Run`, `RunReport`). The registry (registry.ts) lists the
 * kinds, as tfjs's `register_all_kernels` lists kernels.
 *
 * Types only here and in the descriptors: no tfjs reaches the page through them.
 */
import type { FileSource } from '../../data/catalog';
import type { Settings, SettingsSchema } from './settingsSchema';

/** The `nas-lab` command a kind runs under. */
export type RunCommand = 'search' | 'retrain';

/**
 * How a command line or a link picks a kind among its command's: `--space` / `space=`, and
 * `--algorithm` / `algorithm=` (absent: the space's first kind in the registry).
 */
export interface RunSelector {
  readonly space: 'cnn' | 'rnn';
  readonly algorithm?: string;
}

/** A scalar the kind reports, as charts and logs name it. */
export interface MetricSpec {
  /** Key in `StepReport.metrics` / `EpochReport.metrics`: `trainLoss`, `valPerplexity`. */
  readonly key: string;
  /**
   * For people: 'training loss'. A qualifier in parentheses says what a step's value is measured
   * on where an epoch's differs ('validation loss (alpha segment)'): logs and the lab's epoch-end
   * series name the epoch's value without it.
   */
  readonly label: string;
  /** What chart it belongs in. */
  readonly kind: 'loss' | 'accuracy' | 'perplexity' | 'rate' | 'other';
  /**
   * A non-finite value of it means the run diverged (the session rolls back): the losses, not
   * quantities that may legitimately be NaN (an evaluation network's loss before it trains).
   */
  readonly watch?: boolean;
}

/** The pure half of a kind: everything a page, a parser or a URL codec needs to know. */
export interface RunKindInfo {
  /** Stable id, in messages, autosaves and the URL: 'darts', 'cdarts', 'retrain', … */
  readonly id: string;
  /** For people: 'DARTS search'. */
  readonly title: string;
  /** One line for the command's usage text. */
  readonly summary: string;
  readonly command: RunCommand;
  readonly select: RunSelector;
  readonly schema: SettingsSchema;
  /** The `format` its checkpoints carry in their manifest; what picks the kind on resume. */
  readonly checkpointFormat: string;
  /** Scalars of its step and epoch reports. */
  readonly metrics: readonly MetricSpec[];
  /** What its throughput counts. */
  readonly throughputUnit: 'images/s' | 'tokens/s';
}

/** One group of architecture weights, softmaxed: `normal`, `reduce`, `recurrent`, `beta`. */
export interface AlphaGroup {
  readonly name: string;
  /** Column names (candidate ops), in column order. */
  readonly ops: readonly string[];
  /** softmax per edge: [edge][op]. */
  readonly softmax: readonly (readonly number[])[];
}

/** A file a run offers: written into the CLI's output folder, offered by the lab for download. */
export interface RunFile {
  /** Relative path: `genotype.json`, `nni/epoch_3.json`, `model.nas`. */
  readonly path: string;
  readonly data: string | Uint8Array;
}

/** After each training step. */
export interface StepReport {
  readonly type: 'step';
  /** Steps done (1 after the first). */
  readonly step: number;
  /** Epoch of the step, from 0. */
  readonly epoch: number;
  readonly totalSteps: number;
  readonly elapsedMs: number;
  /** In the kind's `throughputUnit`. */
  readonly throughput: number;
  /** The step's scalars, by the keys of the kind's `metrics`. */
  readonly metrics: Readonly<Record<string, number>>;
  /** The architecture weights' softmax after the step, where the kind has any. */
  readonly alphas?: readonly AlphaGroup[];
  /** max |α| after the step: exploding alphas are divergence too. */
  readonly alphaMaxAbs?: number;
  /** The derived genotype in the kind's JSON form (plain data). */
  readonly genotype?: unknown;
  /** The kind's own plain-data details for its views (a CDARTS phase, an ASGD switch). */
  readonly detail?: unknown;
  /** Files to write or offer now (the genotype after a step, a model after an epoch). */
  readonly files?: readonly RunFile[];
}

/** What an epoch's and the end's reports hold: results after `step` steps. */
interface ResultReport {
  /** Steps done. */
  readonly step: number;
  readonly metrics: Readonly<Record<string, number>>;
  readonly detail?: unknown;
  readonly files?: readonly RunFile[];
}

/** At an epoch's end, after its evaluation. */
export interface EpochReport extends ResultReport {
  readonly type: 'epoch';
  readonly epoch: number;
}

/** The run finished; `metrics` holds its final figures (a test accuracy or perplexity). */
export interface DoneReport extends ResultReport {
  readonly type: 'done';
}

/** Anything else worth saying between steps (the corpus summary, a phase change). */
export interface NoteReport {
  readonly type: 'note';
  readonly text: string;
  readonly detail?: unknown;
  /** Files to write or offer now (the genotype an early-stopping rule offers). */
  readonly files?: readonly RunFile[];
  /**
   * 'pause': the host pauses the run after this note, as its Pause does (the lab: paused and
   * autosaved; the command line: writes its checkpoint and ends, to go on with --resume).
   */
  readonly halt?: 'pause';
}

export type RunReport = StepReport | EpochReport | DoneReport | NoteReport;

/**
 * The data a run reads, as its host provides it. `'builtin-text'` (the recurrent kinds) asks for
 * a language-modelling corpus in the PTB layout (train.txt, valid.txt, test.txt or ptb.*.txt):
 * the folder the user named (the CLI's --data-dir), else the built-in corpus. A host answering it
 * with a folder says so by an `origin: { builtin: false, name }` on the FileSource it returns
 * (rnn/run/rnnRunCorpus.ts's TextFileSource; absent: the built-in corpus), since a vocabulary cap
 * of 0 means 3,000 words on the built-in corpus and PTB's 10,000 on a folder.
 */
export interface DataRequest {
  /** The dataset setting: 'default', 'fashion-mnist', 'cifar10', 'builtin-text', … */
  readonly dataset: string;
  /** A folder the user named (the CLI's --data-dir); absent: the host's own copy. */
  readonly dir?: string;
}

/** What a host (the CLI, the lab's worker, a test) gives a kind to run in. */
export interface RunEnv {
  readonly host: 'cli' | 'lab' | 'test';
  /** The files of a dataset or corpus. */
  readonly files: (request: DataRequest) => FileSource;
}

/** A run, created or resumed: stepped by its host one report at a time. */
export interface Run {
  readonly info: RunKindInfo;
  /** Its settings, validated (on a resume, the checkpoint's). */
  readonly settings: Settings;
  /** Steps done so far. */
  readonly step: number;
  /** The next report; null once the run has finished (after its 'done'). */
  next(): Promise<RunReport | null>;
  /**
   * The notes the run opens with (its data; for a resumed run, where it stands: alphas,
   * genotype), handed over once: `next()` does not yield them again. A host posts them before
   * the first step, so that a run resumed paused shows where it stands without stepping.
   */
  takeOpening(): readonly NoteReport[];
  /** The whole state as a checkpoint of the kind's format. Between reports only. */
  checkpoint(): Promise<Uint8Array>;
  /**
   * Changes `live` settings (learning rates) from the next step on; other keys are refused. A
   * rollback lowers them through this too.
   */
  setLive(values: Readonly<Record<string, number>>): void;
  /** Frees every tensor the run holds. */
  dispose(): Promise<void>;
  /** Test hook: makes the state diverge as a run does (NaN weights, or huge alphas). */
  injectFault?(fault: 'nan' | 'explodeAlphas'): void;
}

/** The engine of a kind: the descriptor plus what needs tfjs. */
export interface RunKind {
  readonly info: RunKindInfo;
  /** A new run from validated settings. */
  create(settings: Settings, env: RunEnv): Promise<Run>;
  /** A run from a checkpoint of `info.checkpointFormat`, where it stopped. */
  resume(bytes: Uint8Array, env: RunEnv): Promise<Run>;
}
