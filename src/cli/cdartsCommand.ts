/**
 * `nas-lab search --algorithm cdarts`: a CDARTS search in Node. Writes the search network's
 * genotype (genotype.json, after every step that changes the alphas), a JSON-lines log (the
 * configuration, then every event with its genotypes in this project's JSON form) and, at the
 * end of every epoch, NNI's architecture export nni/epoch_N.json (what NNI's
 * ArchitectureCheckpoint writes: epoch 0-based, unpadded).
 */
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { CdartsConfig } from '../nas/cdarts/cdartsConfig';
import type { CdartsEvent, CdartsStepEvent } from '../nas/cdarts/cdartsLoop';
import { cdartsStepsPerEpoch, runCdarts } from '../nas/cdarts/cdartsLoop';
import { createCdartsState, disposeCdartsState } from '../nas/cdarts/cdartsState';
import type { CdartsCheckpoint } from '../nas/cdarts/cdartsCheckpoint';
import {
  captureCdartsCheckpoint,
  decodeCdartsCheckpoint,
  encodeCdartsCheckpoint,
  restoreCdartsHostRng,
  restoreCdartsState,
} from '../nas/cdarts/cdartsCheckpoint';
import type { HostSettings } from '../nas/darts/searchCheckpointManifest';
import { isDatasetKind } from '../data/catalog';
import { genotypeToJson, stringifyGenotype } from '../nas/genotype/genotype';
import { formatNniArchitecture } from '../nas/genotype/nniArchitecture';
import { Rng } from '../nas/tensor/random';
import * as tf from '../nas/tensor/tf';
import type { CdartsCommand } from './cdartsArgs';
import { releaseNodeBackend, useNodeBackend } from './nodeBackend';
import { formatProgress } from './progressBar';
import { searchData } from './searchData';
import { writeAtomically } from './searchCommand';

export interface CdartsOutput {
  readonly genotypePath: string;
  readonly logPath: string;
  /** The folder of NNI's epoch_N.json files. */
  readonly nniDir: string;
  readonly events: number;
}

/**
 * Steps of the whole search: `perEpoch` search-network steps in each warm-up epoch; in each
 * cycle, `evalWarmupEpochs · perEpoch` evaluation-network steps, then `perEpoch` joint steps.
 */
export function cdartsTotalSteps(config: CdartsConfig, perEpoch: number): number {
  const cycles = config.epochs - config.warmupEpochs;
  return config.warmupEpochs * perEpoch + cycles * (config.evalWarmupEpochs + 1) * perEpoch;
}

/** The event as logged: its genotypes in this project's genotype JSON. */
export function cdartsLogRecord(event: CdartsEvent): Record<string, unknown> {
  switch (event.type) {
    case 'step':
      return event.phase === 'joint'
        ? { ...event, genotype: genotypeToJson(event.genotype) }
        : { ...event };
    case 'epoch':
      return {
        ...event,
        genotype: genotypeToJson(event.genotype),
        evalGenotype: genotypeToJson(event.evalGenotype),
      };
    case 'cycle':
    case 'done':
      return { ...event, genotype: genotypeToJson(event.genotype) };
  }
}

/** The largest checkpoint file read (as for a DARTS checkpoint). */
const MAX_CHECKPOINT_FILE_BYTES = 2 ** 30;

/** The data settings a checkpoint records, so that a resume rebuilds the same images. */
function hostSettings(cmd: CdartsCommand): HostSettings {
  return { dataset: cmd.dataset, images: cmd.images ?? 0, imageSize: cmd.imageSize ?? 0 };
}

function readCdartsCheckpoint(path: string): CdartsCheckpoint {
  if (!existsSync(path)) throw new Error(`--resume ${path}: no such file`);
  const size = statSync(path).size;
  if (size > MAX_CHECKPOINT_FILE_BYTES) {
    throw new Error(`--resume ${path}: ${size} bytes is above the checkpoint limit of 1 GiB`);
  }
  const bytes = new Uint8Array(readFileSync(path));
  try {
    return decodeCdartsCheckpoint(bytes);
  } catch (e) {
    const darts = /format is "nas-lab.search-checkpoint"/.test((e as Error).message)
      ? ' (a DARTS checkpoint: resume it without --algorithm cdarts)'
      : '';
    throw new Error(`--resume ${path}: ${(e as Error).message}${darts}`);
  }
}

