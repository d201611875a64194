/** Step counter, progress bar, ETA and throughput. */
import type { RunStatus, StepPoint } from '../worker/protocol';

/** What the progress line needs of a search or retrain step. */
export type ProgressPoint = Pick<
  StepPoint,
  'step' | 'epoch' | 'totalSteps' | 'elapsedMs' | 'imagesPerSecond'
>;

function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  const s = Math.round(ms / 1000);
  const m = Math.floor(s / 60);
  return m > 0 ? `${m} min ${s % 60} s` : `${s} s`;
}

export function Progress({
  status,
  last,
  resumedStep = 0,
  unit = 'images',
}: {
  status: RunStatus;
  last: ProgressPoint | null;
  /** The step a search loaded from a checkpoint resumes at, before its first new step. */
  resumedStep?: number;
  /** What the throughput counts (`imagesPerSecond` holds tokens/s for a recurrent search). */
  unit?: 'images' | 'tokens';
}) {
  const done = last?.step ?? resumedStep;
  const total = last?.totalSteps ?? 0;
  const eta = last && done > 0 ? (last.elapsedMs / done) * (total - done) : Number.NaN;
  return (
    <div className="progress">
      <span data-testid="status">{status}</span>
      <span>
        step <span data-testid="step-count">{done}</span> / {total}
        {last ? `, epoch ${last.epoch + 1}` : ''}
      </span>
      <progress max={Math.max(total, 1)} value={done} />
      <span>ETA {duration(eta)}</span>
      <span>{last ? `${last.imagesPerSecond.toFixed(1)} ${unit}/s` : ''}</span>
    </div>
  );
}
