/**
 * The page's views of a run of any kind: its uniform reports (runKind.ts) become the points the
 * views draw — a convolutional search's steps and epochs, a retrain's, a recurrent search's —
 * picked by what the kind runs (its command and space) and read by metric keys, so that a new
 * kind of an existing shape needs no code here. Figures a report lacks are NaN (null where the
 * views take null), as the views draw gaps.
 */
import type { GenotypeJson } from '../nas/genotype/genotype';
import type { RnnGenotypeJson } from '../nas/rnn/genotype/rnnGenotype';
import type {
  AlphaGroup,
  EpochReport,
  NoteReport,
  RunKindInfo,
  RunReport,
  StepReport,
} from '../nas/runKind/runKind';
import type { AlphaSoftmax } from '../nas/darts/searchLoop';
import type { CdartsStepDetail, FromWorker } from '../worker/protocol';

/** Which of the page's views a kind's reports feed. */
export type RunView = 'search' | 'retrain' | 'recurrent' | 'recurrentRetrain';

export function viewOf(info: RunKindInfo): RunView {
  if (info.select.space === 'rnn')
    return info.command === 'search' ? 'recurrent' : 'recurrentRetrain';
  return info.command === 'search' ? 'search' : 'retrain';
}

const metric = (r: { readonly metrics: Readonly<Record<string, number>> }, key: string) =>
  r.metrics[key] ?? Number.NaN;

const rows = (groups: readonly AlphaGroup[] | undefined, name: string): number[][] =>
  (groups?.find((g) => g.name === name)?.softmax ?? []).map((r) => [...r]);

const isRecord = (v: unknown): v is Readonly<Record<string, unknown>> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The softmax of a convolutional search's two cell types. */
export function cellSoftmax(groups: readonly AlphaGroup[] | undefined): AlphaSoftmax {
  return { normal: rows(groups, 'normal'), reduce: rows(groups, 'reduce') };
}

const PHASES = ['searchWarmup', 'evalWarmup', 'joint'] as const;

/** A CDARTS step's phase and evaluation-network figures, where the step has a phase. */
function cdartsDetail(report: StepReport): CdartsStepDetail | undefined {
  const detail = isRecord(report.detail) ? report.detail : {};
  const phase = PHASES.find((p) => p === detail.phase);
  if (phase === undefined) return undefined;
  return {
    phase,
    evalLoss: metric(report, 'evalLoss'),
    evalAccuracy: metric(report, 'evalAccuracy'),
    distillationLoss: metric(report, 'distillationLoss'),
    penalty: metric(report, 'penalty'),
    evalGenotype: (detail.evalGenotype as GenotypeJson | null | undefined) ?? null,
  };
}

function searchStep(report: StepReport): FromWorker {
  const cdarts = cdartsDetail(report);
  return {
    type: 'step',
    point: {
      step: report.step,
      epoch: report.epoch,
      totalSteps: report.totalSteps,
      trainLoss: metric(report, 'trainLoss'),
      trainAccuracy: metric(report, 'trainAccuracy'),
      valLoss: metric(report, 'valLoss'),
      weightLr: metric(report, 'weightLr'),
      imagesPerSecond: report.throughput,
      elapsedMs: report.elapsedMs,
      alphaSoftmax: cellSoftmax(report.alphas),
      ...(report.alphaMaxAbs === undefined ? {} : { alphaMaxAbs: report.alphaMaxAbs }),
      genotype: report.genotype as GenotypeJson,
      ...(cdarts ? { cdarts } : {}),
    },
  };
}

function searchEpoch(info: RunKindInfo, report: EpochReport): FromWorker {
  const hasEval = info.metrics.some((m) => m.key === 'evalLoss');
  return {
    type: 'epoch',
    point: {
      epoch: report.epoch,
      step: report.step,
      valLoss: metric(report, 'valLoss'),
      valAccuracy: metric(report, 'valAccuracy'),
      ...(hasEval
        ? {
            evalValLoss: report.metrics.evalLoss ?? null,
            evalValAccuracy: report.metrics.evalAccuracy ?? null,
          }
        : {}),
    },
  };
}

/**
 * A finished run's model file (`.nas`), kept for download under a name that says what it is:
 * `nas-lab-<kind>-<path>` (`nas-lab-retrain-model.nas`).
 */
function modelFiles(kind: string, report: Extract<RunReport, { type: 'done' }>): FromWorker[] {
  return (report.files ?? []).flatMap((f) =>
    f.path.endsWith('.nas') && typeof f.data !== 'string'
      ? [
          {
            type: 'file',
            kind: 'model',
            name: `nas-lab-${kind}-${f.path.replace(/\//g, '-')}`,
            bytes: f.data.slice().buffer,
            purpose: 'keep',
          } as const,
        ]
      : [],
  );
}

