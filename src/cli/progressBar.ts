/** A one-line terminal progress bar with throughput and ETA. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '--:--';
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export interface ProgressLine {
  readonly done: number;
  readonly total: number;
  readonly elapsedMs: number;
  readonly label: string;
}

export function formatProgress(p: ProgressLine, width = 24): string {
  const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
  const filled = Math.round(frac * width);
  const eta = p.done > 0 ? (p.elapsedMs / p.done) * (p.total - p.done) : Number.NaN;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${p.total} ${p.label} elapsed ${formatDuration(p.elapsedMs)} ETA ${formatDuration(eta)}`;
}
