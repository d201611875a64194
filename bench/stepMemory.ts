/**
 * Peak tensor memory and kernel count of the training steps with their cells checkpointed and
 * plain (issue 16, item 1), one process, one backend, one step each (profiled as the main bench
 * profiles its warm-up step: `stepProfile.ts`). Memory is reported three ways: tfjs's count of
 * tensor bytes at its peak (`tf.memory().numBytes`, every handle counted, so views and the tape's
 * saved clones count their shared data again: the main bench's `peak MiB`, the state included);
 * the peak of the bytes of distinct buffers the backend held over what it held before the step
 * (`bufferMeter.ts`); and the wasm heap's size after the step (it only grows: run one mode per
 * process to read it per mode). `--batch N` overrides the configuration's batch (memory scales
 * with it; a way to estimate a configuration that does not fit); `--partial-channels K` runs the
 * search workloads as PC-DARTS with K (`src/nas/pcdarts`).
 * Usage:
 *   tsx bench/stepMemory.ts [--backend wasm|cpu] [--config medium|paper] [--batch N]
 *     [--partial-channels K]
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
import { meterBuffers, wasmHeapBytes } from './bufferMeter';
import type { BenchConfig } from './benchConfigs';
import type { MemoryWorkload } from './stepMemoryWorkloads';
import { MEMORY_WORKLOADS, memoryRunner } from './stepMemoryWorkloads';

interface Measurement {
  readonly config: ConfigName;
  readonly workload: MemoryWorkload;
  readonly checkpointCells: boolean;
  readonly peakMiB: number;
  readonly stepPeakMiB: number;
  readonly stateMiB: number;
  readonly bufferPeakMiB: number;
  readonly heapMiB: number | null;
  readonly batch: number;
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

function heapMiB(): number | null {
  const bytes = wasmHeapBytes();
  return bytes === null ? null : bytes / MiB;
}

/** The configuration with every batch size set to `batch`. */
function withBatch(config: BenchConfig, batch: number | null): BenchConfig {
  if (batch === null) return config;
  return {
    ...config,
    search: { ...config.search, batchSize: batch },
    retrain: { ...config.retrain, batchSize: batch },
  };
}

/** The configuration's search as PC-DARTS with K = `k` (1: as it is). */
function withPartialChannels(config: BenchConfig, k: number): BenchConfig {
  return k === 1 ? config : { ...config, search: { ...config.search, partialChannels: k } };
}

async function measure(
  config: ConfigName,
  batch: number | null,
  partialChannels: number,
  workload: MemoryWorkload,
  checkpointCells: boolean,
): Promise<Measurement> {
  const bench = withPartialChannels(withBatch(BENCH_CONFIGS[config], batch), partialChannels);
  const runner = memoryRunner(bench, workload, checkpointCells);
  try {
    const state = tf.memory().numBytes;
    const tensors = tf.memory().numTensors;
    const meter = meterBuffers();
    const p = await profileStep(() => runner.step());
    meter.stop();
    return {
      config,
      workload,
      checkpointCells,
      batch: runner.imagesPerStep,
      peakMiB: p.peakBytes / MiB,
      stepPeakMiB: (p.peakBytes - state) / MiB,
      stateMiB: state / MiB,
      bufferPeakMiB: meter.peak() / MiB,
      heapMiB: heapMiB(),
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
    '| config | batch | workload | cells | peak MiB (tfjs count, state incl.) | buffer peak MiB (step) | wasm heap MiB | kernels | ms | tensors Δ |',
    '| ------ | ----: | -------- | ----- | ---------------------------------: | ---------------------: | ------------: | ------: | -: | --------: |',
  ];
  for (const r of rows) {
    const mode = r.checkpointCells ? 'checkpointed' : 'plain';
    lines.push(
      `| ${r.config} | ${r.batch} | ${r.workload} | ${mode} | ${f(r.peakMiB)} | ${f(r.bufferPeakMiB)} | ${r.heapMiB === null ? 'n/a' : f(r.heapMiB)} | ${f(r.kernels)} | ${f(r.ms)} | ${r.tensorGrowth} |`,
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
      batch: { type: 'string' },
      'partial-channels': { type: 'string', default: '1' },
      json: { type: 'string' },
    },
  });
  const backend = values.backend;
  if (backend !== 'wasm' && backend !== 'cpu') throw new Error('--backend must be wasm or cpu');
  const [config] = list(values.config, Object.keys(BENCH_CONFIGS), 'config') as [ConfigName];
  const workloads = list(values.workloads, MEMORY_WORKLOADS, 'workload') as MemoryWorkload[];
  const modes = list(values.modes, ['plain', 'checkpointed'], 'mode');
  const batch = values.batch === undefined ? null : Number(values.batch);
  if (batch !== null && !(Number.isInteger(batch) && batch > 0)) {
    throw new Error('--batch must be a positive integer');
  }
  const partialChannels = Number(values['partial-channels']);
  if (!(Number.isInteger(partialChannels) && partialChannels > 0)) {
    throw new Error('--partial-channels must be a positive integer');
  }
  const machine = machineInfo();
  await useNodeBackend(backend);
  const rows: Measurement[] = [];
  for (const workload of workloads) {
    for (const mode of modes) {
      const m = await measure(config, batch, partialChannels, workload, mode === 'checkpointed');
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
