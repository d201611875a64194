/**
 * `nas-lab evaluate`: loads a trained model and measures its loss and accuracy on the held-out
 * test images of a dataset, resized to the model's input size as the retrain resized them.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { ImageDataset } from '../data/dataset';
import { toDevice } from '../data/deviceSplit';
import { evaluateRetrainSplit } from '../nas/retrain/retrainLoop';
import type { DataShape } from '../nas/darts/searchState';
import type { DecodedTrainedModel, Normalization } from '../nas/retrain/trainedModel';
import {
  decodeTrainedModel,
  DEFAULT_MAX_TRAINED_MODEL_BYTES,
  disposeTrainedModel,
  restoreTrainedModel,
} from '../nas/retrain/trainedModel';
import { trainTestImages } from '../nas/runKind/imageData';
import { cliRunEnv } from './cliEnv';
import type { EvaluateCommand } from './evaluateArgs';
import { releaseNodeBackend, useNodeBackend } from './nodeBackend';
import { formatTestResult } from './testResult';

export interface EvaluateOutput {
  readonly testLoss: number;
  readonly testAccuracy: number;
  readonly testImages: number;
}

/** Text that starts like JSON or holds a Python `Genotype(` call: a genotype, most likely. */
function looksLikeGenotype(bytes: Uint8Array): boolean {
  const head = new TextDecoder().decode(bytes.subarray(0, 4096)).trimStart();
  return head.startsWith('{') || /\bGenotype\s*\(/.test(head);
}

/** Reads and checks the model file; errors name the file and, for a genotype, what to do. */
export function readModelFile(path: string): DecodedTrainedModel {
  if (!existsSync(path)) throw new Error(`--model ${path}: no such file`);
  const stat = statSync(path);
  if (!stat.isFile()) throw new Error(`--model ${path} is not a file`);
  if (stat.size > DEFAULT_MAX_TRAINED_MODEL_BYTES) {
    throw new Error(
      `${path}: the file takes ${stat.size} bytes, above the limit of ${DEFAULT_MAX_TRAINED_MODEL_BYTES} for a trained model`,
    );
  }
  const bytes = new Uint8Array(readFileSync(path));
  try {
    return decodeTrainedModel(bytes);
  } catch (e) {
    const message = (e as Error).message;
    if (/not a NAS Lab model file/.test(message) && looksLikeGenotype(bytes)) {
      throw new Error(
        `${path} looks like a genotype, not a trained model: train one with nas-lab retrain --genotype ${path}`,
      );
    }
    throw new Error(`${path}: ${message}`);
  }
}

function shapeText(d: DataShape): string {
  return `${d.height}x${d.width}x${d.channels} images in ${d.numClasses} classes`;
}

function checkImagesFit(model: DecodedTrainedModel, test: ImageDataset, dataset: string): void {
  if (shapeText(model.data) !== shapeText(test)) {
    throw new Error(
      `the model takes ${shapeText(model.data)}; the test images of --dataset ${dataset} are ${shapeText(test)}`,
    );
  }
}

function sameNormalization(model: DecodedTrainedModel, stats: Normalization | null): boolean {
  const a = model.normalization;
  return JSON.stringify(a && [a.mean, a.std]) === JSON.stringify(stats && [stats.mean, stats.std]);
}

export async function runEvaluateCommand(
  cmd: EvaluateCommand,
  write: (text: string) => void = (t) => process.stderr.write(t),
  print: (text: string) => void = (t) => process.stdout.write(t),
): Promise<EvaluateOutput> {
  const decoded = readModelFile(cmd.model);
  const { height, width } = decoded.data;
  await useNodeBackend(cmd.backend);
  try {
    const images = await trainTestImages(cliRunEnv(cmd.dataDir), {
      dataset: cmd.dataset,
      images: 1,
      // 0: all of them.
      testImages: cmd.testImages ?? 0,
      // A square model's images were resized to its size (or were that size already); 0: own size.
      imageSize: height === width ? height : 0,
    });
    checkImagesFit(decoded, images.test, cmd.dataset);
    const t = decoded.training;
    write(
      `evaluating ${cmd.model} (trained ${t.epochs} epoch${t.epochs === 1 ? '' : 's'}, test accuracy ${(t.testAccuracy * 100).toFixed(2)}% then) ` +
        `on ${cmd.dataset}: ${images.test.count} test images of ${height}x${width}x${decoded.data.channels}\n`,
    );
    if (!sameNormalization(decoded, images.stats)) {
      write(
        `warning: the model was trained on images normalised with ${JSON.stringify(decoded.normalization)}; ` +
          `--dataset ${cmd.dataset} normalises with ${JSON.stringify(images.stats)}\n`,
      );
    }
    const model = restoreTrainedModel(decoded);
    const test = toDevice(images.test);
    try {
      const result = await evaluateRetrainSplit(model, test);
      print(formatTestResult(result, test.count));
      return { testLoss: result.loss, testAccuracy: result.accuracy, testImages: test.count };
    } finally {
      test.dispose();
      disposeTrainedModel(model);
    }
  } finally {
    releaseNodeBackend();
  }
}
