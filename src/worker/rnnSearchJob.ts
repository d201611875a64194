/**
 * A DARTS recurrent search as a lab job: the text corpus (from a loader, so that the page's
 * built-in corpus and tests' texts go the same way), the search state and `runRnnSearch`, with its
 * events as the page's rnnStep / rnnEpoch messages. Learning rates set by the page apply from the
 * next step. Nothing to save: recurrent checkpoints are not part of the lab yet.
 */
import { rnnGenotypeToJson } from '../nas/rnn/genotype/rnnGenotype';
import { perplexity } from '../nas/rnn/model/rnnLoss';
import type { RnnSearchEvent } from '../nas/rnn/search/rnnSearchLoop';
import {
  disposeRnnSearchData,
  prepareRnnSearchData,
  runRnnSearch,
} from '../nas/rnn/search/rnnSearchLoop';
import type { RnnSearchState } from '../nas/rnn/search/rnnSearchState';
import { createRnnSearchState, disposeRnnSearchState } from '../nas/rnn/search/rnnSearchState';
import type { Job } from './job';
import {
  estimatedRnnSteps,
  recurrentSettingsOf,
  recurrentSettingsProblem,
  rnnConfigOf,
} from './labRecurrent';
import type { FromWorker, LabConfig } from './protocol';
import type { LabRecurrentSettings } from './recurrentProtocol';

/** Token ids of a corpus as the job needs them. */
export interface LabTextCorpus {
  readonly level: 'word' | 'char';
  readonly vocabularySize: number;
  readonly train: Int32Array;
  readonly valid: Int32Array;
}

export type TextCorpusLoader = (settings: LabRecurrentSettings) => Promise<LabTextCorpus>;

interface Progress {
  /** Steps done. */
  step: number;
  readonly totalSteps: number;
  readonly weightLr: () => number;
}

function rnnMessages(event: RnnSearchEvent, progress: Progress): FromWorker[] {
  switch (event.type) {
    case 'step':
      progress.step = event.step + 1;
      return [
        {
          type: 'rnnStep',
          point: {
            step: progress.step,
            epoch: event.epoch,
            totalSteps: Math.max(progress.totalSteps, progress.step),
            segmentLength: event.segmentLength,
            trainLoss: event.trainLoss,
            trainPerplexity: event.trainPerplexity,
            valLoss: event.valLoss,
            valPerplexity: perplexity(event.valLoss),
            weightLr: progress.weightLr(),
            alphaSoftmax: event.alphaSoftmax,
            genotype: rnnGenotypeToJson(event.genotype),
            tokensPerSecond: event.tokensPerSecond,
            elapsedMs: event.elapsedMs,
          },
        },
      ];
    case 'epoch':
      return [
        {
          type: 'rnnEpoch',
          point: {
            epoch: event.epoch,
            step: progress.step,
            valLoss: event.valLoss,
            valPerplexity: event.valPerplexity,
          },
        },
      ];
    case 'done':
      return [];
  }
}

/**
 * The state as the loop sees it, with the learning rates read from `rates` at every step (the
 * core reads `state.config.lr` and `.alphaLr` when it steps), so the page's changes apply at once.
 */
function withLiveRates(
  state: RnnSearchState,
  rates: { lr: number; alphaLr: number },
): RnnSearchState {
  return {
    ...state,
    get config() {
      return { ...state.config, lr: rates.lr, alphaLr: rates.alphaLr };
    },
  };
}

export async function createRnnSearchJob(
  config: LabConfig,
  loadCorpus: TextCorpusLoader,
): Promise<Job> {
  const settings = recurrentSettingsOf(config);
  const problem = recurrentSettingsProblem(settings);
  if (problem) throw new Error(problem);
  const rnn = rnnConfigOf(settings);
  const corpus = await loadCorpus(settings);
  const train = corpus.train.subarray(0, settings.trainTokens);
  const valid = corpus.valid.subarray(0, settings.validTokens);
  const short = recurrentSettingsProblem({
    ...settings,
    trainTokens: train.length,
    validTokens: valid.length,
  });
  if (short) {
    throw new Error(
      `the corpus has ${corpus.train.length} training and ${corpus.valid.length} validation tokens, too few for these settings: ${short}`,
    );
  }
  const state = createRnnSearchState(rnn, corpus.vocabularySize);
  let data;
  try {
    data = prepareRnnSearchData(state, { train, valid });
  } catch (e) {
    disposeRnnSearchState(state);
    throw e;
  }
  const rates = { lr: rnn.lr, alphaLr: rnn.alphaLr };
  const progress: Progress = {
    step: 0,
    totalSteps: estimatedRnnSteps(rnn, train.length),
    weightLr: () => rates.lr,
  };
  const generator = runRnnSearch(withLiveRates(state, rates), data);
  let pending: FromWorker[] = [
    {
      type: 'rnnCorpus',
      corpus: {
        level: corpus.level,
        vocabularySize: corpus.vocabularySize,
        trainTokens: train.length,
        validTokens: valid.length,
      },
    },
  ];
  const built = data;
  return {
    async next() {
      const before = pending;
      pending = [];
      const r = await generator.next();
      if (r.done) return { messages: before, kind: 'done' };
      const event = r.value;
      const messages = [...before, ...rnnMessages(event, progress)];
      if (event.type === 'step') return { messages, kind: 'step', step: progress.step };
      return { messages, kind: event.type === 'done' ? 'done' : 'other' };
    },
    setRates(r) {
      if (r.weightLr !== undefined && r.weightLr > 0) rates.lr = r.weightLr;
      if (r.alphaLr !== undefined && r.alphaLr > 0) rates.alphaLr = r.alphaLr;
    },
    save: async () => null,
    async dispose() {
      await generator.return(undefined);
      disposeRnnSearchData(built);
      disposeRnnSearchState(state);
    },
  };
}
