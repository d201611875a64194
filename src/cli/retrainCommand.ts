/**
 * `nas-lab retrain`: trains the evaluation network of a genotype from scratch in Node (DARTS
 * `cnn/train.py`) and writes the trained model, the genotype and a JSON-lines log.
 */
import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { augmentedSource } from '../data/augmentedSource';
import type { AugmentOptions } from '../data/augment';
import { toDevice } from '../data/deviceSplit';
import { countParameters } from '../nas/retrain/evalNetwork';
import { genotypeToJson, stringifyGenotype } from '../nas/genotype/genotype';
import { Rng } from '../nas/tensor/random';
import type { RetrainConfig } from '../nas/retrain/retrainConfig';
import { validateRetrainConfig } from '../nas/retrain/retrainConfig';
import type { RetrainEvent } from '../nas/retrain/retrainLoop';
import { runRetrain } from '../nas/retrain/retrainLoop';
import type { RetrainState } from '../nas/retrain/retrainState';
import { createRetrainState, disposeRetrainState } from '../nas/retrain/retrainState';
import type { DataShape } from '../nas/darts/searchState';
import * as tf from '../nas/tensor/tf';
import type { Normalization, TrainingSummary } from '../nas/retrain/trainedModel';
import { encodeTrainedModel } from '../nas/retrain/trainedModel';
import type { TrainTestImages } from './datasetImages';
import { trainTestImages } from './datasetImages';
import { resolveGenotypeArg } from './genotypeArg';
import { releaseNodeBackend, useNodeBackend } from './nodeBackend';
import { formatProgress } from './progressBar';
import type { RetrainCommand } from './retrainArgs';
import { formatTestResult } from './testResult';

export interface RetrainOutput {
  readonly modelPath: string;
  readonly genotypePath: string;
  readonly logPath: string;
  readonly testLoss: number;
  readonly testAccuracy: number;
}

/** The preset's cutout is DARTS's length for 32-pixel images; it scales with the image height. */
function retrainConfigFor(cmd: RetrainCommand, height: number): RetrainConfig {
  const cutout = cmd.scaleCutout
    ? Math.round((cmd.config.cutout * height) / 32)
    : cmd.config.cutout;
  return validateRetrainConfig({ ...cmd.config, cutout });
}

function dataShapeOf(images: TrainTestImages): DataShape {
  const { height, width, channels, numClasses } = images.train;
  const t = images.test;
  if (t.height !== height || t.width !== width || t.channels !== channels) {
    throw new Error(
      `the test images are ${t.height}x${t.width}x${t.channels}, the training images ${height}x${width}x${channels}`,
    );
  }
  return { height, width, channels, numClasses };
}

function augmentationText(a: AugmentOptions): string {
  const parts = [
    ...(a.pad > 0 ? [`crop (pad ${a.pad})`] : []),
    ...(a.flip ? ['flip'] : []),
    ...(a.cutout > 0 ? [`cutout ${a.cutout}`] : []),
  ];
  return parts.length > 0 ? parts.join(' + ') : 'none';
}

/** Writes the file whole or not at all (an interrupted write leaves the previous model). */
function writeAtomically(path: string, bytes: Uint8Array): void {
  const partial = `${path}.partial`;
  writeFileSync(partial, bytes);
  renameSync(partial, path);
}

async function saveModel(
  path: string,
  state: RetrainState,
  summary: TrainingSummary,
  normalization: Normalization | null,
): Promise<void> {
  writeAtomically(path, await encodeTrainedModel(state, summary, { normalization }));
}

function progressLine(event: Extract<RetrainEvent, { type: 'step' }>, epochs: number): string {
  const label =
    `epoch ${event.epoch + 1}/${epochs} loss ${event.trainLoss.toFixed(3)} ` +
    `acc ${(event.trainAccuracy * 100).toFixed(1)}% ${event.imagesPerSecond.toFixed(1)} img/s`;
  return `\r${formatProgress({ done: event.step, total: event.totalSteps, elapsedMs: event.elapsedMs, label })}`;
}

