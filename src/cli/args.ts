/** Parsing of `nas-lab search` flags into a validated search configuration. */
import { parseArgs } from 'node:util';
import { parseOpSet } from '../nas/ops/primitives';
import type { DatasetKind } from '../data/catalog';
import { DATASET_KINDS } from '../data/catalog';
import type { SearchConfig } from '../nas/darts/searchConfig';
import {
  PAPER_SEARCH_CONFIG,
  SMALL_SEARCH_CONFIG,
  validateSearchConfig,
} from '../nas/darts/searchConfig';
import { nodeBackend, number, oneOf } from './flagValues';
import type { NodeBackendName } from './nodeBackend';
import { CDARTS_ONLY_FLAGS, refuseFlags } from './searchAlgorithm';
import { checkpointEvery, refuseSettingsOnResume } from './checkpointFlags';

export interface SearchCommand {
  readonly config: SearchConfig;
  readonly backend: NodeBackendName;
  readonly outDir: string;
  readonly dataset: DatasetKind | 'synthetic';
  readonly dataDir: string | undefined;
  /** Images of the training set the search uses (both halves together); undefined: all. */
  readonly images: number | undefined;
  /** Square size images are resized to; undefined: their own size. */
  readonly imageSize: number | undefined;
  readonly quiet: boolean;
  /** Write <out>/checkpoint.naslab every this many steps. */
  readonly checkpointEvery: number | undefined;
  /** A checkpoint to resume; its settings and data settings replace the flags'. */
  readonly resume: string | undefined;
}

export const SEARCH_USAGE = `Usage: nas-lab search [options]

Runs a DARTS architecture search headless and writes genotype.json and log.jsonl.

  --algorithm darts|cdarts darts (default), or CDARTS: nas-lab search --algorithm cdarts --help
  --space cnn|rnn          cnn (default), or DARTS's recurrent cells on text:
                           nas-lab search --space rnn --help
  --preset small|paper     starting configuration (default small)
  --order 1|2              first-order or unrolled (second-order) alpha gradient
  --epochs N               --batch-size N     --channels N (C)     --layers N (cells)
  --nodes N                intermediate nodes per cell
  --ops a,b,...            candidate ops, in alpha-column order (default: the 8 DARTS ops)
  --weight-lr X            --weight-lr-min X  --alpha-lr X         --seed N
  --backend wasm|cpu|webgpu (default wasm)
  --dataset NAME           default (embedded Fashion-MNIST subset), fashion-mnist, mnist,
                           cifar10, cifar100, or synthetic (a generated learnable task)
  --data-dir PATH          folder of the dataset files (fashion-mnist: Debian's by default)
  --images N               use the first N training images (split in half as DARTS does)
  --image-size N           resize images to N×N (a multiple of 4)
                           small preset defaults: --images 256 --image-size 12, so that an
                           epoch takes minutes on the cpu backend
  --out DIR                output folder (default out/search)
  --checkpoint-every N     write DIR/checkpoint.naslab every N steps (the latest one is kept)
  --resume FILE            continue a search from a checkpoint file: its settings and data
                           come from the file (only --backend, --data-dir, --out, --quiet and
                           --checkpoint-every may be given)
  --quiet                  no progress bar
`;

/** Data defaults of the small preset: an epoch in minutes on tfjs's plain-JavaScript cpu backend. */
export const SMALL_DATA = { images: 256, imageSize: 12 } as const;

const OPTIONS = {
  algorithm: { type: 'string' },
  preset: { type: 'string' },
  order: { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  channels: { type: 'string' },
  layers: { type: 'string' },
  nodes: { type: 'string' },
  ops: { type: 'string' },
  'weight-lr': { type: 'string' },
  'weight-lr-min': { type: 'string' },
  'alpha-lr': { type: 'string' },
  seed: { type: 'string' },
  backend: { type: 'string' },
  dataset: { type: 'string' },
  'data-dir': { type: 'string' },
  images: { type: 'string' },
  'image-size': { type: 'string' },
  out: { type: 'string' },
  quiet: { type: 'boolean' },
  'checkpoint-every': { type: 'string' },
  resume: { type: 'string' },
  help: { type: 'boolean' },
} as const;

/** Flags that set the search or its data, which a resumed search takes from its checkpoint. */
const SETTINGS_FLAGS = [
  'preset',
  'order',
  'epochs',
  'batch-size',
  'channels',
  'layers',
  'nodes',
  'ops',
  'weight-lr',
  'weight-lr-min',
  'alpha-lr',
  'seed',
  'dataset',
  'images',
  'image-size',
] as const;

export function parseSearchArgs(argv: readonly string[]): SearchCommand | 'help' {
  refuseFlags(argv, CDARTS_ONLY_FLAGS, () => 'is a CDARTS flag: add --algorithm cdarts');
  const { values } = parseArgs({
    args: [...argv],
    options: OPTIONS,
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  oneOf('algorithm', values.algorithm, ['darts'], 'darts');
  refuseSettingsOnResume(values.resume, values, SETTINGS_FLAGS);
  const preset = oneOf('preset', values.preset, ['small', 'paper'], 'small');
  const base = preset === 'paper' ? PAPER_SEARCH_CONFIG : SMALL_SEARCH_CONFIG;
  const order = oneOf('order', values.order, ['1', '2'], String(base.order) as '1' | '2');
  const overrides: Partial<Record<keyof SearchConfig, number | undefined>> = {
    epochs: number('epochs', values.epochs),
    batchSize: number('batch-size', values['batch-size']),
    channels: number('channels', values.channels),
    layers: number('layers', values.layers),
    nodes: number('nodes', values.nodes),
    weightLr: number('weight-lr', values['weight-lr']),
    weightLrMin: number('weight-lr-min', values['weight-lr-min']),
    alphaLr: number('alpha-lr', values['alpha-lr']),
    seed: number('seed', values.seed),
  };
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const nodes = overrides.nodes ?? base.nodes;
  const config = validateSearchConfig({
    ...base,
    ...defined,
    // As in DARTS (multiplier = steps), the cell output concatenates every intermediate node.
    multiplier: nodes,
    order: Number(order) as 1 | 2,
    primitives:
      values.ops === undefined
        ? base.primitives
        : parseOpSet(values.ops.split(',').map((s) => s.trim())),
  });
  return {
    config,
    backend: nodeBackend(values.backend),
    outDir: values.out ?? 'out/search',
    dataset: oneOf('dataset', values.dataset, [...DATASET_KINDS, 'synthetic'], 'default'),
    dataDir: values['data-dir'],
    images: number('images', values.images) ?? (preset === 'small' ? SMALL_DATA.images : undefined),
    imageSize:
      number('image-size', values['image-size']) ??
      (preset === 'small' ? SMALL_DATA.imageSize : undefined),
    quiet: values.quiet ?? false,
    checkpointEvery: checkpointEvery(values['checkpoint-every']),
    resume: values.resume,
  };
}
