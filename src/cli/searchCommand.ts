/** `nas-lab search`: a DARTS search in Node that writes the genotype and a JSON-lines log. */
import { mkdirSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { subset } from '../data/dataset';
import { toDevice } from '../data/deviceSplit';
import { syntheticDataset } from '../data/synthetic';
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

/** Splits the training images as DARTS does: the first portion trains weights, the rest alphas. */
function searchSplits(cmd: SearchCommand) {
  const data = syntheticDataset({
    count: cmd.syntheticCount,
    size: cmd.imageSize,
    seed: cmd.config.seed,
  });
  const shuffled = subset(data, Rng.fromSeed(cmd.config.seed + 1).permutation(data.count));
  const cut = Math.floor(shuffled.count * cmd.config.trainPortion);
  const all = Array.from({ length: shuffled.count }, (_, i) => i);
  return {
    shape: data,
    train: toDevice(subset(shuffled, all.slice(0, cut), 'search-train')),
    val: toDevice(subset(shuffled, all.slice(cut), 'search-val')),
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
  const splits = searchSplits(cmd);
  const state = createSearchState(cmd.config, splits.shape);
  mkdirSync(cmd.outDir, { recursive: true });
  const genotypePath = join(cmd.outDir, 'genotype.json');
  const logPath = join(cmd.outDir, 'log.jsonl');
  writeFileSync(
    logPath,
    `${JSON.stringify({ type: 'config', backend: tf.getBackend(), config: cmd.config })}\n`,
  );
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
    splits.train.dispose();
    splits.val.dispose();
    disposeSearchState(state);
    releaseNodeBackend();
  }
  return { genotypePath, logPath, events };
}
