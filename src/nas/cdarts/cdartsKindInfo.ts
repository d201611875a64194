/**
 * The CDARTS search as a run kind, its pure half: the settings the command line and the lab
 * offer (NNI's `CdartsTrainer` parameters, the two networks' sizes, the data), their presets,
 * their checks, and how they make a CDARTS configuration. No tfjs here: the page imports it
 * through the registry.
 *
 * Presets: `small` (the command line's default: 5 search and 8 evaluation cells of 4 channels,
 * on 256 images at 12×12, with the official CIFAR script's optimisation), `nni` (NNI's CDARTS
 * example as `run_search_cifar.sh` runs it, per process, all images) and `demo` (the lab's
 * quick demo). The `layers`
 * key is the search network's cells, as in the lab's links; its flag is `--search-layers`.
 */
import {
  INTERACTIVE_TYPES,
  NNI_EXAMPLE_CDARTS_CONFIG as nni,
  REGULARIZED_OPS,
  SMALL_CDARTS_CONFIG as small,
} from './cdartsConfig';
import { cdartsSettingsProblems } from './cdartsSettings';
import {
  batchSizeField,
  channelsField,
  countField,
  epochsField,
  imageDataFields,
  nodesField,
  OPS_FIELD,
  seedField,
} from '../runKind/convFields';
import { CHECKPOINT_CELLS_FIELD } from '../recompute/checkpointCellsSetting';
import { bnRecalibrationField } from '../ops/bnRecalibrationSetting';
import { lossAndAccuracy, trainAndValidation } from '../runKind/metricPairs';
import type { RunKindInfo } from '../runKind/runKind';
import type { SettingsOf } from '../runKind/settingsSchema';

/**
 * `headConv1`, `headConv2`: the width of the distillation heads' `i`-th convolution (`conv`, the
 * official DistillHeadCIFAR's `width` channels).
 */
function headWidthField<K extends string>(key: K, i: 0 | 1, conv: string, width: number) {
  return {
    key,
    label: `Head ${conv} channels`,
    type: 'int',
    min: 1,
    default: small.headWidths[i],
    presets: { nni: nni.headWidths[i] },
    group: 'network',
    help: `channels of the distillation heads' ${conv} convolution`,
    reference: `DistillHeadCIFAR: ${width}`,
    advanced: true,
  } as const;
}

