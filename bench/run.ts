/**
 * `npm run bench`: the training-step workloads (supernet weight step, first- and second-order
 * alpha steps, the CDARTS joint step, the retrain step) on every available backend —
 * WebGPU, WebGL and wasm in headless Chromium, WebGPU in Node through the `webgpu` package,
 * tfjs's wasm and cpu backends in Node — and the same steps in PyTorch on the CPU as the reference; the
 * supernet in both its reference and fused implementations. Prints one table, writes the JSON
 * and rewrites the generated section of docs/BENCHMARKS.md. `--help` lists the options.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import type { BenchOptions } from './benchArgs';
import { BENCH_USAGE, parseBenchArgs } from './benchArgs';
import type { BenchConfig } from './benchConfigs';
import { BENCH_CONFIGS } from './benchConfigs';
import { benchCells } from './benchCells';
import type { BackendName, CellResult, CellSpec, ConfigName } from './benchTypes';
import type { BrowserBackend } from './browser';
import { serveBenchPage, startBrowserRunner } from './browser';
import type { MachineInfo } from './machine';
import { currentLoadAverage, machineInfo } from './machine';
import { startProcessRunner } from './processRunner';
import type { BenchRun } from './report';
import { markdownSection, replaceMarkedSection, runJson } from './report';
import type { StartRunner } from './runnerHandle';
import { encodeCells } from './runnerProtocol';
import { summarise } from './summary';
import { superviseRunner } from './supervise';
import { renderText } from './table';
import { findTorchPython, startTorchRunner } from './torch';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NODE_RUNNER = fileURLToPath(new URL('./node.ts', import.meta.url));
const DOC = join(ROOT, 'docs', 'BENCHMARKS.md');

interface Collected {
  readonly results: CellResult[];
  readonly devices: Partial<Record<BackendName, string>>;
}

async function runBackend(
  backend: BackendName,
  cells: readonly CellSpec[],
  start: StartRunner,
  options: BenchOptions,
  into: Collected,
): Promise<void> {
  console.log(`\n${backend}: ${cells.length} cells`);
  const run = await superviseRunner(
    backend,
    cells,
    start,
    () => options.budgetSeconds * 1000,
    (line) => console.log(`  ${line}`),
  );
  into.results.push(...run.results);
  if (run.device) into.devices[backend] = run.device;
}

function skipped(backend: BackendName, cells: readonly CellSpec[], note: string): CellResult[] {
  return cells.map((c) => ({ ...c, backend, status: 'skipped', note }));
}

/** Runs every backend in turn (one at a time: they share the CPU); notes PyTorch's version. */
async function measureAll(options: BenchOptions, machine: MachineInfo): Promise<Collected> {
  const cells = benchCells(options.configs, options.workloads, options.implementations);
  const wanted = (backend: BackendName) => options.backends.includes(backend);
  const timing = { steps: options.steps, softBudgetMs: options.cellSeconds * 1000 };
  const into: Collected = { results: [], devices: {} };
  // PyTorch has one implementation, the reference one, whichever the tfjs rows run.
  const referenceCells = benchCells(options.configs, options.workloads, ['reference']);
  if (options.torch && wanted('torch-cpu') && referenceCells.length > 0) {
    const python = findTorchPython();
    machine.torch = python?.torchVersion ?? null;
    if (python) {
      await runBackend(
        'torch-cpu',
        referenceCells,
        (on) => startTorchRunner(python, referenceCells, timing, on, options.verbose),
        options,
        into,
      );
    } else {
      into.results.push(
        ...skipped('torch-cpu', referenceCells, 'PyTorch not found (set BENCH_PYTHON)'),
      );
    }
  }
  if (options.only !== 'browser') {
    for (const [name, backend] of [
      ['cpu', 'cpu-node'],
      ['wasm', 'wasm-node'],
      ['webgpu', 'webgpu-node'],
    ] as const) {
      if (!wanted(backend) || cells.length === 0) continue;
      const args = [
        '--import',
        'tsx',
        NODE_RUNNER,
        '--backend',
        name,
        '--cells',
        encodeCells(cells),
        '--steps',
        String(timing.steps),
        '--soft-budget-ms',
        String(timing.softBudgetMs),
      ];
      await runBackend(
        backend,
        cells,
        (on) =>
          startProcessRunner(
            { command: process.execPath, args, label: backend, verbose: options.verbose },
            on,
          ),
        options,
        into,
      );
    }
  }
  const browserBackends = (
    [
      'webgpu-chromium',
      'webgl-chromium',
      'wasm-chromium',
    ] as const satisfies readonly BrowserBackend[]
  ).filter(wanted);
  if (options.only !== 'node' && browserBackends.length > 0 && cells.length > 0) {
    console.log('\nbuilding the benchmark page (out/bench-page)');
    const server = await serveBenchPage();
    try {
      for (const backend of browserBackends) {
        await runBackend(
          backend,
          cells,
          (on) => startBrowserRunner(server, backend, cells, timing, on, options.verbose),
          options,
          into,
        );
      }
    } finally {
      await server.close();
    }
  }
  return into;
}

function defaultJsonPath(date: string): string {
  return join(ROOT, 'bench', 'results', `${date.slice(0, 10)}.json`);
}

/** The repository's Prettier style, so that the written files pass `npm run lint`. */
async function prettierFormat(
  text: string,
  path: string,
  parser: 'json' | 'markdown',
): Promise<string> {
  const config = (await prettier.resolveConfig(path)) ?? {};
  return prettier.format(text, { ...config, filepath: path, parser });
}

async function updateDoc(markdown: string, section: string | null): Promise<void> {
  const doc = replaceMarkedSection(readFileSync(DOC, 'utf8'), markdown, section);
  writeFileSync(DOC, await prettierFormat(doc, DOC, 'markdown'));
}

async function main(): Promise<void> {
  const options = parseBenchArgs(process.argv.slice(2));
  if (options.help) {
    console.log(BENCH_USAGE);
    return;
  }
  const started = new Date();
  const t0 = performance.now();
  const machine = machineInfo();
  const collected = await measureAll(options, machine);
  machine.loadAverageEnd = currentLoadAverage();
  const configs: Partial<Record<ConfigName, BenchConfig>> = {};
  for (const c of options.configs) configs[c] = BENCH_CONFIGS[c];
  const run: BenchRun = {
    format: 'nas-lab.bench',
    version: 1,
    date: started.toISOString(),
    command: [
      'npm run bench',
      ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : []),
    ].join(' '),
    durationSeconds: (performance.now() - t0) / 1000,
    machine,
    options,
    configs,
    devices: collected.devices,
    results: collected.results,
    rows: summarise(collected.results),
  };
  console.log(`\n${renderText(run.rows)}\n`);
  const jsonPath = options.jsonPath ?? defaultJsonPath(run.date);
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(jsonPath, await prettierFormat(runJson(run), jsonPath, 'json'));
  console.log(`wrote ${jsonPath}`);
  if (options.docs) {
    await updateDoc(markdownSection(run, relative(ROOT, jsonPath)), options.section);
    console.log(`updated ${relative(ROOT, DOC)}`);
  }
}

try {
  await main();
} catch (e) {
  console.error(`bench: ${(e as Error).message}`);
  process.exitCode = 1;
}
