/** Parsing of `nas-lab search --algorithm cdarts` flags into a validated CDARTS configuration. */
import { parseArgs } from 'node:util';
import type { CdartsConfig, InteractiveType, RegularizedOps } from '../nas/cdarts/cdartsConfig';
import {
  NNI_CDARTS_CONFIG,
  SMALL_CDARTS_CONFIG,
  validateCdartsConfig,
} from '../nas/cdarts/cdartsConfig';
import { parseOpSet } from '../nas/ops/primitives';
import { SMALL_DATA } from './args';
import type { CliDataset } from './datasetImages';
import { CLI_DATASETS } from './datasetImages';
import { nodeBackend, number, oneOf, positiveInteger } from './flagValues';
import type { NodeBackendName } from './nodeBackend';
import { DARTS_ONLY_FLAGS, refuseFlags } from './searchAlgorithm';
import { checkpointEvery, refuseSettingsOnResume } from './checkpointFlags';

export interface CdartsCommand {
  readonly config: CdartsConfig;
  readonly backend: NodeBackendName;
  readonly outDir: string;
  readonly dataset: CliDataset;
  readonly dataDir: string | undefined;
  /** Images of the training set the search uses (both halves together); undefined: all. */
  readonly images: number | undefined;
  /** Square size images are resized to; undefined: their own size. */
  readonly imageSize: number | undefined;
  readonly quiet: boolean;
  /** Write <out>/checkpoint.naslab every this many steps. */
  readonly checkpointEvery: number | undefined;
  /** A CDARTS checkpoint to resume; its settings and data settings replace the flags'. */
  readonly resume: string | undefined;
}

export const CDARTS_USAGE = `Usage: nas-lab search --algorithm cdarts [options]

Runs a CDARTS (cyclic DARTS) search headless: a search network with continuous alphas and an
evaluation network built from its current genotype, trained in turn and distilled into each
other. Writes genotype.json (the search network's genotype, updated every step), log.jsonl, and
NNI's architecture export nni/epoch_N.json at the end of every epoch. The names in parentheses
are NNI's CdartsTrainer parameters.

  --preset small|nni       starting configuration (default small): small: 5 search cells and
                           8 evaluation cells, C=4, batch 16, 8 epochs, on 256 images at 12×12
                           (minutes on the wasm backend); nni: CdartsTrainer's defaults
                           on NNI's example networks (8 and 20 cells, C=16, batch 64, 32
                           epochs), all images
  --epochs N               (epochs) warm-up epochs and cycles together
  --warmup-epochs N        (warmup_epochs) epochs that train the search network alone before
                           the cycles begin
  --eval-warmup-epochs N   epochs the evaluation network trains alone at the start of every
                           cycle (the official code's nasnet_warmup; NNI trains one)
  --steps-per-epoch N      (steps_per_epoch) default: the smaller half's batch count
  --batch-size N           --channels N (C of both networks)    --nodes N
  --search-layers N        cells of the search network (NNI's example: 8)
  --eval-layers N          cells of the evaluation network (NNI's example: 20)
  --ops a,b,...            candidate ops, in alpha-column order (default: the 8 DARTS ops)
  --weight-lr X (w_lr)     --nasnet-lr X (nasnet_lr)     --alpha-lr X (alpha_lr)
  --loss-alpha X           (loss_alpha) cross-entropy ÷ X, distillation × X
  --loss-t X               (loss_T) distillation temperature
  --interactive-type kl|smoothl1   (interactive_type) the distillation loss
  --regular-coeff X        (regular_coeff) weight of the L1 penalty on the alphas
  --regular-ratio X        (regular_ratio) fraction of the cycles over which it decays to 0
  --regularized-ops official|nni   the alphas it covers: official (pools and skip_connect) or
                           NNI's (pools, identity skip_connect, dilated convs)
  --fix-head | --no-fix-head          (fix_head) keep the distillation heads at their
                                      initial weights
  --share-module | --no-share-module  (share_module) one stem, one pair of heads and one
                                      ensemble weight for both networks
  --seed N                 --backend wasm|cpu|webgpu (default wasm)
  --dataset NAME           default (embedded Fashion-MNIST subset), fashion-mnist, mnist,
                           cifar10, cifar100, or synthetic (a generated learnable task)
  --data-dir PATH          folder of the dataset files
  --images N               use the first N training images (split in half)
  --image-size N           resize images to N×N (a multiple of 4, at least 8)
  --out DIR                output folder (default out/search)
  --checkpoint-every N     write DIR/checkpoint.naslab (a CDARTS checkpoint: both networks,
                           the evaluation weights' pool, the samplers, the random states) every
                           N steps; the latest one is kept
  --resume FILE            continue a CDARTS search from such a file: its settings and data
                           settings are used (flags that set them are refused; --out, --backend,
                           --data-dir, --quiet and --checkpoint-every may be given)
  --quiet                  no progress bar
DARTS's --order, --layers and --weight-lr-min do not apply.
`;

