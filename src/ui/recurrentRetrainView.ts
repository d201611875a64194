/**
 * What the page keeps of a recurrent retrain: the corpus and genotype it trains, every step and
 * epoch point, and train.py's final report. Pure reducer over the rnnRetrain* messages.
 */
import type { RnnGenotypeJson } from '../nas/rnn/genotype/rnnGenotype';
import type {
  RecurrentRetrainFromWorker,
  RnnRetrainEpochPoint,
  RnnRetrainResult,
  RnnRetrainStepPoint,
} from '../worker/recurrentRetrainProtocol';

export interface RecurrentRetrainView {
  readonly vocabularySize: number | null;
  readonly genotype: RnnGenotypeJson | null;
  readonly steps: readonly RnnRetrainStepPoint[];
  readonly epochs: readonly RnnRetrainEpochPoint[];
  /** The step at which ASGD took over (the first step after the switching epoch), or null. */
  readonly asgdFromStep: number | null;
  readonly result: RnnRetrainResult | null;
}

export const EMPTY_RECURRENT_RETRAIN_VIEW: RecurrentRetrainView = {
  vocabularySize: null,
  genotype: null,
  steps: [],
  epochs: [],
  asgdFromStep: null,
  result: null,
};

export function reduceRecurrentRetrain(
  view: RecurrentRetrainView | null,
  m: RecurrentRetrainFromWorker,
): RecurrentRetrainView {
  const v = view ?? EMPTY_RECURRENT_RETRAIN_VIEW;
  switch (m.type) {
    case 'rnnRetrainCorpus':
      return { ...v, vocabularySize: m.vocabularySize, genotype: m.genotype };
    case 'rnnRetrainStep':
      return { ...v, steps: [...v.steps, m.point] };
    case 'rnnRetrainEpoch':
      return {
        ...v,
        epochs: [...v.epochs, m.point],
        asgdFromStep: v.asgdFromStep ?? (m.point.switchedToAsgd ? m.point.step + 1 : null),
      };
    case 'rnnRetrainDone':
      return { ...v, result: m.result };
  }
}