export const CDARTS_SCHEMA = {
  presets: ['small', 'nni', 'demo'],
  labPreset: 'demo',
  presetNotes: {
    small:
      'the command line’s default: 5 search and 8 evaluation cells of 4 channels on 256 images at 12×12, with the official CIFAR script’s optimisation',
    nni: 'NNI’s CDARTS example (examples/nas/legacy/cdarts/run_search_cifar.sh), per process, on all images',
    demo: 'the lab’s first look: seconds per step on a software GPU; too small to learn much',
  },
  fields: [
    epochsField(
      'warm-up epochs and cycles together',
      small.epochs,
      { nni: nni.epochs, demo: 2 },
      'CdartsTrainer(epochs)',
    ),
    countField('warmupEpochs', {
      label: 'Warm-up epochs',
      group: 'method',
      help: 'epochs that train the search network alone before the cycles begin',
      min: 0,
      linkMax: 1000,
      default: small.warmupEpochs,
      presets: { demo: 1 },
      reference: 'CdartsTrainer(warmup_epochs)',
    }),
    countField('evalWarmupEpochs', {
      label: 'Evaluation warm-up epochs',
      group: 'method',
      help: 'epochs the evaluation network trains alone at the start of every cycle',
      min: 0,
      linkMax: 1000,
      default: small.evalWarmupEpochs,
      reference: 'CDARTS search.py --nasnet_warmup',
    }),
    {
      key: 'stepsPerEpoch',
      type: 'int',
      min: 0,
      default: 0,
      group: 'optimizer',
      help: "steps per epoch; 0: the smaller half's batch count",
      reference: 'CdartsTrainer(steps_per_epoch)',
      advanced: true,
    },
    batchSizeField('images per batch (of each half)', small.batchSize, {
      nni: nni.batchSize,
      demo: 4,
    }),
    channelsField('initial channels C of both networks', small.channels, {
      nni: nni.channels,
      demo: 2,
    }),
    nodesField('intermediate nodes per cell (the cell output concatenates them all)', small.nodes, {
      demo: 2,
    }),
    countField('layers', {
      label: 'Search cells',
      flag: 'search-layers',
      group: 'network',
      help: "cells of the search network (NNI's example: 8)",
      min: 3,
      linkMax: 50,
      default: small.searchLayers,
      presets: { nni: nni.searchLayers, demo: 3 },
      reference: "NNI's CDARTS example: Model(dataset, 8)",
    }),
    countField('evalLayers', {
      label: 'Evaluation cells',
      group: 'network',
      help: "cells of the evaluation network (NNI's example: 20)",
      min: 3,
      linkMax: 50,
      default: small.evalLayers,
      presets: { nni: nni.evalLayers, demo: 3 },
      reference: "NNI's CDARTS example: Model(dataset, 20)",
    }),
    OPS_FIELD,
    headWidthField('headConv1', 0, '1×1', 128),
    headWidthField('headConv2', 1, '2×2', 768),
    {
      key: 'weightLr',
      label: 'Weight learning rate',
      type: 'number',
      min: 0,
      default: small.weightLr,
      presets: { nni: nni.weightLr, demo: 0.025 },
      live: true,
      group: 'optimizer',
      help: "the search network's weight learning rate (constant)",
      reference: 'CdartsTrainer(w_lr)',
    },
    {
      key: 'nasnetLr',
      label: 'Evaluation learning rate',
      type: 'number',
      min: 0,
      default: small.nasnetLr,
      presets: { nni: nni.nasnetLr },
      live: true,
      group: 'optimizer',
      help: "the evaluation network's weight learning rate (constant)",
      reference: 'CdartsTrainer(nasnet_lr)',
    },
    {
      key: 'alphaLr',
      label: 'Alpha learning rate',
      type: 'number',
      min: 0,
      default: small.alphaLr,
      presets: { nni: nni.alphaLr },
      live: true,
      group: 'optimizer',
      help: 'alpha learning rate (Adam, constant)',
      reference: 'CdartsTrainer(alpha_lr)',
    },
    {
      key: 'weightDecay',
      type: 'number',
      min: 0,
      default: small.weightDecay,
      presets: { nni: nni.weightDecay },
      group: 'optimizer',
      help: "SGD weight decay on both networks' weights",
      reference: 'CdartsTrainer(w_weight_decay)',
      advanced: true,
    },
    {
      key: 'alphaWeightDecay',
      type: 'number',
      min: 0,
      default: small.alphaWeightDecay,
      presets: { nni: nni.alphaWeightDecay },
      group: 'optimizer',
      help: "Adam's weight decay on the alphas",
      reference: 'CdartsTrainer(alpha_weight_decay)',
      advanced: true,
    },
    {
      key: 'lossAlpha',
      label: 'Distillation weight',
      type: 'number',
      min: 0,
      default: small.lossAlpha,
      presets: { nni: nni.lossAlpha },
      group: 'method',
      help: 'cross-entropy ÷ X, distillation × X',
      reference: 'CdartsTrainer(loss_alpha)',
    },
    {
      key: 'lossT',
      label: 'Temperature',
      type: 'number',
      min: 0,
      default: small.lossT,
      group: 'method',
      help: 'distillation temperature',
      reference: 'CdartsTrainer(loss_T)',
    },
    {
      key: 'interactiveType',
      label: 'Distillation loss',
      type: 'choice',
      choices: INTERACTIVE_TYPES,
      default: small.interactiveType as string,
      group: 'method',
      help: 'the distillation loss',
      reference: 'CdartsTrainer(interactive_type)',
    },
    {
      key: 'regularCoeff',
      label: 'Regularization',
      type: 'number',
      min: 0,
      default: small.regularCoeff,
      group: 'method',
      help: 'weight of the L1 penalty on the alphas',
      reference: 'CdartsTrainer(regular_coeff)',
    },
    {
      key: 'regularRatio',
      label: 'Regularization decay',
      type: 'number',
      min: 0,
      default: small.regularRatio,
      presets: { nni: nni.regularRatio },
      group: 'method',
      help: 'fraction of the cycles over which the penalty decays to 0',
      reference: 'CdartsTrainer(regular_ratio)',
    },
    {
      key: 'regularizedOps',
      type: 'choice',
      choices: REGULARIZED_OPS,
      default: small.regularizedOps as string,
      presets: { nni: nni.regularizedOps },
      group: 'method',
      help: "the alphas the penalty covers: official (pools and skip_connect) or NNI's (pools, identity skip_connect, dilated convs)",
      reference: 'RegularizedDartsMutator',
      advanced: true,
    },
    {
      key: 'fixHead',
      label: 'Fixed heads',
      type: 'boolean',
      default: small.fixHead,
      presets: { nni: nni.fixHead },
      group: 'method',
      help: 'keep the distillation heads at their initial weights',
      reference: 'CdartsTrainer(fix_head)',
      advanced: true,
    },
    {
      key: 'shareModule',
      label: 'Shared modules',
      type: 'boolean',
      default: small.shareModule,
      group: 'method',
      help: 'one stem, one pair of heads and one ensemble weight for both networks',
      reference: 'CdartsTrainer(share_module)',
      advanced: true,
    },
    { ...seedField(small.seed), presets: { nni: nni.seed } },
    ...imageDataFields('use the first N training images, split in half; 0: all', {
      full: 'nni',
      demoImages: 32,
    }),
    CHECKPOINT_CELLS_FIELD,
    bnRecalibrationField('nni'),
  ],
  check: cdartsSettingsProblems,
} as const;

export const CDARTS_INFO: RunKindInfo = {
  id: 'cdarts',
  title: 'CDARTS search',
  summary:
    'CDARTS (cyclic DARTS): a search network and an evaluation network distilled into each other',
  command: 'search',
  select: { space: 'cnn', algorithm: 'cdarts' },
  schema: CDARTS_SCHEMA,
  // The CDARTS checkpoint's format (cdartsCheckpoint.ts), unchanged.
  checkpointFormat: 'nas-lab.cdarts-checkpoint',
  metrics: [
    ...trainAndValidation('search network '),
    ...lossAndAccuracy('eval', 'evaluation network', true),
    { key: 'distillationLoss', label: 'distillation loss', kind: 'loss', watch: true },
    { key: 'penalty', label: 'alpha L1 penalty', kind: 'other' },
    { key: 'alphaObjective', label: 'alpha objective', kind: 'loss', watch: true },
  ],
  throughputUnit: 'images/s',
};

/** The kind's settings, typed by its schema. */
export type CdartsSettings = SettingsOf<typeof CDARTS_SCHEMA>;