const OPTIONS = {
  algorithm: { type: 'string' },
  preset: { type: 'string' },
  epochs: { type: 'string' },
  'warmup-epochs': { type: 'string' },
  'eval-warmup-epochs': { type: 'string' },
  'steps-per-epoch': { type: 'string' },
  'batch-size': { type: 'string' },
  channels: { type: 'string' },
  nodes: { type: 'string' },
  'search-layers': { type: 'string' },
  'eval-layers': { type: 'string' },
  ops: { type: 'string' },
  'weight-lr': { type: 'string' },
  'nasnet-lr': { type: 'string' },
  'alpha-lr': { type: 'string' },
  'loss-alpha': { type: 'string' },
  'loss-t': { type: 'string' },
  'interactive-type': { type: 'string' },
  'regular-coeff': { type: 'string' },
  'regular-ratio': { type: 'string' },
  'regularized-ops': { type: 'string' },
  'fix-head': { type: 'boolean' },
  'no-fix-head': { type: 'boolean' },
  'share-module': { type: 'boolean' },
  'no-share-module': { type: 'boolean' },
  seed: { type: 'string' },
  backend: { type: 'string' },
  dataset: { type: 'string' },
  'data-dir': { type: 'string' },
  images: { type: 'string' },
  'image-size': { type: 'string' },
  out: { type: 'string' },
  'checkpoint-every': { type: 'string' },
  resume: { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

/** Flags that set the search or its data, which a resumed search takes from its checkpoint. */
const SETTINGS_FLAGS = Object.keys(OPTIONS).filter(
  (f) =>
    ![
      'algorithm',
      'backend',
      'data-dir',
      'out',
      'checkpoint-every',
      'resume',
      'quiet',
      'help',
    ].includes(f),
);

/** What each DARTS-only flag becomes under CDARTS, when anything. */
const DARTS_FLAG_HINTS: Record<(typeof DARTS_ONLY_FLAGS)[number], string> = {
  order: 'CDARTS takes first-order alpha steps',
  layers: 'use --search-layers and --eval-layers',
  'weight-lr-min': 'CDARTS keeps its learning rates constant',
};

/** A flag pair `--x` / `--no-x`: the preset's value unless one of them is given. */
function toggle(flag: string, on: boolean | undefined, off: boolean | undefined, base: boolean) {
  if (on && off) throw new Error(`--${flag} and --no-${flag} contradict each other`);
  return on ? true : off ? false : base;
}

export function parseCdartsArgs(argv: readonly string[]): CdartsCommand | 'help' {
  refuseFlags(
    argv,
    DARTS_ONLY_FLAGS,
    (f) => `is a DARTS flag, not one of --algorithm cdarts (${DARTS_FLAG_HINTS[f]})`,
  );
  const { values } = parseArgs({
    args: [...argv],
    options: OPTIONS,
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  refuseSettingsOnResume(values.resume, values, SETTINGS_FLAGS);
  const preset = oneOf('preset', values.preset, ['small', 'nni'], 'small');
  const base = preset === 'nni' ? NNI_CDARTS_CONFIG : SMALL_CDARTS_CONFIG;
  const overrides: Partial<Record<keyof CdartsConfig, number | undefined>> = {
    epochs: number('epochs', values.epochs),
    warmupEpochs: number('warmup-epochs', values['warmup-epochs']),
    evalWarmupEpochs: number('eval-warmup-epochs', values['eval-warmup-epochs']),
    stepsPerEpoch: number('steps-per-epoch', values['steps-per-epoch']),
    batchSize: number('batch-size', values['batch-size']),
    channels: number('channels', values.channels),
    nodes: number('nodes', values.nodes),
    searchLayers: number('search-layers', values['search-layers']),
    evalLayers: number('eval-layers', values['eval-layers']),
    weightLr: number('weight-lr', values['weight-lr']),
    nasnetLr: number('nasnet-lr', values['nasnet-lr']),
    alphaLr: number('alpha-lr', values['alpha-lr']),
    lossAlpha: number('loss-alpha', values['loss-alpha']),
    lossT: number('loss-t', values['loss-t']),
    regularCoeff: number('regular-coeff', values['regular-coeff']),
    regularRatio: number('regular-ratio', values['regular-ratio']),
    seed: number('seed', values.seed),
  };
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const nodes = overrides.nodes ?? base.nodes;
  const config = validateCdartsConfig({
    ...base,
    ...defined,
    // As in DARTS (multiplier = steps), the cell output concatenates every intermediate node.
    multiplier: nodes,
    interactiveType: oneOf<InteractiveType>(
      'interactive-type',
      values['interactive-type'],
      ['kl', 'smoothl1'],
      base.interactiveType,
    ),
    regularizedOps: oneOf<RegularizedOps>(
      'regularized-ops',
      values['regularized-ops'],
      ['official', 'nni'],
      base.regularizedOps,
    ),
    fixHead: toggle('fix-head', values['fix-head'], values['no-fix-head'], base.fixHead),
    shareModule: toggle(
      'share-module',
      values['share-module'],
      values['no-share-module'],
      base.shareModule,
    ),
    primitives:
      values.ops === undefined
        ? base.primitives
        : parseOpSet(values.ops.split(',').map((s) => s.trim())),
  });
  const small = preset === 'small';
  return {
    config,
    backend: nodeBackend(values.backend),
    outDir: values.out ?? 'out/search',
    dataset: oneOf('dataset', values.dataset, CLI_DATASETS, 'default'),
    dataDir: values['data-dir'],
    images: positiveInteger('images', values.images) ?? (small ? SMALL_DATA.images : undefined),
    imageSize:
      positiveInteger('image-size', values['image-size']) ??
      (small ? SMALL_DATA.imageSize : undefined),
    quiet: values.quiet ?? false,
    checkpointEvery: checkpointEvery(values['checkpoint-every']),
    resume: values.resume,
  };
}
