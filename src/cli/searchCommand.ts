/** `nas-lab search`: a DARTS search in Node that writes the genotype and a JSON-lines log. */
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { isDatasetKind } from '../data/catalog';
import type { SearchCheckpoint } from '../nas/darts/searchCheckpoint';
import {
  captureCheckpoint,
  decodeCheckpoint,
  encodeCheckpoint,
  restoreRng,
  restoreSearchState,
} from '../nas/darts/searchCheckpoint';
import type { HostSettings } from '../nas/darts/searchCheckpointManifest';
import { join } from 'node:path';
import { stringifyGenotype } from '../nas/genotype/genotype';
import { Rng } from '../nas/tensor/random';
import type { SearchEvent } from '../nas/darts/searchLoop';
import { runSearch } from '../nas/darts/searchLoop';
import { createSearchState, disposeSearchState } from '../nas/darts/searchState';
import * as tf from '../nas/tensor/tf';
import type { SearchCommand } from './args';
import { releaseNodeBackend, useNodeBackend } from './nodeBackend';
import { formatProgress } from './progressBar';
import { searchData } from './searchData';

export interface SearchOutput {
  readonly genotypePath: string;
  readonly logPath: string;
  readonly events: number;
}

/** The largest checkpoint file read (the paper-size search writes about 15 MB). */
const MAX_CHECKPOINT_FILE_BYTES = 2 ** 30;

/** The data settings a checkpoint records, so that a resume rebuilds the same images. */
function hostSettings(cmd: SearchCommand): HostSettings {
  return { dataset: cmd.dataset, images: cmd.images ?? 0, imageSize: cmd.imageSize ?? 0 };
}

function readCheckpoint(path: string): SearchCheckpoint {
  if (!existsSync(path)) throw new Error(`--resume ${path}: no such file`);
  const size = statSync(path).size;
  if (size > MAX_CHECKPOINT_FILE_BYTES) {
    throw new Error(`--resume ${path}: ${size} bytes is above the checkpoint limit of 1 GiB`);
  }
  try {
    return decodeCheckpoint(new Uint8Array(readFileSync(path)));
  } catch (e) {
    throw new Error(`--resume ${path}: ${(e as Error).message}`);
  }
}

/** The command with the checkpoint's search and data settings in place of the flags'. */
function resumedCommand(cmd: SearchCommand, checkpoint: SearchCheckpoint): SearchCommand {
  const host = checkpoint.host ?? {};
  const dataset = host.dataset;
  if (dataset !== 'synthetic' && !(typeof dataset === 'string' && isDatasetKind(dataset))) {
    throw new Error(
      `--resume: the checkpoint does not name a dataset this command knows (${JSON.stringify(dataset)}); was it saved by the lab in the browser? Load it there.`,
    );
  }
  const count = (v: unknown) => (typeof v === 'number' && v > 0 ? v : undefined);
  return {
    ...cmd,
    config: checkpoint.config,
    dataset,
    images: count(host.images),
    imageSize: count(host.imageSize),
  };
}

/** Writes the file whole, then renames it: an interrupted write never leaves half a checkpoint. */
export function writeAtomically(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

function logLine(event: SearchEvent): string {
  return `${JSON.stringify(event)}\n`;
}

export async function runSearchCommand(
  cmd: SearchCommand,
  write: (text: string) => void = (t) => process.stderr.write(t),
): Promise<SearchOutput> {
  const checkpoint = cmd.resume ? readCheckpoint(cmd.resume) : null;
  if (checkpoint) cmd = resumedCommand(cmd, checkpoint);
  await useNodeBackend(cmd.backend);
  // The augmentation's random source: restored with the rest on a resume.
  const augment = checkpoint
    ? restoreRng(checkpoint, 'augment')
    : Rng.fromSeed(cmd.config.seed + 1);
  const splits = await searchData(
    { ...cmd, seed: cmd.config.seed, trainPortion: cmd.config.trainPortion },
    augment,
  );
  let state;
  try {
    state = checkpoint
      ? restoreSearchState(checkpoint, splits.shape)
      : createSearchState(cmd.config, splits.shape);
  } catch (e) {
    splits.dispose();
    throw e;
  }
  const checkpointPath = join(cmd.outDir, 'checkpoint.naslab');
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
    `${JSON.stringify({ type: 'config', backend, config: cmd.config, data, resumedFrom: checkpoint ? { file: cmd.resume, step: checkpoint.position.step } : null })}\n`,
  );
  if (checkpoint && !cmd.quiet) {
    write(`resuming ${cmd.resume} at step ${checkpoint.position.step}\n`);
  }
  if (!cmd.quiet) {
    write(
      `searching on ${cmd.dataset}: ${data.images} images of ${data.size.join('x')} ` +
        `(${splits.train.count} for weights, ${splits.val.count} for alphas), ${backend} backend\n`,
    );
  }
  let events = 0;
  try {
    const run = runSearch(
      state,
      { train: splits.train, val: splits.val },
      checkpoint ? { resume: checkpoint } : {},
    );
    for await (const event of run) {
      events += 1;
      appendFileSync(logPath, logLine(event));
      if (event.type === 'step') {
        writeFileSync(genotypePath, stringifyGenotype(event.genotype));
        if (cmd.checkpointEvery !== undefined && event.step % cmd.checkpointEvery === 0) {
          const saved = await captureCheckpoint(state, run.position(), run.genotypeHistory(), {
            augment,
          });
          writeAtomically(checkpointPath, encodeCheckpoint({ ...saved, host: hostSettings(cmd) }));
        }
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