export async function runRetrainCommand(
  cmd: RetrainCommand,
  write: (text: string) => void = (t) => process.stderr.write(t),
  print: (text: string) => void = (t) => process.stdout.write(t),
): Promise<RetrainOutput> {
  const chosen = resolveGenotypeArg(cmd.genotype);
  await useNodeBackend(cmd.backend);
  try {
    const images = await trainTestImages(cmd.dataset, cmd.dataDir, cmd);
    const config = retrainConfigFor(cmd, images.train.height);
    const state = createRetrainState(config, chosen.genotype, dataShapeOf(images));
    const train = toDevice(images.train);
    const test = toDevice(images.test);
    try {
      const augment: AugmentOptions = { ...images.augment, cutout: config.cutout };
      const data = {
        train: augmentedSource(train, Rng.fromSeed(config.seed + 1), augment),
        test,
      };
      return await retrain(
        cmd,
        { state, data, images, augment, label: chosen.label },
        write,
        print,
      );
    } finally {
      train.dispose();
      test.dispose();
      disposeRetrainState(state);
    }
  } finally {
    releaseNodeBackend();
  }
}

interface Prepared {
  readonly state: RetrainState;
  readonly data: Parameters<typeof runRetrain>[1];
  readonly images: TrainTestImages;
  readonly augment: AugmentOptions;
  readonly label: string;
}

async function retrain(
  cmd: RetrainCommand,
  { state, data, images, augment, label }: Prepared,
  write: (text: string) => void,
  print: (text: string) => void,
): Promise<RetrainOutput> {
  const { config } = state;
  mkdirSync(cmd.outDir, { recursive: true });
  const modelPath = join(cmd.outDir, 'model.nas');
  const genotypePath = join(cmd.outDir, 'genotype.json');
  const logPath = join(cmd.outDir, 'log.jsonl');
  writeFileSync(genotypePath, stringifyGenotype(state.genotype));
  const backend = tf.getBackend();
  const parameters = countParameters(state.net, { includeAuxiliary: false });
  const dataInfo = {
    dataset: cmd.dataset,
    trainImages: data.train.count,
    testImages: data.test.count,
    size: [state.data.height, state.data.width, state.data.channels],
    numClasses: state.data.numClasses,
    augment,
  };
  const configLine = {
    type: 'config',
    backend,
    genotype: genotypeToJson(state.genotype),
    genotypeName: label,
    config,
    parameters,
    data: dataInfo,
  };
  writeFileSync(logPath, `${JSON.stringify(configLine)}\n`);
  if (!cmd.quiet) {
    write(
      `retraining ${label} on ${cmd.dataset}: ${dataInfo.trainImages} training and ` +
        `${dataInfo.testImages} test images of ${dataInfo.size.join('x')}, augmentation ` +
        `${augmentationText(augment)}, ${parameters.toLocaleString('en-US')} parameters ` +
        `(C ${config.channels}, ${config.layers} cells), ${backend} backend\n`,
    );
  }
  const normalization = images.stats;
  let result = { loss: Number.NaN, accuracy: Number.NaN };
  for await (const event of runRetrain(state, data)) {
    appendFileSync(logPath, `${JSON.stringify(event)}\n`);
    if (event.type === 'step') {
      if (!cmd.quiet) write(progressLine(event, config.epochs));
    } else if (event.type === 'epoch') {
      const summary = {
        epochs: event.epoch + 1,
        testLoss: event.testLoss,
        testAccuracy: event.testAccuracy,
      };
      await saveModel(modelPath, state, summary, normalization);
      if (!cmd.quiet) {
        write(
          `\nepoch ${event.epoch + 1}: test loss ${event.testLoss.toFixed(4)} test acc ${(event.testAccuracy * 100).toFixed(2)}%\n`,
        );
      }
    } else {
      result = { loss: event.testLoss, accuracy: event.testAccuracy };
    }
  }
  write(`model written to ${modelPath}\n`);
  print(formatTestResult(result, data.test.count));
  return { modelPath, genotypePath, logPath, testLoss: result.loss, testAccuracy: result.accuracy };
}
