/** Parsing of `nas-lab retrain` flags into a validated retrain configuration. */
import { parseArgs } from 'node:util';
import type { RetrainConfig } from '../nas/retrain/retrainConfig';
import {
  PAPER_RETRAIN_CONFIG,
  SMALL_RETRAIN_CONFIG,
  validateRetrainConfig,
} from '../nas/retrain/retrainConfig';
import type { CliDataset } from './datasetImages';
import { CLI_DATASETS } from './datasetImages';
import { nodeBackend, number, oneOf, positiveInteger } from './flagValues';
import type { NodeBackendName } from './nodeBackend';

export interface RetrainCommand {
  /** `--genotype`: a published name or a file (resolved by genotypeArg.ts). */
  readonly genotype: string;
  readonly config: RetrainConfig;
  /**
   * True when `config.cutout` is the preset's length for 32-pixel images, to scale to the
   * images' height; false when `--cutout` gave pixels of the images as trained.
   */
  readonly scaleCutout: boolean;
  readonly backend: NodeBackendName;
  readonly outDir: string;
  readonly dataset: CliDataset;
  readonly dataDir: string | undefined;
  /** Training images (the first N of the training part); undefined: all. */
  readonly images: number | undefined;
  /** Test images (the first N of the held-out part); undefined: all. */
  readonly testImages: number | undefined;
  /** Square size images are resized to; undefined: their own size. */
  readonly imageSize: number | undefined;
  readonly quiet: boolean;
}

/**
 * Data defaults of the small preset. tfjs's plain-JavaScript cpu backend spends most of a
 * retrain step in its convolution filter gradients (Conv2DBackpropFilter alone takes half): a
 * step of 32 images of 12×12 through the small network took 11–13 s on two cores shared with
 * other jobs, twice that at 16×16. 256 training images (the small search's 256) make 10 epochs
 * of 8 steps, about 15 minutes there; 1024 would take an hour. 512 test images cost little
 * (evaluation is a forward pass, under 0.5 s per 32) and measure the accuracy in steps of 0.2%.
 */
export const SMALL_RETRAIN_DATA = { images: 256, testImages: 512, imageSize: 12 } as const;

export const RETRAIN_USAGE = `Usage: nas-lab retrain --genotype FILE|NAME [options]

Trains the network of a genotype from scratch (DARTS cnn/train.py) and writes model.nas (the
trained model), genotype.json and log.jsonl; prints the test accuracy at the end.
A recurrent genotype's language model: nas-lab retrain --space rnn --help.

  --genotype FILE|NAME     a published genotype: NASNet, AmoebaNet, DARTS_V1, DARTS_V2,
                           PC_DARTS_cifar, PC_DARTS_image, PDARTS, CDARTS_cifar,
                           CDARTS_imagenet; or a file: genotype JSON, DARTS's Python repr
                           (Genotype(...)) or NNI's exported JSON (./NAME for a file named
                           like a published genotype)
  --preset small|paper     small (default): C=8, 8 cells, batch 32, 10 epochs, no auxiliary
                           head, no cutout, on the first 256 training and 512 test images at
                           12×12 (about 15 minutes on two cores, cpu backend);
                           paper: train.py --auxiliary --cutout (C=36, 20 cells, batch 96,
                           600 epochs, auxiliary weight 0.4, cutout 16, drop path 0.2), all images
  --epochs N               --batch-size N     --channels N (C)     --layers N (cells)
  --lr X                   --lr-min X         (cosine schedule from lr to lr-min)
  --auxiliary | --no-auxiliary     the auxiliary head (on with the paper preset)
  --auxiliary-weight X     its loss weight (default 0.4)
  --cutout N               cutout square side in pixels of the images as trained (0: off);
                           the paper preset's 16 is for 32-pixel images and scales with the
                           image size (8 at 16×16)
  --drop-path P            maximum drop-path probability (reached linearly at the last epoch)
  --seed N                 --backend wasm|cpu|webgpu (default wasm)
  --dataset NAME           default (embedded Fashion-MNIST: 8,000 training images, 2,000 test
                           images), fashion-mnist, mnist, cifar10, cifar100, or synthetic
  --data-dir PATH          folder of the dataset files
  --images N               train on the first N training images
  --test-images N          test on the first N held-out images
  --image-size N           resize images to N×N
  --out DIR                output folder (default out/retrain)
  --quiet                  no progress bar
Training images get the dataset's augmentation (crop with padding scaled to the image size and
flip for CIFAR, none for (Fashion-)MNIST), then cutout; test images none.
`;

