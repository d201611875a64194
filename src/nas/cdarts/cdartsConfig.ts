/**
 * Configuration of a CDARTS search, its presets and its validation.
 *
 * Every parameter of NNI's `CdartsTrainer` that means something on one machine is a setting
 * with NNI's signature default (`cdarts/trainer.py`): regular_coeff, regular_ratio, warmup_epochs,
 * fix_head, epochs, steps_per_epoch, loss_alpha, loss_T, grad_clip, interactive_type, w_lr,
 * w_momentum, w_weight_decay, alpha_lr, alpha_weight_decay, nasnet_lr, share_module. Left out:
 * distributed, local_rank (one process), log_frequency, logger, output_path (the loop streams
 * events; the host logs and writes), criterion (cross-entropy), loaders, samplers (the data).
 * The network settings are those of NNI's example (`Model(dataset, 8)` and `Model(dataset, 20)`,
 * 16 channels) with the official stem multiplier 3; see docs/DECISIONS.md (CDARTS).
 */
import type { OpName } from '../ops/primitives';
import { DARTS_PRIMITIVES, parseOpSet } from '../ops/primitives';
import { checkAdamBetas, checkIntegerAtLeast, checkPositiveNumber } from '../optim/settingChecks';

/** The distillation ("interactive") losses between the two networks' ensemble logits. */
export const INTERACTIVE_TYPES = ['kl', 'smoothl1'] as const;

export type InteractiveType = (typeof INTERACTIVE_TYPES)[number];

/**
 * Which ops the L1 penalty on the alphas covers. `official` (Cream's search_function):
 * max_pool_3x3, avg_pool_3x3 and skip_connect on every edge. `nni` (RegularizedDartsMutator, by
 * module class name): both pools, skip_connect where it is the identity (stride-1 edges) and
 * both dilated convs.
 */
export const REGULARIZED_OPS = ['official', 'nni'] as const;

export type RegularizedOps = (typeof REGULARIZED_OPS)[number];

/** From `epoch` on (at its start), `cutNum` choices of every edge are cut (cumulative). */
export interface CutPoint {
  readonly epoch: number;
  readonly cutNum: number;
}

export interface CdartsConfig {
  readonly primitives: readonly OpName[];
  /** Intermediate nodes per cell. */
  readonly nodes: number;
  /** Nodes concatenated into a search cell's output, the last ones. */
  readonly multiplier: number;
  /** Cells of the search network (NNI `Model(dataset, 8)`, official 3 + 3 + 2). */
  readonly searchLayers: number;
  /** Cells of the evaluation network (NNI `Model(dataset, 20)`, official 7 + 7 + 6). */
  readonly evalLayers: number;
  /** Initial channels C of both networks. */
  readonly channels: number;
  /** Stem width = stemMultiplier · C (official 3; NNI's example falls to 1 by a typo). */
  readonly stemMultiplier: number;
  /** Hidden widths of the two distillation heads (DistillHeadCIFAR: 128, 768). */
  readonly headWidths: readonly [number, number];
  readonly batchSize: number;
  /** `epochs`. */
  readonly epochs: number;
  /** `warmup_epochs`: epochs that train the search network's weights only. */
  readonly warmupEpochs: number;
  /**
   * Epochs of evaluation-network training on the alpha half at the start of every cycle
   * (official `nasnet_warmup`; NNI trains one epoch, on the weight half).
   */
  readonly evalWarmupEpochs: number;
  /** `steps_per_epoch`; null: the smaller of the two halves' batch counts (NNI's default). */
  readonly stepsPerEpoch: number | null;
  /** `w_lr`: search-network weights, constant. */
  readonly weightLr: number;
  /** `nasnet_lr`: evaluation-network weights, constant. */
  readonly nasnetLr: number;
  /** `w_momentum` (both networks). */
  readonly momentum: number;
  /** `w_weight_decay` (both networks). */
  readonly weightDecay: number;
  /** `grad_clip`: global-norm clip of each network's weight gradients. */
  readonly gradClip: number;
  /** `alpha_lr` (Adam, constant). */
  readonly alphaLr: number;
  /** `alpha_weight_decay` (Adam's coupled L2). */
  readonly alphaWeightDecay: number;
  /** Adam's betas; NNI and the official code hard-code (0.5, 0.999). */
  readonly alphaBeta1: number;
  readonly alphaBeta2: number;
  /** `loss_alpha`: CE terms are divided by it, the distillation term multiplied. */
  readonly lossAlpha: number;
  /** `loss_T`: distillation temperature; the distillation term is scaled by T². */
  readonly lossT: number;
  /** `interactive_type`. */
  readonly interactiveType: InteractiveType;
  /** `regular_coeff`: the penalty's weight at the first cycle. */
  readonly regularCoeff: number;
  /** `regular_ratio`: the fraction of the cycles over which the weight decays to 0. */
  readonly regularRatio: number;
  readonly regularizedOps: RegularizedOps;
  /** `fix_head`: the distillation heads keep their initial weights. */
  readonly fixHead: boolean;
  /** `share_module`: one stem, one pair of heads and one ensemble weight for both networks. */
  readonly shareModule: boolean;
  /** When choices are cut (NNI's `cut_choices`, which its trainer never calls): none by default. */
  readonly cutSchedule: readonly CutPoint[];
  /** Fraction of the training images that train weights; the rest trains the alphas. */
  readonly trainPortion: number;
  readonly seed: number;
  /** Checkpointed cells (`recompute/cellCheckpoint.ts`) in every step. Absent: on. */
  readonly checkpointCells?: boolean;
}

