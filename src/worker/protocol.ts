/**
 * The typed message protocol between the page and the search worker. The page sends commands;
 * the worker answers with state changes, progress and errors. Everything is structured-clone
 * friendly (plain data, no tensors).
 */
import type { GenotypeJson } from '../nas/genotype';
import type { RetrainConfig } from '../nas/retrainConfig';
import type { SearchConfig } from '../nas/searchConfig';
import type { AlphaSoftmax } from '../nas/searchLoop';

export type BackendChoice = 'auto' | 'webgpu' | 'webgl' | 'cpu';

export interface LabDataConfig {
  readonly dataset: 'default' | 'synthetic';
  /** Training images used by the search (both halves together). */
  readonly images: number;
  /** Images are resized to size × size. */
  readonly imageSize: number;
}

export interface LabConfig {
  readonly search: SearchConfig;
  readonly data: LabDataConfig;
  readonly backend: BackendChoice;
}

/** A retrain of a genotype from scratch on the lab's data. */
export interface RetrainLabConfig {
  readonly retrain: RetrainConfig;
  readonly data: LabDataConfig;
  /** Held-out images the retrained network is tested on. */
  readonly testImages: number;
  readonly backend: BackendChoice;
}

export type ToWorker =
  | {
      readonly type: 'start';
      readonly config: LabConfig;
      /** Autosave every this many steps (and at pause); 0 turns autosave off. */
      readonly autosaveEvery?: number;
      /** Absolute URL of the folder that serves the embedded dataset (from the page's base). */
      readonly dataUrl: string;
    }
  | {
      readonly type: 'retrain';
      readonly config: RetrainLabConfig;
      readonly genotype: GenotypeJson;
      readonly dataUrl: string;
    }
  /** Resume a search from a checkpoint file; the run starts paused at the saved step. */
  | {
      readonly type: 'loadCheckpoint';
      readonly bytes: ArrayBuffer;
      readonly backend: BackendChoice;
      readonly dataUrl: string;
    }
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
  | { readonly type: 'stop' }
  | { readonly type: 'setRates'; readonly weightLr?: number; readonly alphaLr?: number };

export type RunStatus = 'idle' | 'loading' | 'running' | 'paused' | 'stopped' | 'done' | 'failed';

export interface StepPoint {
  readonly step: number;
  readonly epoch: number;
  readonly totalSteps: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  readonly valLoss: number;
  readonly weightLr: number;
  readonly imagesPerSecond: number;
  readonly elapsedMs: number;
  readonly alphaSoftmax: AlphaSoftmax;
  readonly genotype: GenotypeJson;
}

export interface EpochPoint {
  readonly epoch: number;
  /** Step count at the end of the epoch. */
  readonly step: number;
  readonly valLoss: number;
  readonly valAccuracy: number;
}

export interface RetrainStepPoint {
  readonly step: number;
  readonly epoch: number;
  readonly totalSteps: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  readonly lr: number;
  readonly dropPathProb: number;
  readonly imagesPerSecond: number;
  readonly elapsedMs: number;
}

export interface RetrainEpochPoint {
  readonly epoch: number;
  readonly step: number;
  readonly testLoss: number;
  readonly testAccuracy: number;
}

export interface AutosaveSummary {
  readonly id: string;
  readonly step: number;
  /** ms since the epoch. */
  readonly savedAt: number;
  readonly sizeBytes: number;
}

export type FromWorker =
  | { readonly type: 'backend'; readonly backend: string; readonly reason: string }
  | { readonly type: 'status'; readonly status: RunStatus }
  | { readonly type: 'step'; readonly point: StepPoint }
  | { readonly type: 'epoch'; readonly point: EpochPoint }
  | { readonly type: 'retrainStep'; readonly point: RetrainStepPoint }
  | { readonly type: 'retrainEpoch'; readonly point: RetrainEpochPoint }
  | { readonly type: 'retrainDone'; readonly testLoss: number; readonly testAccuracy: number }
  | { readonly type: 'error'; readonly message: string }
  | {
      readonly type: 'file';
      readonly kind: 'checkpoint' | 'model';
      readonly name: string;
      readonly bytes: ArrayBuffer;
      /** 'download': the user asked for it now; 'keep': offered for download (a finished retrain). */
      readonly purpose: 'download' | 'keep';
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
  | { readonly type: 'autosaves'; readonly items: readonly AutosaveSummary[] }
  /** A search was restored from a checkpoint: its settings, and where it stands. */
  | {
      readonly type: 'restored';
      readonly config: LabConfig;
      readonly step: number;
      /** The alphas' softmax as restored. */
      readonly alphaSoftmax: AlphaSoftmax;
      readonly genotypeHistory: readonly {
        readonly step: number;
        readonly genotype: GenotypeJson;
      }[];
    };
