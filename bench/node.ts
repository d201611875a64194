/**
 * The Node runner: measures cells on tfjs's cpu backend, on its wasm backend with the core's
 * training kernels (one thread in Node), or on its WebGPU backend through the npm package
 * `webgpu` (Dawn; SwiftShader where there is no GPU), one process per backend so that the
 * orchestrator can stop it at a time limit. Usage:
 *   tsx bench/node.ts --backend cpu|wasm|webgpu --cells small:weight:reference,... \
 *     [--steps 5] [--soft-budget-ms 15000]
 * Prints `BENCH <json>` event lines on stdout.
 */
import { parseArgs } from 'node:util';
import type { NodeBackendName } from '../src/cli/nodeBackend';
import { releaseNodeBackend, useNodeBackend } from '../src/cli/nodeBackend';
import { describeBackend } from './backendDescription';
import type { BackendName } from './benchTypes';
import { runCells } from './cellLoop';
import { decodeCells, formatEventLine } from './runnerProtocol';

const BENCH_BACKENDS: Readonly<Record<NodeBackendName, BackendName>> = {
  cpu: 'cpu-node',
  wasm: 'wasm-node',
  webgpu: 'webgpu-node',
};

function positive(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`${what} must be a positive number, got "${text}"`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string' },
      cells: { type: 'string' },
      steps: { type: 'string', default: '5' },
      'soft-budget-ms': { type: 'string', default: '15000' },
    },
  });
  const name = values.backend;
  if (name !== 'cpu' && name !== 'wasm' && name !== 'webgpu') {
    throw new Error(`--backend must be cpu, wasm or webgpu, got ${JSON.stringify(name)}`);
  }
  const cells = decodeCells(values.cells ?? '');
  const timing = {
    steps: Math.round(positive(values.steps, '--steps')),
    softBudgetMs: positive(values['soft-budget-ms'], '--soft-budget-ms'),
  };
  const backend = BENCH_BACKENDS[name];
  const emit = (e: Parameters<Parameters<typeof runCells>[3]>[0]) =>
    void process.stdout.write(`${formatEventLine(e)}\n`);
  await useNodeBackend(name);
  emit({ type: 'device', backend, description: await describeBackend() });
  await runCells(backend, cells, timing, emit);
  releaseNodeBackend();
}

await main();
