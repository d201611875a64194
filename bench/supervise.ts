/**
 * Runs one runner over its cells with a time limit per cell: a cell that runs over its limit
 * stops the runner; it is reported as over budget and the cells after it as not run. Cells a
 * runner never reported (it crashed) are reported as failed, with its reason.
 */
import type { BackendName, CellResult, CellSpec } from './benchTypes';
import type { StartRunner } from './runnerHandle';
import { median } from './stats';

export interface SupervisedRun {
  readonly results: CellResult[];
  /** The device the runner described, if it did. */
  readonly device: string | null;
}

export type ProgressSink = (line: string) => void;

const cellKey = (c: CellSpec): string => `${c.config}:${c.workload}:${c.implementation}`;

export async function superviseRunner(
  backend: BackendName,
  cells: readonly CellSpec[],
  start: StartRunner,
  cellLimitMs: (cell: CellSpec) => number,
  progress: ProgressSink,
): Promise<SupervisedRun> {
  const results = new Map<string, CellResult>();
  let device: string | null = null;
  let overBudget: { cell: CellSpec; limitMs: number } | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const clear = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  const handle = start((event) => {
    if (event.type === 'device') {
      device = event.description;
      progress(`${backend}: ${event.description}`);
    } else if (event.type === 'start') {
      clear();
      const limitMs = cellLimitMs(event.cell);
      progress(`${backend}: ${cellKey(event.cell)} …`);
      timer = setTimeout(() => {
        overBudget = { cell: event.cell, limitMs };
        void handle.stop();
      }, limitMs);
    } else if (event.type === 'result') {
      clear();
      results.set(cellKey(event.result), event.result);
      const m = event.result.measurement;
      const ms = m
        ? ` median ${Math.round(median(m.stepMs))} ms of ${m.stepMs.length} step(s)`
        : '';
      const note = event.result.note ? ` (${event.result.note})` : '';
      progress(`${backend}: ${cellKey(event.result)} ${event.result.status}${ms}${note}`);
    }
  });
  const reason = await handle.finished;
  clear();
  const over = overBudget as { cell: CellSpec; limitMs: number } | null;
  const complete = cells.map((cell): CellResult => {
    const got = results.get(cellKey(cell));
    if (got) return got;
    if (over && cellKey(over.cell) === cellKey(cell)) {
      const s = Number((over.limitMs / 1000).toPrecision(3));
      return { ...cell, backend, status: 'skipped', note: `over budget: no result within ${s} s` };
    }
    if (over) {
      return {
        ...cell,
        backend,
        status: 'skipped',
        note: 'not run: an earlier cell on this backend went over budget',
      };
    }
    return { ...cell, backend, status: 'failed', note: `runner stopped: ${reason ?? 'no result'}` };
  });
  return { results: complete, device };
}
