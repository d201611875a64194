/**
 * Peak tensor memory and kernel count of the training steps with their cells checkpointed and
 * plain (issue 16, item 1), one process, one backend, one step each (profiled as the main bench
 * profiles its warm-up step: `stepProfile.ts`). A step's peak is reported twice: everything
 * alive (the state included, the main bench's `peak MiB`) and over what was alive before it.
 * Usage:
 *   tsx bench/stepMemory.ts [--backend wasm|cpu] [--config medium|paper]
 *     [--workloads search1,weight,alpha2,retrain,cdarts] [--modes plain,checkpointed]
 *     [--json PATH]
 * Prints one line per measurement and a Markdown table; `--json` writes the figures.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { releaseNodeBackend, useNodeBackend } from '../src/cli/nodeBackend';
import * as tf from '../src/nas/tensor/tf';
import { BENCH_CONFIGS } from './benchConfigs';
import type { ConfigName } from './benchTypes';
import { currentLoadAverage, machineInfo } from './machine';
import { profileStep } from './stepProfile';
import type { MemoryWorkload } from './stepMemoryWorkloads';
import { MEMORY_WORKLOADS, memoryRunner } from './stepMemoryWorkloads';

interface Measurement {
  readonly config: ConfigName;
  readonly workload: MemoryWorkload;
  readonly checkpointCells: boolean;
  readonly peakMiB: number;
  readonly stepPeakMiB: number;
  readonly stateMiB: number;
  readonly kernels: number;
  readonly ms: number;
  readonly tensorGrowth: number;
}

const MiB = 2 ** 20;

function list(text: string, allowed: readonly string[], what: string): string[] {
  const items = text.split(',').filter((s) => s !== '');
  const bad = items.filter((s) => !allowed.includes(s));
  if (bad.length > 0) throw new Error(`unknown ${what}: ${bad.join(', ')}`);
  return items;
}

async function measure(
  config: ConfigName,
  workload: MemoryWorkload,
  checkpointCells: boolean,
): Promise<Measurement> {
  const runner = memoryRunner(BENCH_CONFIGS[config], workload, checkpointCells);
  try {
    const state = tf.memory().numBytes;
    const tensors = tf.memory().numTensors;
    const p = await profileStep(() => runner.step());
    return {
      config,
      workload,
      checkpointCells,
      peakMiB: p.peakBytes / MiB,
      stepPeakMiB: (p.peakBytes - state) / MiB,
      stateMiB: state / MiB,
      kernels: p.kernels,
      ms: p.ms,
      tensorGrowth: tf.memory().numTensors - tensors,
    };
  } finally {
    runner.dispose();
  }
}

function table(rows: readonly Measurement[]): string {
  const f = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
  const lines = [
    '| config | workload | cells | peak MiB (state incl.) | step peak MiB | kernels | ms | tensors Δ |',
    '| ------ | -------- | ----- | ---------------------: | ------------: | ------: | -: | --------: |',
  ];
  for (const r of rows) {
    const mode = r.checkpointCells ? 'checkpointed' : 'plain';
    lines.push(
      `| ${r.config} | ${r.workload} | ${mode} | ${f(r.peakMiB)} | ${f(r.stepPeakMiB)} | ${f(r.kernels)} | ${f(r.ms)} | ${r.tensorGrowth} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string', default: 'wasm' },
      config: { type: 'string', default: 'medium' },
      workloads: { type: 'string', default: 'search1' },
      modes: { type: 'string', default: 'plain,checkpointed' },
      json: { type: 'string' },
    },
  });
  const backend = values.backend;
  if (backend !== 'wasm' && backend !== 'cpu') throw new Error('--backend must be wasm or cpu');
  const [config] = list(values.config, Object.keys(BENCH_CONFIGS), 'config') as [ConfigName];
  const workloads = list(values.workloads, MEMORY_WORKLOADS, 'workload') as MemoryWorkload[];
  const modes = list(values.modes, ['plain', 'checkpointed'], 'mode');
  const machine = machineInfo();
  await useNodeBackend(backend);
  const rows: Measurement[] = [];
  for (const workload of workloads) {
    for (const mode of modes) {
      const m = await measure(config, workload, mode === 'checkpointed');
      rows.push(m);
      console.log(JSON.stringify(m));
    }
  }
  machine.loadAverageEnd = currentLoadAverage();
  releaseNodeBackend();
  console.log(table(rows));
  console.log(
    `${machine.cpus} cores (${machine.cpuModel}), ${backend}, load ${machine.loadAverageStart.toFixed(1)} → ${machine.loadAverageEnd.toFixed(1)}, ${new Date().toISOString()}`,
  );
  if (values.json) {
    writeFileSync(values.json, `${JSON.stringify({ machine, backend, rows }, null, 2)}\n`);
  }
}

await main();
