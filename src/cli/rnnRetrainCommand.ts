/**
 * `nas-lab retrain --space rnn`: retrains the language model of a recurrent genotype
 * (`rnn/train.py`) in Node on a text corpus. Writes genotype.json (the genotype trained) and a
 * JSON-lines log: the configuration and corpus, every step (loss, perplexity, learning rate,
 * optimizer, tokens/s), every epoch (validation and test perplexity, the ASGD switch) and the end
 * (the best epoch and its test perplexity, train.py's final report). The trained weights are not
 * written: the project has no recurrent model file format yet.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringifyRnnGenotype } from '../nas/rnn/genotype/rnnGenotype';
import type { RnnRetrainDoneEvent, RnnRetrainEvent } from '../nas/rnn/retrain/rnnRetrainLoop';
import {
  disposeRnnRetrainData,
  prepareRnnRetrainData,
  runRnnRetrain,
} from '../nas/rnn/retrain/rnnRetrainLoop';
import { createRnnRetrainState, disposeRnnRetrainState } from '../nas/rnn/retrain/rnnRetrainState';
import { expectedRnnRetrainSteps } from '../nas/rnn/retrain/rnnRetrainSteps';
import * as tf from '../nas/tensor/tf';
import { releaseNodeBackend, useNodeBackend } from './nodeBackend';
import { formatProgress } from './progressBar';
import { resolveRnnGenotypeArg } from './rnnGenotypeArg';
import type { RnnRetrainCommand } from './rnnRetrainArgs';
import { loadCliTextCorpus, unknownRate } from './textData';

export interface RnnRetrainOutput {
  readonly genotypePath: string;
  readonly logPath: string;
  /** Validation perplexity after each completed epoch. */
  readonly epochPerplexities: readonly number[];
  readonly done: RnnRetrainDoneEvent;
}

function stepLine(event: Extract<RnnRetrainEvent, { type: 'step' }>, total: number): string {
  return formatProgress({
    done: event.step + 1,
    total: Math.max(total, event.step + 1),
    elapsedMs: event.elapsedMs,
    label:
      `epoch ${event.epoch + 1} ${event.optimizer} train ppl ${event.trainPerplexity.toFixed(1)} ` +
      `${event.tokensPerSecond.toFixed(0)} tok/s`,
  });
}

export async function runRnnRetrainCommand(
  cmd: RnnRetrainCommand,
  write: (text: string) => void = (t) => process.stderr.write(t),
  print: (text: string) => void = (t) => process.stdout.write(t),
): Promise<RnnRetrainOutput> {
  const chosen = resolveRnnGenotypeArg(cmd.genotype);
  const { corpus, source } = await loadCliTextCorpus(cmd.dataDir, cmd.text);
  await useNodeBackend(cmd.backend);
  const ids = {
    train: corpus.train.subarray(0, cmd.trainTokens ?? corpus.train.length),
    valid: corpus.valid.subarray(0, cmd.validTokens ?? corpus.valid.length),
    test: corpus.test.subarray(0, cmd.testTokens ?? corpus.test.length),
  };
  const state = createRnnRetrainState(cmd.config, chosen.genotype, corpus.vocabulary.length);
  let data;
  try {
    data = prepareRnnRetrainData(state, ids);
  } catch (e) {
    disposeRnnRetrainState(state);
    throw e;
  }
  try {
    mkdirSync(cmd.outDir, { recursive: true });
    const genotypePath = join(cmd.outDir, 'genotype.json');
    const logPath = join(cmd.outDir, 'log.jsonl');
    writeFileSync(genotypePath, stringifyRnnGenotype(state.genotype));
    const backend = tf.getBackend();
    const totalSteps = expectedRnnRetrainSteps(state.config, data.train.rows, cmd.maxSteps);
    const corpusInfo = {
      source,
      level: corpus.level,
      vocabulary: corpus.vocabulary.length,
      tokens: { train: corpus.train.length, valid: corpus.valid.length, test: corpus.test.length },
      used: { train: ids.train.length, valid: ids.valid.length, test: ids.test.length },
      validUnknownRate: unknownRate(ids.valid),
    };
    writeFileSync(
      logPath,
      `${JSON.stringify({
        type: 'config',
        space: 'rnn',
        genotype: { label: chosen.label, source: chosen.source },
        backend,
        config: state.config,
        corpus: corpusInfo,
        maxSteps: cmd.maxSteps ?? null,
        expectedSteps: totalSteps,
      })}\n`,
    );
    const quiet = cmd.quiet;
    let barShown = false;
    const line = (text: string) => {
      if (quiet) return;
      write(`${barShown ? '\n' : ''}${text}`);
      barShown = false;
    };
    line(
      `Retraining recurrent genotype ${chosen.label} on ${source}: ${corpus.level} level, ` +
        `vocabulary ${corpus.vocabulary.length}, ${ids.train.length} train, ${ids.valid.length} ` +
        `valid and ${ids.test.length} test tokens, nhid ${state.config.nhid}, ${backend} ` +
        `backend, ~${totalSteps} steps\n`,
    );
    const epochPerplexities: number[] = [];
    let done: RnnRetrainDoneEvent | undefined;
    const options = cmd.maxSteps === undefined ? {} : { maxSteps: cmd.maxSteps };
    for await (const event of runRnnRetrain(state, data, options)) {
      appendFileSync(logPath, `${JSON.stringify(event)}\n`);
      switch (event.type) {
        case 'step':
          if (!quiet) {
            write(`\r${stepLine(event, totalSteps)}`);
            barShown = true;
          }
          break;
        case 'epoch':
          epochPerplexities.push(event.valPerplexity);
          line(
            `epoch ${event.epoch + 1}: valid perplexity ${event.valPerplexity.toFixed(2)}, test ` +
              `${event.testPerplexity.toFixed(2)}${event.evaluated === 'averaged' ? ' (averaged weights)' : ''}` +
              `${event.switchedToAsgd ? '; switching to ASGD' : ''}\n`,
          );
          break;
        case 'done':
          done = event;
          break;
      }
    }
    if (done === undefined) throw new Error('the recurrent retrain ended without a result');
    if (barShown) write('\n');
    print(
      done.bestEpoch < 0
        ? `${done.steps} steps; no epoch finished, so no test perplexity (raise --max-steps)\n`
        : `test perplexity ${done.testPerplexity.toFixed(2)} (loss ${done.testLoss.toFixed(4)}) ` +
            `of epoch ${done.bestEpoch + 1}, the best validation perplexity ` +
            `${Math.exp(done.bestValLoss).toFixed(2)}; ${done.steps} steps\n`,
    );
    return { genotypePath, logPath, epochPerplexities, done };
  } finally {
    disposeRnnRetrainData(data);
    disposeRnnRetrainState(state);
    releaseNodeBackend();
  }
}
