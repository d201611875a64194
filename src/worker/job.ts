/**
 * A job the lab's worker runs step by step: a run of a registered kind (runJob.ts). The session
 * owns the pause/step/stop logic, autosave, rollback and recovery; a job only turns its run's
 * reports into messages for the page.
 */
import type { FromWorker } from './protocol';

export interface JobAdvance {
  /** Messages for the page, in order. */
  readonly messages: readonly FromWorker[];
  /** 'step': one training step was taken; 'other': an event between steps; 'done': finished. */
  readonly kind: 'step' | 'other' | 'done';
  /** Steps done so far, after a 'step'. */
  readonly step?: number;
  /**
   * What diverged at this step (given the max |α| limit), or null. Absent: nothing is watched.
   */
  readonly divergence?: (alphaLimit: number) => string | null;
  /** The run asks to be paused after this advance (a note whose `halt` is 'pause'). */
  readonly pause?: boolean;
}

/**
 * A job's learning rates: `weightLr` is the (search or retrain) weights' rate, `alphaLr` the
 * alphas', `nasnetLr` a CDARTS evaluation network's. A retrain has only `weightLr` (its cosine
 * schedule's peak).
 */
export interface LearningRates {
  readonly weightLr: number;
  readonly alphaLr?: number;
  readonly nasnetLr?: number;
}

export interface Job {
  next(): Promise<JobAdvance>;
  /**
   * Learning rates (live settings, by key) changed by the page or a rollback between steps;
   * absent ones stay.
   */
  setRates(rates: Readonly<Record<string, number>>): void;
  /**
   * The job's state as a file (a search checkpoint, a trained model). Called only between
   * steps; null when this job has nothing to save.
   */
  save(): Promise<SavedFile | null>;
  /**
   * A resumable checkpoint for autosave, where it differs from `save` (a retrain saves its
   * model, but resumes from a retrain checkpoint). Called only between steps.
   */
  checkpoint?(): Promise<Uint8Array>;
  /**
   * Which autosave `checkpoint` writes (its id and kind): the run kind's id.
   */
  readonly autosaveKind?: string;
  /**
   * The run's kind id (runJob.ts). Its reports carry its files and its divergence; a rollback
   * reports the lowered live settings by key.
   */
  readonly runKind?: string;
  /** What the page calls it in messages ('DARTS search'); absent: 'run'. */
  readonly title?: string;
  /** Frees the job's tensors. */
  dispose(): Promise<void>;
  /** The configured learning rates: what a divergence lowers, each by the same factor. */
  readonly baseRates?: Readonly<Record<string, number>>;
  /**
   * A fresh job of the same kind from bytes this job's `checkpoint` (else its `save`) wrote:
   * what a divergence rolls back to and a lost device resumes from. Absent: neither is possible.
   */
  reopen?(bytes: Uint8Array): Promise<Job>;
  /** Test hook: writes NaN into the job's weights (between steps). */
  injectNaN?(): void;
  /** Test hook: makes the alphas finite but huge (between steps), as exploding alphas are. */
  injectHugeAlphas?(): void;
}

/** A job as the session begins it: new (step 0) or resumed at its checkpoint's step. */
export interface StartedJob {
  readonly job: Job;
  readonly step: number;
  /** The checkpoint it was resumed from: the last good state until it checkpoints again. */
  readonly resumedFrom?: Uint8Array;
}

export interface SavedFile {
  readonly kind: 'checkpoint' | 'model';
  readonly name: string;
  readonly bytes: Uint8Array;
}
