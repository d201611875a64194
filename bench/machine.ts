/** The machine a benchmark ran on, and the versions of everything it measured. */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { CHROMIUM } from '../e2e/chromium';
import * as tf from '../src/nas/tensor/tf';

export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly tfjs: string;
  readonly chromium: string | null;
  /** Filled in once the PyTorch reference has been looked for. */
  torch: string | null;
  /** 1-minute load average when the run started: other work on the machine skews timings. */
  readonly loadAverageStart: number;
  loadAverageEnd: number | null;
}

/** lscpu's "Model name", else Node's idea of the first core. */
function cpuModel(): string {
  const r = spawnSync('lscpu', [], { encoding: 'utf8' });
  const line = r.status === 0 ? r.stdout.split('\n').find((l) => l.startsWith('Model name:')) : '';
  return line ? line.slice('Model name:'.length).trim() : (cpus()[0]?.model ?? 'unknown');
}

function chromiumVersion(): string | null {
  const r = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

export function machineInfo(): MachineInfo {
  return {
    cpus: cpus().length,
    cpuModel: cpuModel(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${release()}`,
    node: process.version,
    tfjs: tf.version_core,
    chromium: chromiumVersion(),
    torch: null,
    loadAverageStart: loadavg()[0] ?? 0,
    loadAverageEnd: null,
  };
}

export function currentLoadAverage(): number {
  return loadavg()[0] ?? 0;
}
