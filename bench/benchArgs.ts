/** The command line of `npm run bench`, parsed and checked. */
import { parseArgs } from 'node:util';
import type { BackendName, ConfigName, Implementation, Workload } from './benchTypes';
import { BACKENDS, CONFIG_NAMES, IMPLEMENTATIONS, WORKLOADS } from './benchTypes';

export interface BenchOptions {
  /** Run only the Node backends (cpu, WebGPU through `webgpu`) or only Chromium's. */
  readonly only: 'node' | 'browser' | null;
  /** Timed steps per cell, after one warm-up step. */
  readonly steps: number;
  readonly configs: readonly ConfigName[];
  /** Only these workloads, implementations and backends (all by default). */
  readonly workloads: readonly Workload[];
  readonly implementations: readonly Implementation[];
  readonly backends: readonly BackendName[];
  /** Where the JSON goes; null: bench/results/<date>.json. */
  readonly jsonPath: string | null;
  /** Hard limit per cell: a cell still running after this many seconds stops its backend. */
  readonly budgetSeconds: number;
  /** Soft limit per cell: no further timed steps once they took this many seconds. */
  readonly cellSeconds: number;
  readonly docs: boolean;
  /** The named generated section of docs/BENCHMARKS.md to rewrite; null: the default one. */
  readonly section: string | null;
  readonly torch: boolean;
  readonly verbose: boolean;
  readonly help: boolean;
}

export const BENCH_USAGE = `Usage: npm run bench -- [options]

Runs the fixed training-step workloads on every available backend and prints one table;
writes the JSON and rewrites the generated part of docs/BENCHMARKS.md.

  --config small|medium|paper|all
                            configurations to run (default: small; medium is issue 10's CPU
                            network, C 8 at 32×32; the paper network is far too slow for a CPU
                            or a software GPU)
  --paper                   same as --config all
  --only node|browser       only the Node backends (cpu, wasm, WebGPU) or only Chromium's
                            (WebGPU, WebGL, wasm)
  --workload LIST           only these workloads, comma-separated: ${WORKLOADS.join(', ')}
  --impl LIST               only these supernet implementations: ${IMPLEMENTATIONS.join(', ')}
  --backend LIST            only these backends: ${BACKENDS.join(', ')}
  --steps N                 timed steps per cell after one warm-up step (default 5)
  --cell-seconds S          no more timed steps in a cell once they took S seconds (default 15)
  --budget S                stop a backend whose cell runs longer than S seconds (default 180)
  --json PATH               write the JSON here (default bench/results/<date>.json)
  --no-docs                 leave docs/BENCHMARKS.md alone
  --section NAME            rewrite the section between <!-- bench:NAME:start --> and
                            <!-- bench:NAME:end --> (appended if missing) instead of the
                            default one, so that a partial run keeps the full table
  --no-torch                skip the PyTorch reference rows
  --verbose                 show the runners' logs
  --help                    this text`;

function positiveNumber(text: string, flag: string, integer: boolean): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new Error(
      `${flag} must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(text)}`,
    );
  }
  return n;
}

/** A comma-separated list of members of `allowed`, each named in the error if it is not. */
function listOf<T extends string>(text: string, allowed: readonly T[], flag: string): T[] {
  const items = text.split(',').map((s) => s.trim());
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) {
      throw new Error(
        `${flag} takes a comma-separated list of ${allowed.join(', ')}, got ${JSON.stringify(item)}`,
      );
    }
  }
  return [...new Set(items)] as T[];
}

function configsOf(text: string): ConfigName[] {
  if (text === 'all') return [...CONFIG_NAMES];
  if ((CONFIG_NAMES as readonly string[]).includes(text)) return [text as ConfigName];
  throw new Error(
    `--config must be one of ${CONFIG_NAMES.join(', ')} or all, got ${JSON.stringify(text)}`,
  );
}

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string', default: 'small' },
        paper: { type: 'boolean', default: false },
        only: { type: 'string' },
        workload: { type: 'string' },
        impl: { type: 'string' },
        backend: { type: 'string' },
        steps: { type: 'string', default: '5' },
        'cell-seconds': { type: 'string', default: '15' },
        budget: { type: 'string', default: '180' },
        json: { type: 'string' },
        'no-docs': { type: 'boolean', default: false },
        section: { type: 'string' },
        'no-torch': { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (e) {
    throw new Error(`${(e as Error).message} (see --help)`);
  }
  const v = parsed.values;
  const only = v.only ?? null;
  if (only !== null && only !== 'node' && only !== 'browser') {
    throw new Error(`--only must be node or browser, got ${JSON.stringify(only)}`);
  }
  if (v.json !== undefined && v.json.trim() === '') throw new Error('--json needs a file path');
  if (v.section !== undefined && !/^[a-z0-9-]+$/.test(v.section)) {
    throw new Error(
      `--section must be lower-case letters, digits and -, got ${JSON.stringify(v.section)}`,
    );
  }
  return {
    only,
    steps: positiveNumber(v.steps, '--steps', true),
    configs: v.paper ? [...CONFIG_NAMES] : configsOf(v.config),
    workloads:
      v.workload === undefined ? [...WORKLOADS] : listOf(v.workload, WORKLOADS, '--workload'),
    implementations:
      v.impl === undefined ? [...IMPLEMENTATIONS] : listOf(v.impl, IMPLEMENTATIONS, '--impl'),
    backends: v.backend === undefined ? [...BACKENDS] : listOf(v.backend, BACKENDS, '--backend'),
    jsonPath: v.json ?? null,
    budgetSeconds: positiveNumber(v.budget, '--budget', false),
    cellSeconds: positiveNumber(v['cell-seconds'], '--cell-seconds', false),
    docs: !v['no-docs'],
    section: v.section ?? null,
    torch: !v['no-torch'],
    verbose: v.verbose,
    help: v.help,
  };
}
