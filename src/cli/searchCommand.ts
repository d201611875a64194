/** `nas-lab search`: a DARTS search in Node that writes the genotype and a JSON-lines log. */
import { mkdirSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { augmentedSource } from '../data/augmentedSource';
import type { Augmentation } from '../data/catalog';
import type { ImageDataset } from '../data/dataset';
import { toDevice } from '../data/deviceSplit';
import { resizeDataset } from '../data/resize';
import { dartsSearchSplit, firstImages } from '../data/searchSplit';
import { syntheticDataset } from '../data/synthetic';
import { loadNamedDataset, scaledAugmentation } from './datasetImages';
import { stringifyGenotype } from '../nas/genotype';
import { Rng } from '../nas/random';
import type { SearchEvent } from '../nas/searchLoop';
import { runSearch } from '../nas/searchLoop';
import { createSearchState, disposeSearchState } from '../nas/searchState';
import * as tf from '../nas/tf';
import type { SearchCommand } from './args';
import { releaseNodeBackend, useNodeBackend } from './nodeBackend';
import { formatProgress } from './progressBar';

export interface SearchOutput {
  readonly genotypePath: string;
  readonly logPath: string;
  readonly events: number;
}

/** The training images of the chosen dataset, resized and limited as asked, with their augmentation. */
async function searchImages(
  cmd: SearchCommand,
): Promise<{ images: ImageDataset; augment: Augmentation }> {
  let images: ImageDataset;
  let augment: Augmentation = { pad: 0, flip: false };
  if (cmd.dataset === 'synthetic') {
    images = syntheticDataset({
      count: cmd.images ?? 128,
      size: cmd.imageSize ?? 8,
      seed: cmd.config.seed,
    });
  } else {
    const loaded = await loadNamedDataset(cmd.dataset, cmd.dataDir);
    images = firstImages(loaded.train, cmd.images ?? loaded.train.count);
    augment = loaded.augment;
  }
  if (cmd.imageSize !== undefined) images = await resizeDataset(images, cmd.imageSize);
  return { images, augment: scaledAugmentation(augment, images.height) };
}

async function searchData(cmd: SearchCommand) {
  const { images, augment } = await searchImages(cmd);
  const split = dartsSearchSplit(images, cmd.config.trainPortion);
  const train = toDevice(split.train);
  const val = toDevice(split.val);
  const rng = Rng.fromSeed(cmd.config.seed + 1);
  const options = { ...augment, cutout: 0 };
  return {
    shape: images,
    train: augmentedSource(train, rng, options),
    val: augmentedSource(val, rng, options),
    dispose: () => {
      train.dispose();
      val.dispose();
    },
  };
}

function logLine(event: SearchEvent): string {
  return `${JSON.stringify(event)}\n`;
}

export async function runSearchCommand(
  cmd: SearchCommand,
  write: (text: string) => void = (t) => process.stderr.write(t),
): Promise<SearchOutput> {
  await useNodeBackend(cmd.backend);
  const splits = await searchData(cmd);
  const state = createSearchState(cmd.config, splits.shape);
  mkdirSync(cmd.outDir, { recursive: true });
  const genotypePath = join(cmd.outDir, 'genotype.json');
  const logPath = join(cmd.outDir, 'log.jsonl');
  const data = {
    dataset: cmd.dataset,
    images: splits.train.count + splits.val.count,
    size: [splits.shape.height, splits.shape.width, splits.shape.channels],
  };
  const backend = tf.getBackend();
  writeFileSync(
    logPath,
    `${JSON.stringify({ type: 'config', backend, config: cmd.config, data })}\n`,
  );
  if (!cmd.quiet) {
    write(
      `searching on ${cmd.dataset}: ${data.images} images of ${data.size.join('x')} ` +
        `(${splits.train.count} for weights, ${splits.val.count} for alphas), ${backend} backend\n`,
    );
  }
  let events = 0;
  try {
    for await (const event of runSearch(state, { train: splits.train, val: splits.val })) {
      events += 1;
      appendFileSync(logPath, logLine(event));
      if (event.type === 'step') {
        writeFileSync(genotypePath, stringifyGenotype(event.genotype));
        if (!cmd.quiet) {
          const label = `epoch ${event.epoch + 1} loss ${event.trainLoss.toFixed(3)} val ${event.valLoss.toFixed(3)} ${event.imagesPerSecond.toFixed(1)} img/s`;
          write(
            `\r${formatProgress({ done: event.step, total: event.totalSteps, elapsedMs: event.elapsedMs, label })}`,
          );
        }
      } else if (event.type === 'epoch') {
        if (!cmd.quiet) {
          write(
            `\nepoch ${event.epoch + 1}: val loss ${event.valLoss.toFixed(4)} val acc ${(event.valAccuracy * 100).toFixed(1)}%\n`,
          );
        }
      } else {
        writeFileSync(genotypePath, stringifyGenotype(event.genotype));
        write(`genotype written to ${genotypePath}\n`);
      }
    }
  } finally {
    splits.dispose();
    disposeSearchState(state);
    releaseNodeBackend();
  }
  return { genotypePath, logPath, events };
}