function retrainMessages(kind: string, report: RunReport): FromWorker[] {
  switch (report.type) {
    case 'step':
      return [
        {
          type: 'retrainStep',
          point: {
            step: report.step,
            epoch: report.epoch,
            totalSteps: report.totalSteps,
            trainLoss: metric(report, 'trainLoss'),
            trainAccuracy: metric(report, 'trainAccuracy'),
            lr: metric(report, 'lr'),
            dropPathProb: metric(report, 'dropPathProb'),
            imagesPerSecond: report.throughput,
            elapsedMs: report.elapsedMs,
          },
        },
      ];
    case 'epoch':
      return [
        {
          type: 'retrainEpoch',
          point: {
            epoch: report.epoch,
            step: report.step,
            testLoss: metric(report, 'testLoss'),
            testAccuracy: metric(report, 'testAccuracy'),
          },
        },
      ];
    case 'done':
      return [
        {
          type: 'retrainDone',
          testLoss: metric(report, 'testLoss'),
          testAccuracy: metric(report, 'testAccuracy'),
        },
        ...modelFiles(kind, report),
      ];
    case 'note':
      return [];
  }
}

/** A recurrent run's corpus note, as the recurrent search view shows it. */
function corpusOf(note: NoteReport): FromWorker[] {
  const d = isRecord(note.detail) ? note.detail : {};
  if (d.note !== 'corpus' || (d.level !== 'word' && d.level !== 'char')) return [];
  const count = (v: unknown) => (typeof v === 'number' ? v : Number.NaN);
  return [
    {
      type: 'rnnCorpus',
      corpus: {
        level: d.level,
        vocabularySize: count(d.vocabularySize),
        trainTokens: count(d.trainTokens),
        validTokens: count(d.validTokens),
      },
    },
  ];
}

function recurrentMessages(report: RunReport): FromWorker[] {
  switch (report.type) {
    case 'note':
      return corpusOf(report);
    case 'step':
      return [
        {
          type: 'rnnStep',
          point: {
            step: report.step,
            epoch: report.epoch,
            totalSteps: report.totalSteps,
            segmentLength: metric(report, 'segmentLength'),
            trainLoss: metric(report, 'trainLoss'),
            trainPerplexity: metric(report, 'trainPerplexity'),
            valLoss: metric(report, 'valLoss'),
            valPerplexity: metric(report, 'valPerplexity'),
            weightLr: metric(report, 'lr'),
            alphaSoftmax: rows(report.alphas, 'recurrent'),
            genotype: report.genotype as RnnGenotypeJson,
            tokensPerSecond: report.throughput,
            elapsedMs: report.elapsedMs,
          },
        },
      ];
    case 'epoch':
      return [
        {
          type: 'rnnEpoch',
          point: {
            epoch: report.epoch,
            step: report.step,
            valLoss: metric(report, 'valLoss'),
            valPerplexity: metric(report, 'valPerplexity'),
          },
        },
      ];
    case 'done':
      return [];
  }
}

/**
 * What a report of `info`'s kind adds to the page's views, as the messages the views reduce.
 * A convolutional search's notes (its data, where a resumed run stands) are read by the
 * reducer itself (`restoredOf`).
 */
export function reportMessages(info: RunKindInfo, report: RunReport): FromWorker[] {
  switch (viewOf(info)) {
    case 'search':
      if (report.type === 'step') return [searchStep(report)];
      if (report.type === 'epoch') return [searchEpoch(info, report)];
      return [];
    case 'retrain':
      return retrainMessages(info.id, report);
    case 'recurrent':
      return recurrentMessages(report);
    case 'recurrentRetrain':
      return [];
  }
}

/**
 * Where a resumed convolutional search stands, from the note it opens with (`resumedFrom`, the
 * alphas, the genotype); null for any other report.
 */
export function restoredOf(report: RunReport): {
  readonly step: number;
  readonly alphaSoftmax: AlphaSoftmax;
  readonly genotype: GenotypeJson | null;
} | null {
  if (report.type !== 'note' || !isRecord(report.detail)) return null;
  const { resumedFrom, alphas, genotype } = report.detail;
  if (typeof resumedFrom !== 'number' || !Array.isArray(alphas)) return null;
  return {
    step: resumedFrom,
    alphaSoftmax: cellSoftmax(alphas as AlphaGroup[]),
    genotype: (genotype as GenotypeJson | undefined) ?? null,
  };
}