/** NNI's `CdartsTrainer` signature defaults on NNI's example networks. */
export const NNI_CDARTS_CONFIG: CdartsConfig = {
  primitives: [...DARTS_PRIMITIVES],
  nodes: 4,
  multiplier: 4,
  searchLayers: 8,
  evalLayers: 20,
  channels: 16,
  stemMultiplier: 3,
  headWidths: [128, 768],
  batchSize: 64,
  epochs: 32,
  warmupEpochs: 2,
  evalWarmupEpochs: 1,
  stepsPerEpoch: null,
  weightLr: 0.2,
  nasnetLr: 0.2,
  momentum: 0.9,
  weightDecay: 3e-4,
  gradClip: 5,
  alphaLr: 0.2,
  alphaWeightDecay: 1e-4,
  alphaBeta1: 0.5,
  alphaBeta2: 0.999,
  lossAlpha: 2,
  lossT: 2,
  interactiveType: 'kl',
  regularCoeff: 5,
  regularRatio: 0.2,
  regularizedOps: 'official',
  fixHead: true,
  shareModule: true,
  cutSchedule: [],
  trainPortion: 0.5,
  seed: 2,
};

/**
 * A CDARTS search that runs in minutes without a GPU: the DARTS small preset's cell and widths
 * (5 search cells, 8 evaluation cells, 4 channels, narrow heads) with the optimisation of the
 * official CIFAR script (w_lr = nasnet_lr = 0.08, alpha weight decay 0, loss_alpha 1,
 * regular_ratio 0.667) and, as in the DARTS small preset, a tenfold alpha learning rate.
 */
export const SMALL_CDARTS_CONFIG: CdartsConfig = {
  ...NNI_CDARTS_CONFIG,
  searchLayers: 5,
  evalLayers: 8,
  channels: 4,
  headWidths: [16, 32],
  batchSize: 16,
  epochs: 8,
  weightLr: 0.08,
  nasnetLr: 0.08,
  alphaLr: 3e-3,
  alphaWeightDecay: 0,
  lossAlpha: 1,
  regularRatio: 0.667,
};

/**
 * NNI's CDARTS example as its script runs it (`examples/nas/legacy/cdarts/run_search_cifar.sh`
 * over `config.py`'s defaults): 64 images per process (the script runs 4), w_lr = nasnet_lr =
 * 0.2, alpha_lr 3e-4, no weight decay on the weights or the alphas, loss_alpha 1, loss_T 2, KL
 * distillation, regular_coeff 5, regular_ratio 0.2, shared modules, heads trained (fix_head
 * off), seed 0, and NNI's own RegularizedDartsMutator (`search.py`). The trainer's signature
 * defaults (`NNI_CDARTS_CONFIG`) stay the base of the other presets.
 */
export const NNI_EXAMPLE_CDARTS_CONFIG: CdartsConfig = {
  ...NNI_CDARTS_CONFIG,
  batchSize: 64,
  weightLr: 0.2,
  nasnetLr: 0.2,
  alphaLr: 3e-4,
  weightDecay: 0,
  alphaWeightDecay: 0,
  lossAlpha: 1,
  lossT: 2,
  interactiveType: 'kl',
  regularCoeff: 5,
  regularRatio: 0.2,
  regularizedOps: 'nni',
  fixHead: false,
  shareModule: true,
  seed: 0,
};

export const CDARTS_PRESETS = {
  nni: NNI_EXAMPLE_CDARTS_CONFIG,
  small: SMALL_CDARTS_CONFIG,
} as const;

function checkCutSchedule(config: CdartsConfig, opCount: number): void {
  const maxCut = opCount - 2;
  let previous: CutPoint | null = null;
  for (const [i, point] of config.cutSchedule.entries()) {
    const what = `cut schedule entry ${i}`;
    checkIntegerAtLeast(point.epoch, `${what}: epoch`, 0);
    if (point.epoch >= config.epochs) {
      throw new Error(`${what}: epoch ${point.epoch} is not below the ${config.epochs} epochs`);
    }
    if (!Number.isInteger(point.cutNum) || point.cutNum < 1 || point.cutNum > maxCut) {
      throw new Error(
        `${what}: cut count must be an integer from 1 to ${maxCut} (two of the ${opCount} ops must stay), got ${point.cutNum}`,
      );
    }
    if (previous && (point.epoch <= previous.epoch || point.cutNum <= previous.cutNum)) {
      throw new Error(
        `${what}: epochs and cut counts must increase (cut counts are cumulative), got epoch ${point.epoch} / ${point.cutNum} after ${previous.epoch} / ${previous.cutNum}`,
      );
    }
    previous = point;
  }
}

