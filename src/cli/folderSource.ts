/** Dataset and corpus files from folders on disk (the CLI's FileSource), and their homes. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILTIN_TEXT_FOLDER } from '../data/builtinText';
import type { DatasetKind, FileSource } from '../data/catalog';

/** Where the embedded default lives in this repository (and in the built app). */
export const EMBEDDED_DIR = fileURLToPath(
  new URL('../../public/data/fashion-mnist/', import.meta.url),
);

/** Where the built-in text corpus lives in this repository (and in the built app). */
export const BUILTIN_TEXT_DIR = fileURLToPath(
  new URL(`../../public/data/${BUILTIN_TEXT_FOLDER}/`, import.meta.url),
);

/** Debian's `dataset-fashion-mnist` package. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Sub-folders the official archives unpack to. */
const ARCHIVE_FOLDERS = ['cifar-10-batches-bin', 'cifar-100-binary'];

export function folderSource(dir: string): FileSource {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(`data folder ${dir} does not exist`);
  }
  const dirs = [dir, ...ARCHIVE_FOLDERS.map((f) => join(dir, f))];
  return {
    async read(candidates) {
      for (const d of dirs) {
        for (const name of candidates) {
          const path = join(d, name);
          if (existsSync(path)) return { name, bytes: new Uint8Array(readFileSync(path)) };
        }
      }
      throw new Error(`cannot find ${candidates.join(' or ')} in ${dir}`);
    },
  };
}

/** The folder a dataset is read from: --data-dir, or its known home. */
export function dataDirFor(kind: DatasetKind, dataDir: string | undefined): string {
  if (dataDir !== undefined) return dataDir;
  if (kind === 'default') return EMBEDDED_DIR;
  if (kind === 'fashion-mnist' && existsSync(DEBIAN_FASHION_MNIST_DIR))
    return DEBIAN_FASHION_MNIST_DIR;
  const what: Record<DatasetKind, string> = {
    default: '',
    'fashion-mnist':
      'train-images-idx3-ubyte.gz … t10k-labels-idx1-ubyte.gz (or apt-get install dataset-fashion-mnist)',
    mnist: 'train-images-idx3-ubyte.gz … t10k-labels-idx1-ubyte.gz',
    cifar10: 'data_batch_1.bin … data_batch_5.bin and test_batch.bin',
    cifar100: 'train.bin and test.bin',
  };
  throw new Error(`--dataset ${kind} needs --data-dir PATH, a folder with ${what[kind]}`);
}