const OPTIONS = {
  genotype: { type: 'string' },
  preset: { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  channels: { type: 'string' },
  layers: { type: 'string' },
  lr: { type: 'string' },
  'lr-min': { type: 'string' },
  auxiliary: { type: 'boolean' },
  'no-auxiliary': { type: 'boolean' },
  'auxiliary-weight': { type: 'string' },
  cutout: { type: 'string' },
  'drop-path': { type: 'string' },
  seed: { type: 'string' },
  backend: { type: 'string' },
  dataset: { type: 'string' },
  'data-dir': { type: 'string' },
  images: { type: 'string' },
  'test-images': { type: 'string' },
  'image-size': { type: 'string' },
  out: { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

function auxiliaryHead(
  values: { auxiliary?: boolean; 'no-auxiliary'?: boolean; 'auxiliary-weight'?: string },
  base: RetrainConfig,
): Pick<RetrainConfig, 'auxiliary' | 'auxWeight'> {
  if (values.auxiliary && values['no-auxiliary']) {
    throw new Error('--auxiliary and --no-auxiliary contradict each other');
  }
  const auxiliary = values.auxiliary ? true : values['no-auxiliary'] ? false : base.auxiliary;
  const weight = number('auxiliary-weight', values['auxiliary-weight']);
  if (weight !== undefined && !auxiliary) {
    throw new Error('--auxiliary-weight weighs the auxiliary head, which is off: add --auxiliary');
  }
  return { auxiliary, auxWeight: weight ?? base.auxWeight };
}

export function parseRetrainArgs(argv: readonly string[]): RetrainCommand | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: OPTIONS,
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  if (values.genotype === undefined || values.genotype === '') {
    throw new Error('retrain needs --genotype FILE|NAME (nas-lab retrain --help)');
  }
  const preset = oneOf('preset', values.preset, ['small', 'paper'], 'small');
  const base = preset === 'paper' ? PAPER_RETRAIN_CONFIG : SMALL_RETRAIN_CONFIG;
  const overrides: Partial<Record<keyof RetrainConfig, number | undefined>> = {
    epochs: number('epochs', values.epochs),
    batchSize: number('batch-size', values['batch-size']),
    channels: number('channels', values.channels),
    layers: number('layers', values.layers),
    lr: number('lr', values.lr),
    lrMin: number('lr-min', values['lr-min']),
    cutout: number('cutout', values.cutout),
    dropPathProb: number('drop-path', values['drop-path']),
    seed: number('seed', values.seed),
  };
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const config = validateRetrainConfig({ ...base, ...defined, ...auxiliaryHead(values, base) });
  const small = preset === 'small';
  return {
    genotype: values.genotype,
    config,
    scaleCutout: overrides.cutout === undefined && config.cutout > 0,
    backend: nodeBackend(values.backend),
    outDir: values.out ?? 'out/retrain',
    dataset: oneOf('dataset', values.dataset, CLI_DATASETS, 'default'),
    dataDir: values['data-dir'],
    images:
      positiveInteger('images', values.images) ?? (small ? SMALL_RETRAIN_DATA.images : undefined),
    testImages:
      positiveInteger('test-images', values['test-images']) ??
      (small ? SMALL_RETRAIN_DATA.testImages : undefined),
    imageSize:
      positiveInteger('image-size', values['image-size']) ??
      (small ? SMALL_RETRAIN_DATA.imageSize : undefined),
    quiet: values.quiet ?? false,
  };
}