/** Checks a configuration; throws a message naming the first wrong setting. */
export function validateCdartsConfig(config: CdartsConfig): CdartsConfig {
  const primitives = parseOpSet(config.primitives);
  for (const op of primitives) {
    if (op === 'sep_conv_7x7' || op === 'conv_7x1_1x7') {
      throw new Error(`op "${op}" exists only in evaluation networks, not in the search space`);
    }
  }
  checkIntegerAtLeast(config.nodes, 'node count (nodes)', 1);
  checkIntegerAtLeast(config.multiplier, 'multiplier', 1);
  if (config.multiplier > config.nodes) {
    throw new Error(`multiplier ${config.multiplier} exceeds the node count ${config.nodes}`);
  }
  checkIntegerAtLeast(config.searchLayers, 'search network cells (searchLayers)', 3);
  checkIntegerAtLeast(config.evalLayers, 'evaluation network cells (evalLayers)', 3);
  checkIntegerAtLeast(config.channels, 'channels', 1);
  checkIntegerAtLeast(config.stemMultiplier, 'stem multiplier', 1);
  config.headWidths.forEach((w, i) =>
    checkIntegerAtLeast(w, `distillation head width ${i + 1}`, 1),
  );
  if (config.headWidths.length !== 2) {
    throw new Error(`headWidths must hold two widths, got ${config.headWidths.length}`);
  }
  checkIntegerAtLeast(config.batchSize, 'batch size', 1);
  checkIntegerAtLeast(config.epochs, 'epochs', 1);
  checkIntegerAtLeast(config.warmupEpochs, 'warm-up epochs (warmupEpochs)', 0);
  if (config.warmupEpochs >= config.epochs) {
    throw new Error(
      `warm-up epochs (${config.warmupEpochs}) must be fewer than the epochs (${config.epochs}), or no cycle runs`,
    );
  }
  checkIntegerAtLeast(config.evalWarmupEpochs, 'evaluation warm-up epochs (evalWarmupEpochs)', 0);
  if (config.stepsPerEpoch !== null)
    checkIntegerAtLeast(config.stepsPerEpoch, 'steps per epoch', 1);
  checkPositiveNumber(config.weightLr, 'search weight learning rate (weightLr)', false);
  checkPositiveNumber(config.nasnetLr, 'evaluation weight learning rate (nasnetLr)', false);
  checkPositiveNumber(config.momentum, 'momentum', true);
  checkPositiveNumber(config.weightDecay, 'weight decay', true);
  checkPositiveNumber(config.gradClip, 'gradient clip norm', false);
  checkPositiveNumber(config.alphaLr, 'alpha learning rate', false);
  checkPositiveNumber(config.alphaWeightDecay, 'alpha weight decay', true);
  checkAdamBetas(config.alphaBeta1, config.alphaBeta2);
  checkPositiveNumber(config.lossAlpha, 'loss_alpha (lossAlpha)', false);
  checkPositiveNumber(config.lossT, 'loss_T (lossT)', false);
  if (!INTERACTIVE_TYPES.includes(config.interactiveType)) {
    throw new Error(
      `interactive type must be "kl" or "smoothl1", got ${JSON.stringify(config.interactiveType)}`,
    );
  }
  checkPositiveNumber(config.regularCoeff, 'regular_coeff (regularCoeff)', true);
  checkPositiveNumber(config.regularRatio, 'regular_ratio (regularRatio)', false);
  if (!REGULARIZED_OPS.includes(config.regularizedOps)) {
    throw new Error(
      `regularized ops must be "official" or "nni", got ${JSON.stringify(config.regularizedOps)}`,
    );
  }
  checkCutSchedule(config, primitives.length);
  if (!(config.trainPortion > 0 && config.trainPortion < 1)) {
    throw new Error(`train portion must be strictly between 0 and 1, got ${config.trainPortion}`);
  }
  if (!Number.isInteger(config.seed))
    throw new Error(`seed must be an integer, got ${config.seed}`);
  return { ...config, primitives };
}

/** `reg_decay` of NNI's trainer: coeff · (1 − (e − warmup) / ((epochs − warmup) · ratio)), ≥ 0. */
export function regularizationDecay(config: CdartsConfig, epoch: number): number {
  const cycles = config.epochs - config.warmupEpochs;
  const decay =
    config.regularCoeff * (1 - (epoch - config.warmupEpochs) / (cycles * config.regularRatio));
  return Math.max(decay, 0);
}

/** The cumulative cut count in force during `epoch` (0 before the first cut point). */
export function cutCountAt(config: CdartsConfig, epoch: number): number {
  let count = 0;
  for (const point of config.cutSchedule) if (point.epoch <= epoch) count = point.cutNum;
  return count;
}
