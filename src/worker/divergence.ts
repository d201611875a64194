/**
 * Divergence watch on the streamed scalars: a non-finite loss or alpha softmax means the run has
 * diverged. The first time, the session rolls back to the last good checkpoint and lowers the
 * learning rates by `lrFactor`; a second divergence in the same run pauses it.
 */
import type { StepPoint } from './protocol';

export const DEFAULT_DIVERGENCE_LR_FACTOR = 0.5;

function finiteRows(rows: readonly (readonly number[])[]): boolean {
  return rows.every((r) => r.every((v) => Number.isFinite(v)));
}

/**
 * Whether a streamed step shows divergence. CDARTS warm-up steps report NaN for figures they do
 * not have, so only the figures that exist are checked: a loss is missing when the phase has
 * none, never when it was computed.
 */
export function divergedAt(point: StepPoint): boolean {
  const phase = point.cdarts?.phase;
  const losses =
    phase === undefined
      ? [point.trainLoss, point.valLoss]
      : phase === 'searchWarmup'
        ? [point.trainLoss]
        : phase === 'evalWarmup'
          ? [point.cdarts?.evalLoss ?? Number.NaN]
          : [point.trainLoss, point.valLoss, point.cdarts?.evalLoss ?? Number.NaN];
  return (
    !losses.every((v) => Number.isFinite(v)) ||
    !finiteRows(point.alphaSoftmax.normal) ||
    !finiteRows(point.alphaSoftmax.reduce)
  );
}

export type DivergenceVerdict = 'ok' | 'rollback' | 'pause';

/** Counts divergences in one run: the first asks for a rollback, any later one for a pause. */
export class DivergenceWatch {
  private count = 0;

  reset(): void {
    this.count = 0;
  }

  check(point: StepPoint): DivergenceVerdict {
    if (!divergedAt(point)) return 'ok';
    this.count += 1;
    return this.count === 1 ? 'rollback' : 'pause';
  }
}
