/**
 * The PyTorch reference runner (bench/torch_step.py) on the CPU, when a Python with torch is
 * present: $BENCH_PYTHON, else Debian's /usr/bin/python3 (python3-torch), else python3.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BENCH_CONFIGS } from './benchConfigs';
import type { CellSpec, RunnerEvent, TimingOptions } from './benchTypes';
import { startProcessRunner } from './processRunner';
import type { RunnerHandle } from './runnerHandle';
import { encodeCells } from './runnerProtocol';

const SCRIPT = fileURLToPath(new URL('./torch_step.py', import.meta.url));

export interface TorchPython {
  readonly python: string;
  readonly torchVersion: string;
}

/** The first Python that imports torch, or null. */
export function findTorchPython(): TorchPython | null {
  const candidates = [process.env.BENCH_PYTHON, '/usr/bin/python3', 'python3'].filter(
    (c): c is string => typeof c === 'string' && c.length > 0,
  );
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], {
      encoding: 'utf8',
    });
    if (r.status === 0) return { python, torchVersion: r.stdout.trim() };
  }
  return null;
}

/** What the Python side needs of each configuration, as JSON. */
function torchSpec(): string {
  const spec = Object.fromEntries(
    Object.values(BENCH_CONFIGS).map((c) => [
      c.name,
      {
        search: c.search,
        retrain: c.retrain,
        image: c.image,
        genotype: c.genotype,
        cdarts: c.cdarts,
        cdartsGenotype: c.cdartsGenotype,
      },
    ]),
  );
  return JSON.stringify(spec);
}

export function startTorchRunner(
  python: TorchPython,
  cells: readonly CellSpec[],
  timing: TimingOptions,
  onEvent: (event: RunnerEvent) => void,
  verbose: boolean,
): RunnerHandle {
  return startProcessRunner(
    {
      command: python.python,
      args: [
        SCRIPT,
        '--spec',
        torchSpec(),
        '--cells',
        encodeCells(cells),
        '--steps',
        String(timing.steps),
        '--soft-budget-ms',
        String(timing.softBudgetMs),
      ],
      label: 'torch-cpu',
      verbose,
    },
    onEvent,
  );
}
