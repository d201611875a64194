/**
 * What the page keeps of a recurrent retrain (`rnn/train.py`): the corpus and genotype it
 * trains, every step and epoch point, and train.py's final report. A pure reducer over the run's
 * uniform reports (runKind.ts), read by the metric keys and details of the `rnn-retrain` kind
 * (rnnRetrainRunKind.ts); a figure a report lacks is NaN, as the charts draw a gap.
 */
import type { RnnGenotypeJson } from '../nas/rnn/genotype/rnnGenotype';
import type { RunReport } from '../nas/runKind/runKind';

export interface RnnRetrainStepPoint {
  /** Steps done (1 after the first). */
  readonly step: number;
  /** 0-based. */
  readonly epoch: number;
  /** Estimated steps of the run (segment lengths are drawn). */
  readonly totalSteps: number;
  readonly trainLoss: number;
  readonly trainPerplexity: number;
  /** The step's learning rate (lr × drawn length / bptt). */
  readonly lr: number;
  readonly optimizer: 'sgd' | 'asgd';
  readonly tokensPerSecond: number;
  readonly elapsedMs: number;
}

export interface RnnRetrainEpochPoint {
  readonly epoch: number;
  /** Steps done at the end of the epoch. */
  readonly step: number;
  readonly valPerplexity: number;
  readonly testPerplexity: number;
  /** 'averaged' once ASGD runs (its averaged weights are evaluated). */
  readonly evaluated: 'weights' | 'averaged';
  /** This epoch's validation loss switched SGD to ASGD. */
  readonly switchedToAsgd: boolean;
}

/** train.py's final report: the best validation epoch's test perplexity. */
export interface RnnRetrainResult {
  readonly steps: number;
  /** -1 when no epoch finished (then the perplexities are NaN). */
  readonly bestEpoch: number;
  readonly bestValPerplexity: number;
  readonly testPerplexity: number;
}

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

const metric = (r: { readonly metrics: Readonly<Record<string, number>> }, key: string) =>
  r.metrics[key] ?? Number.NaN;

const detailOf = (r: { readonly detail?: unknown }): Readonly<Record<string, unknown>> =>
  typeof r.detail === 'object' && r.detail !== null && !Array.isArray(r.detail)
    ? (r.detail as Readonly<Record<string, unknown>>)
    : {};

/** The step ASGD took over at, from the epochs: the first after the epoch that switched. */
function asgdFrom(epochs: readonly RnnRetrainEpochPoint[]): number | null {
  const switched = epochs.find((e) => e.switchedToAsgd);
  return switched ? switched.step + 1 : null;
}

export function reduceRecurrentRetrain(
  view: RecurrentRetrainView | null,
  report: RunReport,
): RecurrentRetrainView {
  const v = view ?? EMPTY_RECURRENT_RETRAIN_VIEW;
  const d = detailOf(report);
  switch (report.type) {
    case 'note': {
      if (d.note !== 'corpus') return v;
      const vocabularySize = typeof d.vocabularySize === 'number' ? d.vocabularySize : null;
      const genotype = (d.genotype as RnnGenotypeJson | undefined) ?? v.genotype;
      return { ...v, vocabularySize, genotype };
    }
    case 'step': {
      const point: RnnRetrainStepPoint = {
        step: report.step,
        epoch: report.epoch,
        totalSteps: report.totalSteps,
        trainLoss: metric(report, 'trainLoss'),
        trainPerplexity: metric(report, 'trainPerplexity'),
        lr: metric(report, 'lr'),
        optimizer: d.optimizer === 'asgd' ? 'asgd' : 'sgd',
        tokensPerSecond: report.throughput,
        elapsedMs: report.elapsedMs,
      };
      return { ...v, steps: [...v.steps, point] };
    }
    case 'epoch': {
      const point: RnnRetrainEpochPoint = {
        epoch: report.epoch,
        step: report.step,
        valPerplexity: metric(report, 'valPerplexity'),
        testPerplexity: metric(report, 'testPerplexity'),
        evaluated: d.evaluated === 'averaged' ? 'averaged' : 'weights',
        switchedToAsgd: d.switchedToAsgd === true,
      };
      const epochs = [...v.epochs, point];
      return { ...v, epochs, asgdFromStep: v.asgdFromStep ?? asgdFrom(epochs) };
    }
    case 'done':
      return {
        ...v,
        result: {
          steps: report.step,
          bestEpoch: typeof d.bestEpoch === 'number' ? d.bestEpoch : -1,
          bestValPerplexity: metric(report, 'bestValPerplexity'),
          testPerplexity: metric(report, 'testPerplexity'),
        },
      };
  }
}

/** The view as it stood at `step` (a rollback or a recovery went back there). */
export function recurrentRetrainUpTo(
  view: RecurrentRetrainView,
  step: number,
): RecurrentRetrainView {
  const epochs = view.epochs.filter((e) => e.step <= step);
  return {
    ...view,
    steps: view.steps.filter((p) => p.step <= step),
    epochs,
    asgdFromStep: asgdFrom(epochs),
  };
}
