/**
 * Runs a list of cells on the current tfjs backend and reports each as an event: the loop
 * shared by the Node runner and the benchmark page.
 */
import type { BackendName, CellResult, CellSpec, RunnerEvent, TimingOptions } from './benchTypes';
import { measureCell } from './workloads';

export type EventSink = (event: RunnerEvent) => void | Promise<void>;

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export async function runCells(
  backend: BackendName,
  cells: readonly CellSpec[],
  timing: TimingOptions,
  emit: EventSink,
): Promise<void> {
  for (const cell of cells) {
    await emit({ type: 'start', backend, cell });
    let result: CellResult;
    try {
      result = { ...cell, backend, status: 'ok', measurement: await measureCell(cell, timing) };
    } catch (e) {
      result = { ...cell, backend, status: 'failed', note: errorText(e) };
    }
    await emit({ type: 'result', result });
  }
  await emit({ type: 'done', backend });
}
