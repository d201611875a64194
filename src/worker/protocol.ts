/**
 * The typed message protocol between the page and the search worker. The page sends commands;
 * the worker answers with state changes, progress and errors. Everything is structured-clone
 * friendly (plain data, no tensors).
 */
import type { GenotypeJson } from '../nas/genotype/genotype';
import type { RunReport } from '../nas/runKind/runKind';
import type { Settings } from '../nas/runKind/settingsSchema';

/** 'auto' tries the backends in BACKEND_ORDER (backendChoice.ts); the others force one. */
export type BackendChoice = 'auto' | 'webgpu' | 'wasm' | 'webgl' | 'cpu';

export interface LabDataConfig {
  readonly dataset: 'default' | 'synthetic';
  /** Training images used by the search (both halves together). */
  readonly images: number;
  /** Images are resized to size × size. */
  readonly imageSize: number;
}

/** Starts a run of any registered kind (runKind/registry.ts) from its settings. */
export interface StartRunMessage {
  readonly type: 'startRun';
  /** The kind's id: 'darts', 'cdarts', 'retrain', … */
  readonly kind: string;
  /** Every field of the kind's schema; the worker validates them and names what is wrong. */
  readonly settings: Settings;
  readonly backend: BackendChoice;
  /** Absolute URL of the folder that serves the embedded dataset (from the page's base). */
  readonly dataUrl: string;
  /** Autosave every this many steps (and at pause); 0 turns autosave off. */
  readonly autosaveEvery?: number;
  /** On divergence, every live rate is multiplied by this (default 0.5). */
  readonly divergenceLrFactor?: number;
  /** A max |α| above this counts as divergence (exploding alphas; default 100). */
  readonly divergenceAlphaLimit?: number;
}

/**
 * Resumes a run from checkpoint bytes of any kind: the format in the file's manifest picks the
 * kind (`runKindForCheckpoint`). The run arrives paused at the saved step ('runStarted').
 */
export interface ResumeRunMessage {
  readonly type: 'resumeRun';
  readonly bytes: ArrayBuffer;
  readonly backend: BackendChoice;
  readonly dataUrl: string;
  readonly autosaveEvery?: number;
}

export type ToWorker =
  | StartRunMessage
  | ResumeRunMessage
  /** Changes live settings (learning rates) of the running run from its next step on. */
  | { readonly type: 'setLive'; readonly values: Readonly<Record<string, number>> }
  /** The autosaves kept in the browser's storage, newest first (answered by 'autosaves'). */
  | { readonly type: 'listAutosaves' }
  | {
      readonly type: 'resumeAutosave';
      readonly id: string;
      readonly backend: BackendChoice;
      readonly dataUrl: string;
      readonly autosaveEvery?: number;
    }
  | { readonly type: 'discardAutosaves' }
  /** Test hook: corrupts the running search's weights with NaN, as a diverging run would. */
  | { readonly type: 'injectFault'; readonly kind: 'nan' | 'explodeAlphas' | 'deviceLoss' }
  /** Evaluates a trained-model file on the built-in held-out images. */
  | {
      readonly type: 'evaluateModel';
      readonly bytes: ArrayBuffer;
      readonly testImages: number;
      readonly backend: BackendChoice;
      readonly dataUrl: string;
    }
  /** Save the running job between steps: a search checkpoint, or the retrained model. */
  | { readonly type: 'save' }
  | { readonly type: 'pause' }
  | { readonly type: 'resume' }
  | { readonly type: 'step' }
  | { readonly type: 'stop' };

export type RunStatus = 'idle' | 'loading' | 'running' | 'paused' | 'stopped' | 'done' | 'failed';

export interface AutosaveSummary {
  readonly id: string;
  /**
   * What it resumes: a run kind's id, or 'search' / 'retrain' / 'cdarts' as the per-kind jobs
   * wrote them (absent: a search, as autosaves written before retrains had any).
   */
  readonly kind?: string;
  readonly step: number;
  /** ms since the epoch. */
  readonly savedAt: number;
  readonly sizeBytes: number;
}

export type FromWorker =
  | { readonly type: 'backend'; readonly backend: string; readonly reason: string }
  | { readonly type: 'status'; readonly status: RunStatus }
  | { readonly type: 'error'; readonly message: string }
  /**
   * A run of any kind reported. Files travel only with 'done' reports (as bytes the worker
   * transfers); step and epoch reports leave theirs out (the page saves with 'save').
   */
  | { readonly type: 'report'; readonly kind: string; readonly report: RunReport }
  /** A run of a kind started, or was restored from a checkpoint, paused at `step`. */
  | {
      readonly type: 'runStarted';
      readonly kind: string;
      readonly settings: Settings;
      readonly step: number;
    }
  /** A file the user asked for ('save'), downloaded at once. */
  | {
      readonly type: 'file';
      readonly kind: 'checkpoint' | 'model';
      readonly name: string;
      readonly bytes: ArrayBuffer;
    }
  | {
      readonly type: 'evaluated';
      readonly testLoss: number;
      readonly testAccuracy: number;
      readonly testImages: number;
      readonly genotype: GenotypeJson;
      /** What the file says the model reached when it was saved. */
      readonly savedAccuracy: number;
    }
  | { readonly type: 'autosaved'; readonly step: number; readonly savedAt: number }
  /** The device was lost; the run goes on from `resumedAt` on `backend`. */
  | {
      readonly type: 'recovered';
      readonly reason: string;
      readonly backend: string;
      readonly resumedAt: number;
    }
  /** The run diverged at `step`, rolled back to `rolledBackTo` and goes on at lower rates. */
  | {
      readonly type: 'diverged';
      readonly step: number;
      readonly rolledBackTo: number;
      /** What diverged, e.g. "the validation loss is NaN". */
      readonly reason?: string;
      /** Every live setting of the run as lowered, by key. */
      readonly live: Readonly<Record<string, number>>;
    }
  | { readonly type: 'autosaves'; readonly items: readonly AutosaveSummary[] };
