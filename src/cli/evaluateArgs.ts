/** Parsing of `nas-lab evaluate` flags. */
import { parseArgs } from 'node:util';
import type { ImageDatasetName } from '../nas/runKind/convFields';
import { IMAGE_DATASETS } from '../nas/runKind/convFields';
import { nodeBackend, oneOf, positiveInteger } from './flagValues';
import type { NodeBackendName } from './nodeBackend';

export interface EvaluateCommand {
  /** The trained-model file (model.nas of a retrain). */
  readonly model: string;
  readonly dataset: ImageDatasetName;
  readonly dataDir: string | undefined;
  /** Test images (the first N of the held-out part); undefined: all. */
  readonly testImages: number | undefined;
  readonly backend: NodeBackendName;
}

export const EVALUATE_USAGE = `Usage: nas-lab evaluate --model FILE [options]

Evaluates a trained model (the model.nas that nas-lab retrain writes) on the held-out test
images of a dataset and prints the test loss and accuracy.

  --model FILE             the trained-model file
  --dataset NAME           default (embedded Fashion-MNIST), fashion-mnist, mnist, cifar10,
                           cifar100, or synthetic; its images must have the model's channels
                           and classes, and are resized to the model's size as the retrain did
  --data-dir PATH          folder of the dataset files
  --test-images N          the first N held-out images (default: all)
  --backend wasm|cpu|webgpu (default wasm)
`;

const OPTIONS = {
  model: { type: 'string' },
  dataset: { type: 'string' },
  'data-dir': { type: 'string' },
  'test-images': { type: 'string' },
  backend: { type: 'string' },
  help: { type: 'boolean' },
} as const;

export function parseEvaluateArgs(argv: readonly string[]): EvaluateCommand | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: OPTIONS,
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  if (values.model === undefined || values.model === '') {
    throw new Error('evaluate needs --model FILE (nas-lab evaluate --help)');
  }
  return {
    model: values.model,
    dataset: oneOf('dataset', values.dataset, IMAGE_DATASETS, 'default'),
    dataDir: values['data-dir'],
    testImages: positiveInteger('test-images', values['test-images']),
    backend: nodeBackend(values.backend),
  };
}
