/**
 * Retraining a recurrent genotype as a lab job (`rnn/train.py`): the built-in text (its first
 * tokens of each split), the retrain state and `runRnnRetrain`, with its events as the page's
 * rnnRetrain* messages. The weights are not offered for download: there is no recurrent model
 * file format yet.
 */
import type { FileSource } from '../data/catalog';
import { loadTextCorpus } from '../data/textCorpus';
import type { RnnGenotypeJson } from '../nas/rnn/genotype/rnnGenotype';
import { rnnGenotypeFromJson, rnnGenotypeToJson } from '../nas/rnn/genotype/rnnGenotype';
import { perplexity } from '../nas/rnn/model/rnnLoss';
import type { RnnRetrainEvent } from '../nas/rnn/retrain/rnnRetrainLoop';
import {
  disposeRnnRetrainData,
  prepareRnnRetrainData,
  runRnnRetrain,
} from '../nas/rnn/retrain/rnnRetrainLoop';
import { createRnnRetrainState, disposeRnnRetrainState } from '../nas/rnn/retrain/rnnRetrainState';
import { expectedRnnRetrainSteps } from '../nas/rnn/retrain/rnnRetrainSteps';
import type { Job } from './job';
import { rnnRetrainConfigOf } from './rnnRetrainLabConfig';
import type { FromWorker } from './protocol';
import type { LabRnnRetrainSettings } from './recurrentRetrainProtocol';

function retrainMessages(
  event: RnnRetrainEvent,
  progress: { step: number; readonly totalSteps: number },
): FromWorker[] {
  switch (event.type) {
    case 'step':
      progress.step = event.step + 1;
      return [
        {
          type: 'rnnRetrainStep',
          point: {
            step: progress.step,
            epoch: event.epoch,
            totalSteps: Math.max(progress.totalSteps, progress.step),
            trainLoss: event.trainLoss,
            trainPerplexity: event.trainPerplexity,
            lr: event.lr,
            optimizer: event.optimizer,
            tokensPerSecond: event.tokensPerSecond,
            elapsedMs: event.elapsedMs,
          },
        },
      ];
    case 'epoch':
      return [
        {
          type: 'rnnRetrainEpoch',
          point: {
            epoch: event.epoch,
            step: progress.step,
            valPerplexity: event.valPerplexity,
            testPerplexity: event.testPerplexity,
            evaluated: event.evaluated,
            switchedToAsgd: event.switchedToAsgd,
          },
        },
      ];
    case 'done':
      return [
        {
          type: 'rnnRetrainDone',
          result: {
            steps: event.steps,
            bestEpoch: event.bestEpoch,
            bestValPerplexity: perplexity(event.bestValLoss),
            testPerplexity: event.testPerplexity,
          },
        },
      ];
  }
}

export async function createRnnRetrainJob(
  settings: LabRnnRetrainSettings,
  genotypeJson: RnnGenotypeJson,
  source: () => FileSource,
): Promise<Job> {
  const config = rnnRetrainConfigOf(settings);
  const genotype = rnnGenotypeFromJson(genotypeJson);
  const corpus = await loadTextCorpus(source(), {
    level: settings.level,
    maxVocabulary: settings.maxVocabulary,
  });
  const ids = {
    train: corpus.train.subarray(0, settings.trainTokens),
    valid: corpus.valid.subarray(0, settings.validTokens),
    test: corpus.test.subarray(0, settings.testTokens),
  };
  const state = createRnnRetrainState(config, genotype, corpus.vocabulary.length);
  let data;
  try {
    data = prepareRnnRetrainData(state, ids);
  } catch (e) {
    disposeRnnRetrainState(state);
    throw e;
  }
  const progress = { step: 0, totalSteps: expectedRnnRetrainSteps(config, data.train.rows) };
  const generator = runRnnRetrain(state, data);
  let pending: FromWorker[] = [
    {
      type: 'rnnRetrainCorpus',
      vocabularySize: corpus.vocabulary.length,
      tokens: { train: ids.train.length, valid: ids.valid.length, test: ids.test.length },
      genotype: rnnGenotypeToJson(state.genotype),
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
      const messages = [...before, ...retrainMessages(event, progress)];
      if (event.type === 'step') return { messages, kind: 'step', step: progress.step };
      return { messages, kind: event.type === 'done' ? 'done' : 'other' };
    },
    // The learning rate is train.py's, fixed for the run (ASGD averages from the switch on).
    setRates: () => undefined,
    save: async () => null,
    async dispose() {
      await generator.return(undefined);
      disposeRnnRetrainData(built);
      disposeRnnRetrainState(state);
    },
  };
}
