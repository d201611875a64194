/**
 * The page's state of a recurrent search, reduced from the worker's rnn* messages. Consecutive
 * steps whose genotype did not change share one genotype object, so the memoised cell graph and
 * genotype panel skip their work until the architecture changes.
 */
import type {
  RecurrentFromWorker,
  RnnCorpusSummary,
  RnnEpochPoint,
  RnnStepPoint,
} from '../worker/recurrentProtocol';

export interface RecurrentView {
  readonly corpus: RnnCorpusSummary | null;
  readonly steps: readonly RnnStepPoint[];
  readonly epochs: readonly RnnEpochPoint[];
}

export const EMPTY_RECURRENT_VIEW: RecurrentView = { corpus: null, steps: [], epochs: [] };

function withSharedGenotype(point: RnnStepPoint, previous: RnnStepPoint | undefined): RnnStepPoint {
  if (!previous || JSON.stringify(previous.genotype) !== JSON.stringify(point.genotype)) {
    return point;
  }
  return { ...point, genotype: previous.genotype };
}

export function reduceRecurrent(view: RecurrentView | null, m: RecurrentFromWorker): RecurrentView {
  const v = view ?? EMPTY_RECURRENT_VIEW;
  switch (m.type) {
    case 'rnnCorpus':
      return { ...v, corpus: m.corpus };
    case 'rnnStep':
      return { ...v, steps: [...v.steps, withSharedGenotype(m.point, v.steps.at(-1))] };
    case 'rnnEpoch':
      return { ...v, epochs: [...v.epochs, m.point] };
  }
}

/** The view as it stood at `step` (a rollback or a recovery went back there). */
export function recurrentUpTo(view: RecurrentView, step: number): RecurrentView {
  return {
    ...view,
    steps: view.steps.filter((p) => p.step <= step),
    epochs: view.epochs.filter((e) => e.step <= step),
  };
}
