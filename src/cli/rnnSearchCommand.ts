/**
 * `nas-lab search --space rnn`: a DARTS recurrent search in Node on a text corpus. Writes the
 * genotype (genotype.json and DARTS's repr genotype.py, after every step), and a JSON-lines log:
 * the configuration and corpus, every step (losses, the alphas' softmax, the genotype, tokens/s)
 * and epoch (validation perplexity). No perplexity is measured before the first step: in
 * evaluation mode the search cell's BatchNorm uses its running statistics, which before any
 * training step are the initial mean 0 and variance 1, under which the hidden state of a long
 * text grows without bound (NaN on the built-in corpus). An untrained model's perplexity is
 * about the vocabulary size (near-zero logits), logged as `uniformPerplexity`.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RnnGenotype } from '../nas/rnn/genotype/rnnGenotype';
import { rnnGenotypeToJson, stringifyRnnGenotype } from '../nas/rnn/genotype/rnnGenotype';
import { formatRnnGenotype } from '../nas/rnn/genotype/rnnGenotypeText';
import type { RnnSearchConfig } from '../nas/rnn/search/rnnSearchConfig';
import type { RnnSearchEvent } from '../nas/rnn/search/rnnSearchLoop';
import {
  disposeRnnSearchData,
  prepareRnnSearchData,
  runRnnSearch,
} from '../nas/rnn/search/rnnSearchLoop';
import { createRnnSearchState, disposeRnnSearchState } from '../nas/rnn/search/rnnSearchState';
import * as tf from '../nas/tensor/tf';
import { releaseNodeBackend, useNodeBackend } from './nodeBackend';
import { formatProgress } from './progressBar';
import { checkRnnSearchFits } from './rnnMemoryLimit';
import type { RnnSearchCommand } from './rnnArgs';
import { loadCliTextCorpus, searchTokens, unknownRate } from './textData';

export interface RnnSearchOutput {
  readonly genotypePath: string;
  readonly reprPath: string;
  readonly logPath: string;
  /** Validation perplexity after each completed epoch. */
  readonly epochPerplexities: readonly number[];
  readonly steps: number;
  readonly genotype: RnnGenotype;
}

/** The repr's name in genotype.py. */
export const SEARCHED_GENOTYPE_NAME = 'SEARCHED';

/**
 * The expected number of search steps: per epoch the train rows walked in segments of bptt rows
 * (⌊bptt/2⌋ with the half-segment probability), at most `maxSteps`. The ETA's denominator.
 */
export function expectedRnnSteps(
  config: RnnSearchConfig,
  trainRows: number,
  maxSteps: number | undefined,
): number {
  const p = config.halfSegmentProbability;
  const mean = config.bptt * (1 - p) + Math.floor(config.bptt / 2) * p;
  const total = config.epochs * Math.ceil(Math.max(trainRows - 2, 0) / mean);
  return maxSteps === undefined ? total : Math.min(total, maxSteps);
}

/** The event as logged: the genotype in this project's JSON form. */
export function rnnLogRecord(event: RnnSearchEvent): Record<string, unknown> {
  return { ...event, genotype: rnnGenotypeToJson(event.genotype) };
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

function writeGenotype(g: RnnGenotype, jsonPath: string, reprPath: string): void {
  writeFileSync(jsonPath, stringifyRnnGenotype(g));
  writeFileSync(reprPath, formatRnnGenotype(g, 'repr', SEARCHED_GENOTYPE_NAME));
}

export async function runRnnSearchCommand(
  cmd: RnnSearchCommand,
  write: (text: string) => void = (t) => process.stderr.write(t),
): Promise<RnnSearchOutput> {
  const { corpus, source } = await loadCliTextCorpus(cmd.dataDir, cmd.text);
  // Before any tensor: an impossible size is named, not an `Aborted()` mid-step.
  checkRnnSearchFits(cmd.config, corpus.vocabulary.length, cmd.backend);
  await useNodeBackend(cmd.backend);
  const tokens = searchTokens(corpus, cmd.trainTokens, cmd.validTokens);
  const state = createRnnSearchState(cmd.config, corpus.vocabulary.length);
  let data;
  try {
    data = prepareRnnSearchData(state, tokens);
  } catch (e) {
    disposeRnnSearchState(state);
    throw e;
  }
  mkdirSync(cmd.outDir, { recursive: true });
  const genotypePath = join(cmd.outDir, 'genotype.json');
  const reprPath = join(cmd.outDir, 'genotype.py');
  const logPath = join(cmd.outDir, 'log.jsonl');
  const backend = tf.getBackend();
  const totalSteps = expectedRnnSteps(state.config, data.train.rows, cmd.maxSteps);
  const corpusInfo = {
    source,
    level: corpus.level,
    vocabulary: corpus.vocabulary.length,
    tokens: { train: corpus.train.length, valid: corpus.valid.length, test: corpus.test.length },
    searched: { train: tokens.train.length, valid: tokens.valid.length },
    validUnknownRate: unknownRate(tokens.valid),
    uniformPerplexity: corpus.vocabulary.length,
  };
  writeFileSync(
    logPath,
    `${JSON.stringify({ type: 'config', space: 'rnn', backend, config: state.config, corpus: corpusInfo, maxSteps: cmd.maxSteps ?? null, expectedSteps: totalSteps })}\n`,
  );
  const out = terminal(write, cmd.quiet);
  out.line(
    `DARTS recurrent search on ${source}: ${corpus.level} level, vocabulary ` +
      `${corpus.vocabulary.length}, ${tokens.train.length} train and ${tokens.valid.length} ` +
      `valid tokens, ${backend} backend, ${state.config.order === 2 ? 'second order (unrolled)' : 'first order'}, ~${totalSteps} steps\n`,
  );
  const epochPerplexities: number[] = [];
  let steps = 0;
  let genotype: RnnGenotype | undefined;
  try {
    const options = cmd.maxSteps === undefined ? {} : { maxSteps: cmd.maxSteps };
    for await (const event of runRnnSearch(state, data, options)) {
      appendFileSync(logPath, `${JSON.stringify(rnnLogRecord(event))}\n`);
      genotype = event.genotype;
      switch (event.type) {
        case 'step':
          steps = event.step + 1;
          writeGenotype(event.genotype, genotypePath, reprPath);
          out.bar(
            formatProgress({
              done: steps,
              total: Math.max(totalSteps, steps),
              elapsedMs: event.elapsedMs,
              label:
                `epoch ${event.epoch + 1} train ppl ${event.trainPerplexity.toFixed(1)} ` +
                `alpha loss ${event.valLoss.toFixed(3)} ${event.tokensPerSecond.toFixed(0)} tok/s`,
            }),
          );
          break;
        case 'epoch':
          epochPerplexities.push(event.valPerplexity);
          writeGenotype(event.genotype, genotypePath, reprPath);
          out.line(
            `epoch ${event.epoch + 1}: valid perplexity ${event.valPerplexity.toFixed(2)} ` +
              `(loss ${event.valLoss.toFixed(4)})\n`,
          );
          break;
        case 'done':
          steps = event.steps;
          writeGenotype(event.genotype, genotypePath, reprPath);
          write(`${steps} steps; genotype written to ${genotypePath} and ${reprPath}\n`);
          break;
      }
    }
    if (genotype === undefined) throw new Error('the recurrent search ended without a genotype');
    return {
      genotypePath,
      reprPath,
      logPath,
      epochPerplexities,
      steps,
      genotype,
    };
  } finally {
    disposeRnnSearchData(data);
    disposeRnnSearchState(state);
    releaseNodeBackend();
  }
}
