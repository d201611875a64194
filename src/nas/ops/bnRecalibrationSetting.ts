/**
 * The `bnRecalibration` setting of the convolutional kinds (DARTS, CDARTS, retrain), written once:
 * K, the training batches over which BatchNorm statistics are recomputed before each epoch-end
 * evaluation (`bnRecalibration.ts`); 0 evaluates with the running statistics, as the official
 * scripts do. It changes the reported validation only, never the training, so it is on by
 * default, and 0 in each kind's paper-exact preset. A checkpoint written before the setting
 * existed resumes with 0: its run reported running-statistics figures, and its curve goes on
 * the way it began (docs/DECISIONS.md, "BatchNorm recalibration"). No tfjs here: the kinds'
 * descriptors use it.
 */

/**
 * The default K. BatchNorm's momentum 0.1 makes the running statistics an average over about
 * the last 10 batches (weights 0.1·0.9^j), each from older weights; 10 batches at the current
 * weights take as many images, for about the cost of two training steps (forwards only).
 */
export const BN_RECALIBRATION_BATCHES = 10;

/** The field, its default `BN_RECALIBRATION_BATCHES`, 0 in the kind's paper-exact preset(s). */
export function bnRecalibrationField<const P extends string>(...paperPresets: readonly P[]) {
  return {
    key: 'bnRecalibration',
    label: 'BatchNorm recalibration',
    type: 'int',
    min: 0,
    linkMax: 1000,
    default: BN_RECALIBRATION_BATCHES as number,
    presets: Object.fromEntries(paperPresets.map((p) => [p, 0])) as Readonly<Record<P, number>>,
    group: 'run',
    help:
      'training batches over which BatchNorm statistics are recomputed before each epoch-end ' +
      'evaluation (the training is unchanged); 0: the running statistics, as the paper',
    advanced: true,
  } as const;
}

/** The setting's value where a checkpoint's stored settings lack it: the official behaviour. */
export const BN_RECALIBRATION_FILL = { bnRecalibration: 0 } as const;

/** Which statistics an evaluation used: recalibrated over this many batches, or the running ones. */
export interface EvaluationStatistics {
  /** The batches the statistics were recomputed over; 0: the running statistics. */
  readonly recalibratedBatches: number;
}

/** How a report names the statistics an evaluation used. */
export function statisticsPhrase(statistics: EvaluationStatistics): string {
  const k = statistics.recalibratedBatches;
  return k === 0
    ? 'running statistics'
    : `BatchNorm recalibrated over ${k} batch${k === 1 ? '' : 'es'}`;
}

/** The key of an epoch report's `detail` that holds `statisticsPhrase`. */
export const STATISTICS_DETAIL_KEY = 'evaluationStatistics';

/** An epoch report's detail entry saying which statistics its evaluation used. */
export function statisticsDetail(statistics: EvaluationStatistics): {
  readonly [STATISTICS_DETAIL_KEY]: string;
} {
  return { [STATISTICS_DETAIL_KEY]: statisticsPhrase(statistics) };
}

/** The phrase an epoch report's detail holds, if any (for the command line and the lab). */
export function statisticsOf(detail: unknown): string | null {
  if (typeof detail !== 'object' || detail === null) return null;
  const value = (detail as Readonly<Record<string, unknown>>)[STATISTICS_DETAIL_KEY];
  return typeof value === 'string' ? value : null;
}
