/**
 * What the views read of reports beyond their metrics: the genotypes (told apart by their JSON
 * format), and the plain-data details a kind adds for its views (runKind.ts's `detail`): a
 * recurrent run's corpus note, the optimizer of a recurrent retrain's step and the epoch it
 * switched to ASGD, a finished retrain's best epoch, the genotype a CDARTS evaluation network
 * follows. Missing details read as absent, never as an error: a kind that has none shows less.
 */
import type { GenotypeJson } from '../nas/genotype/genotype';
import type { RnnGenotypeJson } from '../nas/rnn/genotype/rnnGenotype';
import type { AlphaGroup, DoneReport, StepReport } from '../nas/runKind/runKind';
import type { RunTrace } from './runTrace';
import { detailOf } from './runTrace';

/** The JSON forms' `format` ids (their types hold them to the core's). */
const CELL_FORMAT: GenotypeJson['format'] = 'nas-lab.genotype';
const RNN_FORMAT: RnnGenotypeJson['format'] = 'nas-lab.rnn-genotype';

const formatOf = (g: unknown): unknown =>
  typeof g === 'object' && g !== null ? (g as { readonly format?: unknown }).format : undefined;

/** A convolutional genotype in this project's JSON form. */
export function isCellGenotype(g: unknown): g is GenotypeJson {
  return formatOf(g) === CELL_FORMAT;
}

/** A recurrent genotype in this project's JSON form. */
export function isRnnGenotype(g: unknown): g is RnnGenotypeJson {
  return formatOf(g) === RNN_FORMAT;
}

/** The genotype a step's evaluation network follows (CDARTS, once a cycle began), or null. */
export function evalGenotypeOf(step: StepReport | undefined): GenotypeJson | null {
  const g = step ? detailOf(step).evalGenotype : null;
  return isCellGenotype(g) ? g : null;
}

/** What a recurrent run trains on, as its corpus note says. */
export interface CorpusSummary {
  readonly level: 'word' | 'char';
  readonly vocabularySize: number;
  readonly trainTokens: number;
  readonly validTokens: number;
}

const count = (v: unknown) => (typeof v === 'number' ? v : Number.NaN);

/** The run's corpus note (`detail.note === 'corpus'`), or null. */
export function corpusOf(trace: RunTrace | null): CorpusSummary | null {
  for (const note of trace?.notes ?? []) {
    const d = detailOf(note);
    if (d.note !== 'corpus' || (d.level !== 'word' && d.level !== 'char')) continue;
    return {
      level: d.level,
      vocabularySize: count(d.vocabularySize),
      trainTokens: count(d.trainTokens),
      validTokens: count(d.validTokens),
    };
  }
  return null;
}

/** The optimizer a step trained with ('sgd', 'asgd'), where its detail names one. */
export function optimizerOf(step: StepReport): string | null {
  const optimizer = detailOf(step).optimizer;
  return typeof optimizer === 'string' ? optimizer : null;
}

/** The step ASGD took over at: the first after the epoch whose detail says it switched. */
export function asgdFromStep(trace: RunTrace | null): number | null {
  const switched = trace?.epochs.find((e) => detailOf(e).switchedToAsgd === true);
  return switched ? switched.step + 1 : null;
}

/** The epoch a finished run's figures come from (its best validation epoch); -1 when none. */
export function bestEpochOf(done: DoneReport): number {
  const best = detailOf(done).bestEpoch;
  return typeof best === 'number' ? best : -1;
}

/**
 * The candidate ops of the run's search, in the order its alpha groups name them, without
 * `none` (never drawn): what a legend of its cells lists. From the latest step that reports
 * alphas, else from where the run opened; null when the run reports none yet.
 */
export function searchOps(trace: RunTrace | null): readonly string[] | null {
  const steps = trace?.steps ?? [];
  // From the end: the page redraws on every step, and a long run has thousands.
  let groups: readonly AlphaGroup[] | null | undefined;
  for (let i = steps.length - 1; i >= 0 && !groups; i--) groups = steps[i]?.alphas;
  groups ??= trace?.opening.alphas;
  if (!groups || groups.length === 0) return null;
  return [...new Set(groups.flatMap((g) => g.ops))].filter((op) => op !== 'none');
}
