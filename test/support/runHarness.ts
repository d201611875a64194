/**
 * Helpers of the recurrent run kinds' tests: drain a run, compare reports without their clocks,
 * and step a run to a chosen report.
 */
import type { Run, RunReport } from '../../src/nas/runKind/runKind';

/** Every report until the run ends. */
export async function drain(run: Run): Promise<RunReport[]> {
  const out: RunReport[] = [];
  for (let r = await run.next(); r !== null; r = await run.next()) out.push(r);
  return out;
}

/** A report without what the clock sets (elapsed time, throughput): what must replay exactly. */
export function timeless(r: RunReport): unknown {
  if (r.type !== 'step') return r;
  const { elapsedMs: _e, throughput: _t, ...rest } = r;
  return rest;
}

/** The reports after the note a run (or a resumed run) opens with. */
export const afterNote = (reports: readonly RunReport[]): RunReport[] =>
  reports.filter((r) => r.type !== 'note');

/** Reports until `stop` holds for one (inclusive). */
export async function until(run: Run, stop: (r: RunReport) => boolean): Promise<RunReport[]> {
  const out: RunReport[] = [];
  for (let r = await run.next(); r !== null; r = await run.next()) {
    out.push(r);
    if (stop(r)) return out;
  }
  throw new Error('the run ended before the report asked for');
}
