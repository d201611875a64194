/**
 * Configuration of a DARTS search, its presets and its validation. Defaults follow the official
 * `cnn/train_search.py` and `cnn/architect.py` except where a preset says otherwise.
 */
import type { OpName } from '../ops/primitives';
import { DARTS_PRIMITIVES, parseOpSet } from '../ops/primitives';
import { checkAdamBetas, checkIntegerAtLeast, checkPositiveNumber } from '../optim/settingChecks';

export interface SearchConfig {
  /** 1: first-order alpha gradient; 2: unrolled (second-order) alpha gradient. */
  readonly order: 1 | 2;
  readonly primitives: readonly OpName[];
  /** Intermediate nodes per cell (DARTS `steps`). */
  readonly nodes: number;
  /** Nodes concatenated into the cell output (DARTS `multiplier`), the last ones. */
  readonly multiplier: number;
  /** Cells in the network (DARTS `layers`). */
  readonly layers: number;
  /** Initial channels C. */
  readonly channels: number;
  readonly stemMultiplier: number;
  readonly batchSize: number;
  readonly epochs: number;
  readonly weightLr: number;
  readonly weightLrMin: number;
  readonly momentum: number;
  readonly weightDecay: number;
  readonly gradClip: number;
  readonly alphaLr: number;
  readonly alphaBeta1: number;
  readonly alphaBeta2: number;
  readonly alphaWeightDecay: number;
  /** Fraction of the training images used for weights; the rest trains the alphas. */
  readonly trainPortion: number;
  readonly seed: number;
  /**
   * Checkpointed cells (`recompute/cellCheckpoint.ts`): the same numbers in a fraction of the
   * memory, for one more forward pass of the cells. Absent: on.
   */
  readonly checkpointCells?: boolean;
}

/** The official DARTS CIFAR-10 search (`cnn/train_search.py`). */
export const PAPER_SEARCH_CONFIG: SearchConfig = {
  order: 1,
  primitives: [...DARTS_PRIMITIVES],
  nodes: 4,
  multiplier: 4,
  layers: 8,
  channels: 16,
  stemMultiplier: 3,
  batchSize: 64,
  epochs: 50,
  weightLr: 0.025,
  weightLrMin: 0.001,
  momentum: 0.9,
  weightDecay: 3e-4,
  gradClip: 5,
  alphaLr: 3e-4,
  alphaBeta1: 0.5,
  alphaBeta2: 0.999,
  alphaWeightDecay: 1e-3,
  trainPortion: 0.5,
  seed: 2,
};

/**
 * The default search (the command line's and the lab's), chosen by measurement
 * (docs/RESULTS.md) so that the cells visibly sharpen within minutes without a GPU: the paper's
 * cell (4 nodes, all 8 candidates) in a 5-cell network of 4 initial channels, batches of 32 (on
 * 1,024 images at 8×8: `dartsKindInfo.ts`), and an alpha learning rate 100× the paper's, since a
 * short search takes far fewer alpha steps than the paper's 50 epochs (Adam moves a logit by at
 * most about the learning rate per step). 30 epochs: a long run the user pauses or stops.
 */
export const SMALL_SEARCH_CONFIG: SearchConfig = {
  ...PAPER_SEARCH_CONFIG,
  layers: 5,
  channels: 4,
  batchSize: 32,
  epochs: 30,
  alphaLr: 3e-2,
};

/** Checks a configuration; throws a message naming the first wrong setting. */
export function validateSearchConfig(config: SearchConfig): SearchConfig {
  if (config.order !== 1 && config.order !== 2) {
    throw new Error(`order must be 1 (first order) or 2 (unrolled), got ${String(config.order)}`);
  }
  const primitives = parseOpSet(config.primitives);
  for (const op of primitives) {
    if (op === 'sep_conv_7x7' || op === 'conv_7x1_1x7') {
      throw new Error(`op "${op}" exists only in evaluation networks, not in the search space`);
    }
  }
  checkIntegerAtLeast(config.nodes, 'node count (nodes)');
  checkIntegerAtLeast(config.multiplier, 'multiplier');
  if (config.multiplier > config.nodes) {
    throw new Error(`multiplier ${config.multiplier} exceeds the node count ${config.nodes}`);
  }
  if (!Number.isInteger(config.layers) || config.layers < 3) {
    throw new Error(
      `layers must be an integer of at least 3, so that the network has normal and reduction cells; got ${config.layers}`,
    );
  }
  checkIntegerAtLeast(config.channels, 'channels');
  checkIntegerAtLeast(config.stemMultiplier, 'stem multiplier');
  checkIntegerAtLeast(config.batchSize, 'batch size');
  checkIntegerAtLeast(config.epochs, 'epochs');
  checkPositiveNumber(config.weightLr, 'weight learning rate');
  checkPositiveNumber(config.weightLrMin, 'minimum weight learning rate', true);
  checkPositiveNumber(config.momentum, 'momentum', true);
  checkPositiveNumber(config.weightDecay, 'weight decay', true);
  checkPositiveNumber(config.gradClip, 'gradient clip norm');
  checkPositiveNumber(config.alphaLr, 'alpha learning rate');
  checkPositiveNumber(config.alphaWeightDecay, 'alpha weight decay', true);
  checkAdamBetas(config.alphaBeta1, config.alphaBeta2);
  if (!(config.trainPortion > 0 && config.trainPortion < 1)) {
    throw new Error(`train portion must be strictly between 0 and 1, got ${config.trainPortion}`);
  }
  if (!Number.isInteger(config.seed))
    throw new Error(`seed must be an integer, got ${config.seed}`);
  return { ...config, primitives };
}
