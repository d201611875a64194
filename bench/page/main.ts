/**
 * The benchmark page: `npm run bench` opens it in headless Chromium and calls
 * `window.runBench(request)`; each event goes back through `window.benchEvent`, a function the
 * harness exposes. The workloads run on the page's main thread: the page does nothing else,
 * and the core reads back only asynchronously, so nothing here needs a worker.
 */
import { selectBackend } from '../../src/worker/backendChoice';
import { describeBackend } from '../backendDescription';
import type { BackendName, CellSpec, RunnerEvent, TimingOptions } from '../benchTypes';
import { runCells } from '../cellLoop';

export interface PageRequest {
  readonly tfjsBackend: 'webgpu' | 'webgl' | 'wasm';
  readonly backend: BackendName;
  readonly cells: readonly CellSpec[];
  readonly timing: TimingOptions;
}

interface BenchWindow {
  runBench?: (request: PageRequest) => Promise<void>;
  benchEvent?: (json: string) => Promise<void>;
}

const w = window as unknown as BenchWindow;

w.runBench = async (request) => {
  const emit = async (event: RunnerEvent) => {
    if (!w.benchEvent) throw new Error('the harness did not expose window.benchEvent');
    await w.benchEvent(JSON.stringify(event));
  };
  await selectBackend(request.tfjsBackend);
  await emit({ type: 'device', backend: request.backend, description: await describeBackend() });
  await runCells(request.backend, request.cells, request.timing, emit);
};
