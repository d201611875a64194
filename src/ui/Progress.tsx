/** Step counter, progress bar, ETA and throughput of a run, from its latest step report. */
import { findRunKind } from '../nas/runKind/registry';
import type { RunStatus } from '../worker/protocol';
import type { RunTrace } from './runTrace';

function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  const s = Math.round(ms / 1000);
  const m = Math.floor(s / 60);
  return m > 0 ? `${m} min ${s % 60} s` : `${s} s`;
}

export function Progress({ status, trace }: { status: RunStatus; trace: RunTrace | null }) {
  const last = trace?.steps.at(-1);
  // A run loaded from a checkpoint stands at its step before it steps again.
  const done = last?.step ?? trace?.from ?? 0;
  const total = last?.totalSteps ?? 0;
  const eta = last && done > 0 ? (last.elapsedMs / done) * (total - done) : Number.NaN;
  const unit = trace ? (findRunKind(trace.kind)?.info.throughputUnit ?? '') : '';
  return (
    <div className="progress">
      <span data-testid="status">{status}</span>
      <span>
        step <span data-testid="step-count">{done}</span> / {total}
        {last ? `, epoch ${last.epoch + 1}` : ''}
      </span>
      <progress max={Math.max(total, 1)} value={done} />
      <span>ETA {duration(eta)}</span>
      <span>{last ? `${last.throughput.toFixed(1)} ${unit}` : ''}</span>
    </div>
  );
}
