/**
 * Configuration of a retrain (training a derived architecture from scratch), its presets and
 * its validation. Defaults follow the official `cnn/train.py` with the README's
 * reproduction flags `--auxiliary --cutout`.
 */
import type { StemKind } from './evalStem';
import { checkIntegerAtLeast, checkPositiveNumber } from '../optim/settingChecks';

export interface RetrainConfig {
  /** Initial channels C. */
  readonly channels: number;
  /** Cells in the network. */
  readonly layers: number;
  readonly batchSize: number;
  readonly epochs: number;
  readonly lr: number;
  /** Cosine schedule floor; DARTS's train.py anneals to 0. */
  readonly lrMin: number;
  readonly momentum: number;
  readonly weightDecay: number;
  readonly gradClip: number;
  readonly auxiliary: boolean;
  readonly auxWeight: number;
  /** Maximum drop-path probability, reached linearly over the epochs. */
  readonly dropPathProb: number;
  /** Cutout square side in pixels; 0 turns cutout off. */
  readonly cutout: number;
  readonly stem: StemKind;
  readonly seed: number;
  /** Checkpointed cells (`recompute/cellCheckpoint.ts`) in the training step. Absent: on. */
  readonly checkpointCells?: boolean;
}

/** `python train.py --auxiliary --cutout` (DARTS CIFAR-10, 600 epochs). */
export const PAPER_RETRAIN_CONFIG: RetrainConfig = {
  channels: 36,
  layers: 20,
  batchSize: 96,
  epochs: 600,
  lr: 0.025,
  lrMin: 0,
  momentum: 0.9,
  weightDecay: 3e-4,
  gradClip: 5,
  auxiliary: true,
  auxWeight: 0.4,
  dropPathProb: 0.2,
  cutout: 16,
  stem: 'cifar',
  seed: 0,
};

/**
 * A retrain that finishes in minutes without a GPU: 8 cells of 8 channels, no auxiliary head
 * (the lab's small images leave it a tiny map), cutout scaled to the small images.
 */
export const SMALL_RETRAIN_CONFIG: RetrainConfig = {
  ...PAPER_RETRAIN_CONFIG,
  channels: 8,
  layers: 8,
  batchSize: 32,
  epochs: 10,
  auxiliary: false,
  cutout: 0,
};

/** Checks a retrain configuration; throws a message naming the first wrong setting. */
export function validateRetrainConfig(config: RetrainConfig): RetrainConfig {
  checkIntegerAtLeast(config.channels, 'channels', 1);
  checkIntegerAtLeast(config.layers, 'layers', 3);
  checkIntegerAtLeast(config.batchSize, 'batch size', 1);
  checkIntegerAtLeast(config.epochs, 'epochs', 1);
  checkPositiveNumber(config.lr, 'learning rate', false);
  checkPositiveNumber(config.lrMin, 'minimum learning rate', true);
  if (config.lrMin > config.lr) {
    throw new Error(`minimum learning rate ${config.lrMin} exceeds the learning rate ${config.lr}`);
  }
  checkPositiveNumber(config.momentum, 'momentum', true);
  checkPositiveNumber(config.weightDecay, 'weight decay', true);
  checkPositiveNumber(config.gradClip, 'gradient clip norm', false);
  checkPositiveNumber(config.auxWeight, 'auxiliary loss weight', true);
  if (!(config.dropPathProb >= 0 && config.dropPathProb < 1)) {
    throw new Error(`drop path probability must be in [0, 1), got ${config.dropPathProb}`);
  }
  checkIntegerAtLeast(config.cutout, 'cutout length', 0);
  if (config.stem !== 'cifar' && config.stem !== 'imagenet') {
    throw new Error(`stem must be "cifar" or "imagenet", got ${JSON.stringify(config.stem)}`);
  }
  if (!Number.isInteger(config.seed)) {
    throw new Error(`seed must be an integer, got ${config.seed}`);
  }
  return config;
}