/** The command with the checkpoint's search and data settings in place of the flags'. */
function resumedCommand(cmd: CdartsCommand, checkpoint: CdartsCheckpoint): CdartsCommand {
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

/** The latest training loss of each network, for the progress label. */
interface LatestLosses {
  search: number | null;
  eval: number | null;
}

function noteLosses(event: CdartsStepEvent, latest: LatestLosses): void {
  if (event.phase === 'searchWarmup') latest.search = event.trainLoss;
  else if (event.phase === 'evalWarmup') latest.eval = event.evalLoss;
  else {
    latest.search = event.search.trainLoss;
    latest.eval = event.eval.valLoss;
  }
}

function progressLabel(event: CdartsStepEvent, latest: LatestLosses): string {
  const loss = (v: number | null) => (v === null ? '-' : v.toFixed(3));
  const distill = event.phase === 'joint' ? ` distill ${event.distillationLoss.toFixed(4)}` : '';
  return (
    `epoch ${event.epoch + 1} ${event.phase} search ${loss(latest.search)} ` +
    `eval ${loss(latest.eval)}${distill} ${event.imagesPerSecond.toFixed(1)} img/s`
  );
}

function percent(accuracy: number): string {
  return `${(accuracy * 100).toFixed(1)}%`;
}

function epochLine(event: Extract<CdartsEvent, { type: 'epoch' }>): string {
  const search = `search val loss ${event.search.valLoss.toFixed(4)} val acc ${percent(event.search.valAccuracy)}`;
  const evaluation = event.eval
    ? `eval val loss ${event.eval.valLoss.toFixed(4)} val acc ${percent(event.eval.valAccuracy)}`
    : 'eval not trained yet (warm-up)';
  return `epoch ${event.epoch + 1}: ${search} | ${evaluation}\n`;
}

function cycleLine(event: Extract<CdartsEvent, { type: 'cycle' }>): string {
  const what = event.changed
    ? `a new genotype (weight tensors: ${event.kept} kept, ${event.restored} restored, ${event.created} new)`
    : 'an unchanged genotype';
  return `cycle at epoch ${event.epoch + 1}: the evaluation network follows ${what}\n`;
}

/** The terminal output: a progress line redrawn in place, and whole lines between. */
function terminal(write: (text: string) => void, quiet: boolean) {
  let barShown = false;
  let longest = 0;
  return {
    bar(line: string): void {
      if (quiet) return;
      longest = Math.max(longest, line.length);
      write(`\r${line.padEnd(longest)}`);
      barShown = true;
    },
    line(text: string): void {
      if (quiet) return;
      write(`${barShown ? '\n' : ''}${text}`);
      barShown = false;
      longest = 0;
    },
  };
}

/** A resume's problem with the file, named as the flag's. */
function wrapResume<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    throw new Error(`--resume: ${(e as Error).message}`);
  }
}

export async function runCdartsCommand(
  cmd: CdartsCommand,
  write: (text: string) => void = (t) => process.stderr.write(t),
): Promise<CdartsOutput> {
  const checkpoint = cmd.resume ? readCdartsCheckpoint(cmd.resume) : null;
  if (checkpoint) cmd = resumedCommand(cmd, checkpoint);
  // The augmentation's random source, as the DARTS search seeds it; restored on a resume.
  const augment = checkpoint
    ? wrapResume(() => restoreCdartsHostRng(checkpoint, 'augment'))
    : Rng.fromSeed(cmd.config.seed + 1);
  await useNodeBackend(cmd.backend);
  const splits = await searchData(
    { ...cmd, seed: cmd.config.seed, trainPortion: cmd.config.trainPortion },
    augment,
  );
  let state;
  try {
    state = checkpoint
      ? restoreCdartsState(checkpoint, splits.shape)
      : createCdartsState(cmd.config, splits.shape);
  } catch (e) {
    splits.dispose();
    throw e;
  }
  const nniDir = join(cmd.outDir, 'nni');
  mkdirSync(nniDir, { recursive: true });
  const genotypePath = join(cmd.outDir, 'genotype.json');
  const logPath = join(cmd.outDir, 'log.jsonl');
  const checkpointPath = join(cmd.outDir, 'checkpoint.naslab');
  const data = {
    dataset: cmd.dataset,
    images: splits.train.count + splits.val.count,
    size: [splits.shape.height, splits.shape.width, splits.shape.channels],
  };
  const backend = tf.getBackend();
  const perEpoch = cdartsStepsPerEpoch(state.config, splits);
  const totalSteps = cdartsTotalSteps(state.config, perEpoch);
  writeFileSync(
    logPath,
    `${JSON.stringify({ type: 'config', algorithm: 'cdarts', backend, config: state.config, data, stepsPerEpoch: perEpoch, totalSteps, resumedFrom: checkpoint ? { file: cmd.resume, step: checkpoint.position.step } : null })}\n`,
  );
  if (checkpoint && !cmd.quiet) {
    write(`resuming ${cmd.resume} at step ${checkpoint.position.step}\n`);
  }
  const out = terminal(write, cmd.quiet);
  out.line(
    `CDARTS search on ${cmd.dataset}: ${data.images} images of ${data.size.join('x')} ` +
      `(${splits.train.count} for weights, ${splits.val.count} for alphas), ${backend} backend, ` +
      `${totalSteps} steps\n`,
  );
  const latest: LatestLosses = { search: null, eval: null };
  let events = 0;
  try {
    const run = runCdarts(state, splits, checkpoint ? { resume: checkpoint.position } : {});
    for await (const event of run) {
      events += 1;
      appendFileSync(logPath, `${JSON.stringify(cdartsLogRecord(event))}\n`);
      switch (event.type) {
        case 'step': {
          if (cmd.checkpointEvery !== undefined && event.step % cmd.checkpointEvery === 0) {
            const saved = await captureCdartsCheckpoint(state, run.position(), hostSettings(cmd), {
              augment,
            });
            writeAtomically(checkpointPath, encodeCdartsCheckpoint(saved));
          }
          if (event.phase === 'joint') {
            writeFileSync(genotypePath, stringifyGenotype(event.genotype));
          }
          noteLosses(event, latest);
          const label = progressLabel(event, latest);
          out.bar(
            formatProgress({
              done: event.step,
              total: totalSteps,
              elapsedMs: event.elapsedMs,
              label,
            }),
          );
          break;
        }
        case 'cycle':
          writeFileSync(genotypePath, stringifyGenotype(event.genotype));
          out.line(cycleLine(event));
          break;
        case 'epoch':
          writeFileSync(genotypePath, stringifyGenotype(event.genotype));
          writeFileSync(
            join(nniDir, `epoch_${event.epoch}.json`),
            formatNniArchitecture(event.genotype),
          );
          out.line(epochLine(event));
          break;
        case 'done':
          writeFileSync(genotypePath, stringifyGenotype(event.genotype));
          write(`genotype written to ${genotypePath}\n`);
          break;
      }
    }
  } finally {
    splits.dispose();
    disposeCdartsState(state);
    releaseNodeBackend();
  }
  return { genotypePath, logPath, nniDir, events };
}
