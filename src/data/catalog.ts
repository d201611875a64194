/**
 * The datasets a search can use, loaded from a file source (a folder in Node, picked files or
 * the app's own origin in the browser): parsing, normalisation and the split into the images a
 * search sees and a held-out test part.
 */
import { concatImageSets, parseCifar10, parseCifar100 } from './cifar';
import type { ImageDataset } from './dataset';
import { range, subset } from './dataset';
import { idxImageSet, readIdx } from './idx';
import type { ChannelStats } from './normalize';
import {
  CIFAR100_STATS,
  CIFAR10_STATS,
  FASHION_MNIST_STATS,
  MNIST_STATS,
  normalize,
} from './normalize';
import type { RawImageSet } from './rawImages';

export const DATASET_KINDS = ['default', 'fashion-mnist', 'mnist', 'cifar10', 'cifar100'] as const;
export type DatasetKind = (typeof DATASET_KINDS)[number];

export function isDatasetKind(name: string): name is DatasetKind {
  return (DATASET_KINDS as readonly string[]).includes(name);
}

/** Finds and reads the first file that exists among `candidates`; throws naming them if none. */
export interface FileSource {
  read(
    candidates: readonly string[],
  ): Promise<{ readonly name: string; readonly bytes: Uint8Array }>;
}

export interface Augmentation {
  /** Zero padding before a random crop back to the original size (0: no crop). */
  readonly pad: number;
  readonly flip: boolean;
}

export interface LoadedDataset {
  /** The images a search splits into weight- and alpha-training halves. */
  readonly train: ImageDataset;
  /** Held-out images. */
  readonly test: ImageDataset;
  readonly stats: ChannelStats;
  /** The DARTS search augmentation for this dataset. */
  readonly augment: Augmentation;
}

/** The embedded default: the Fashion-MNIST test file, 8,000 images to search on, 2,000 held out. */
const EMBEDDED_SEARCH_IMAGES = 8000;

const NO_AUGMENTATION: Augmentation = { pad: 0, flip: false };
const CIFAR_AUGMENTATION: Augmentation = { pad: 4, flip: true };

async function idxPair(source: FileSource, prefix: string, name: string): Promise<RawImageSet> {
  const withGz = (f: string) => [f, `${f}.gz`];
  const images = await source.read(withGz(`${prefix}-images-idx3-ubyte`));
  const labels = await source.read(withGz(`${prefix}-labels-idx1-ubyte`));
  return idxImageSet(
    await readIdx(images.bytes, images.name),
    await readIdx(labels.bytes, labels.name),
    name,
  );
}

function loaded(
  train: RawImageSet,
  test: RawImageSet,
  stats: ChannelStats,
  augment: Augmentation,
): LoadedDataset {
  const shape = (s: RawImageSet) =>
    `${s.height}x${s.width}x${s.channels} images in ${s.numClasses} classes`;
  if (shape(test) !== shape(train)) {
    throw new Error(`${test.name} has ${shape(test)}, but ${train.name} has ${shape(train)}`);
  }
  return { train: normalize(train, stats), test: normalize(test, stats), stats, augment };
}

export async function loadDataset(kind: DatasetKind, source: FileSource): Promise<LoadedDataset> {
  switch (kind) {
    case 'default': {
      const all = normalize(
        await idxPair(source, 't10k', 'fashion-mnist (embedded)'),
        FASHION_MNIST_STATS,
      );
      if (all.count <= EMBEDDED_SEARCH_IMAGES) {
        throw new Error(`the embedded dataset has ${all.count} images; expected 10,000`);
      }
      return {
        train: subset(all, range(0, EMBEDDED_SEARCH_IMAGES)),
        test: subset(all, range(EMBEDDED_SEARCH_IMAGES, all.count), `${all.name} (test)`),
        stats: FASHION_MNIST_STATS,
        augment: NO_AUGMENTATION,
      };
    }
    case 'fashion-mnist':
    case 'mnist': {
      const stats = kind === 'mnist' ? MNIST_STATS : FASHION_MNIST_STATS;
      const train = await idxPair(source, 'train', kind);
      const test = await idxPair(source, 't10k', `${kind} (test)`);
      return loaded(train, test, stats, NO_AUGMENTATION);
    }
    case 'cifar10': {
      const batches = [];
      for (let i = 1; i <= 5; i++) {
        const f = await source.read([`data_batch_${i}.bin`]);
        batches.push(parseCifar10(f.bytes, f.name));
      }
      const test = await source.read(['test_batch.bin']);
      return loaded(
        concatImageSets(batches, 'cifar10'),
        parseCifar10(test.bytes, test.name),
        CIFAR10_STATS,
        CIFAR_AUGMENTATION,
      );
    }
    case 'cifar100': {
      const train = await source.read(['train.bin']);
      const test = await source.read(['test.bin']);
      return loaded(
        parseCifar100(train.bytes, train.name),
        parseCifar100(test.bytes, test.name),
        CIFAR100_STATS,
        CIFAR_AUGMENTATION,
      );
    }
  }
}
