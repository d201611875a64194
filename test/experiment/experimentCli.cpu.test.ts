/**
 * `nas-lab experiment` end to end on the cpu backend with tiny settings: a run writes report.json,
 * report.md and report.svg with searched, random and control rows and each run's folder; stopped
 * after its first finished run, or interrupted with Ctrl-C in the middle of a search, a second
 * run of the same command goes on without redoing a finished run (its log untouched) and resumes
 * the interrupted one from its checkpoint.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseExperimentArgs } from '../../src/cli/experimentArgs';
import { runExperimentCommand } from '../../src/cli/experimentCommand';
import { main } from '../../src/cli/main';
import type { CliIo } from '../../src/cli/runCommand';
import { ExperimentStopped } from '../../src/experiment/experimentRunner';

const BIN = join(__dirname, '..', '..', 'bin', 'nas-lab.mjs');

const TINY = [
  ...['--backend', 'cpu', '--quiet', '--checkpoint-every', '1'],
  ...['--search.dataset', 'synthetic', '--search.images', '16', '--search.image-size', '8'],
  ...['--search.channels', '2', '--search.layers', '3', '--search.nodes', '2'],
  ...['--search.batch-size', '4', '--search.epochs', '1'],
  ...['--retrain.dataset', 'synthetic', '--retrain.images', '16', '--retrain.test-images', '16'],
  ...['--retrain.image-size', '8', '--retrain.channels', '2', '--retrain.layers', '3'],
  ...['--retrain.batch-size', '8', '--retrain.epochs', '1'],
];

function capture(): CliIo & { text: () => { out: string; err: string } } {
  let out = '';
  let err = '';
  return { out: (t) => (out += t), err: (t) => (err += t), text: () => ({ out, err }) };
}

interface ReportRun {
  id: string;
  phase: string;
  kind: string;
  genotype: unknown;
  parameters: number | null;
  value: number | null;
  seconds: number;
  resumedFrom: number | null;
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const logOf = (dir: string, id: string) => join(dir, id, 'log.jsonl');
const stamp = (path: string) => ({
  text: readFileSync(path, 'utf8'),
  mtime: statSync(path).mtimeMs,
});

describe('nas-lab experiment (cpu, tiny)', () => {
  it('writes report.json, report.md and report.svg with searched, random and control rows', async () => {
    const out = mkdtempSync(join(tmpdir(), 'nas-lab-experiment-'));
    const io = capture();
    const args = [
      'experiment',
      '--searches',
      '1',
      '--random',
      '2',
      '--seeds',
      '1',
      ...TINY,
      '--out',
      out,
    ];
    expect(await main(args, io)).toBe(0);
    const { out: stdout, err } = io.text();
    expect(stdout).toMatch(
      /searched − random test accuracy: [+−±][\d.]+ points, 95 % bootstrap interval \[/,
    );
    expect(stdout).toMatch(/wrote report\.json, report\.md, report\.svg in /);
    expect(err).toMatch(/experiment: run 1 of 6: search 0 \(elapsed 00:00, ETA --:--\)/);
    expect(err).toMatch(
      /experiment: 6 of 6 done: retrain control-poor seed 0 test accuracy [\d.]+%/,
    );
    const report = readJson<{
      complete: boolean;
      runs: ReportRun[];
      cells: { id: string; kind: string }[];
    }>(join(out, 'report.json'));
    expect(report.complete).toBe(true);
    expect(report.runs.map((r) => `${r.phase} ${r.kind} ${r.id}`)).toEqual([
      'search searched search/seed-0',
      'retrain searched retrain/searched-0/seed-0',
      'retrain random retrain/random-0/seed-0',
      'retrain random retrain/random-1/seed-0',
      'retrain control retrain/control-DARTS_V2/seed-0',
      'retrain control retrain/control-poor/seed-0',
    ]);
    // The searched cell is what the search wrote, and the retrain trained that cell.
    const found = readJson<Record<string, unknown>>(join(out, 'search/seed-0/genotype.json'));
    // The file also says what the cell's evaluation network costs; the report keeps the cell.
    const { cost: _cost, ...cell } = found;
    expect(report.runs[0]?.genotype).toEqual(cell);
    expect(readJson<unknown>(join(out, 'retrain/searched-0/seed-0/genotype.json'))).toEqual(found);
    for (const run of report.runs.slice(1)) {
      expect(run.value).toBeGreaterThanOrEqual(0);
      expect(run.value).toBeLessThanOrEqual(1);
      expect(run.parameters).toBeGreaterThan(0);
      expect(existsSync(logOf(out, run.id))).toBe(true);
    }
    // The poor control has no learned op: fewer parameters than DARTS_V2's cell.
    const params = Object.fromEntries(report.runs.map((r) => [r.id, r.parameters ?? 0]));
    expect(params['retrain/control-poor/seed-0']).toBeLessThan(
      params['retrain/control-DARTS_V2/seed-0'] ?? 0,
    );
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    for (const row of [
      'searched-0 | searched',
      'random-0 | random',
      'random-1 | random',
      'control-DARTS_V2 | control',
      'control-poor | control',
    ]) {
      expect(md).toContain(`| ${row} | `);
    }
    expect(md).toMatch(/\*\*Searched − random\*\*/);
    expect(readFileSync(join(out, 'report.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
  }, 120_000);

  it('stopped after its first finished run, goes on without redoing it', async () => {
    const out = mkdtempSync(join(tmpdir(), 'nas-lab-experiment-stop-'));
    const args = [
      '--searches',
      '2',
      '--random',
      '1',
      '--seeds',
      '1',
      '--controls',
      'poor',
      ...TINY,
      '--out',
      out,
    ];
    const request = parseExperimentArgs(args);
    if ('help' in request) throw new Error('usage');
    const stop = new AbortController();
    await expect(
      runExperimentCommand(request, capture(), {
        signal: stop.signal,
        onProgress: (p) => {
          if (p.type === 'finish') stop.abort();
        },
      }),
    ).rejects.toThrow(ExperimentStopped);
    expect(Object.keys(readJson<{ runs: object }>(join(out, 'state.json')).runs)).toEqual([
      'search/seed-0',
    ]);
    expect(existsSync(join(out, 'search/seed-1'))).toBe(false);
    const first = stamp(logOf(out, 'search/seed-0'));
    const io = capture();
    expect(await main(['experiment', ...args], io)).toBe(0);
    expect(io.text().err).toMatch(/experiment: 1 of 6 runs already finished in /);
    expect(io.text().err).not.toMatch(/run \d of 6: search 0 /);
    expect(stamp(logOf(out, 'search/seed-0'))).toEqual(first);
    const report = readJson<{ complete: boolean; runs: ReportRun[] }>(join(out, 'report.json'));
    expect(report.complete).toBe(true);
    expect(report.runs).toHaveLength(6);
  }, 120_000);

  it('interrupted with Ctrl-C mid-search, resumes that search from its checkpoint', async () => {
    const out = mkdtempSync(join(tmpdir(), 'nas-lab-experiment-sigint-'));
    const args = [
      ...['--searches', '2', '--random', '1', '--seeds', '1', '--controls', 'none'],
      ...TINY,
      // Six steps of the second search: it is interrupted after its first checkpoint.
      ...['--search.epochs', '3', '--out', out],
    ];
    const child = spawn(process.execPath, [BIN, 'experiment', ...args], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      child.on('exit', (code, signal) => resolve(signal ?? code)),
    );
    const checkpoint = join(out, 'search/seed-1/checkpoint.naslab');
    const deadline = Date.now() + 90_000;
    while (!existsSync(checkpoint) && Date.now() < deadline && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGINT');
    expect(await exited).not.toBe(0);
    const state = readJson<{ runs: object }>(join(out, 'state.json'));
    expect(Object.keys(state.runs)).toEqual(['search/seed-0']);
    const first = stamp(logOf(out, 'search/seed-0'));
    expect(await main(['experiment', ...args], capture())).toBe(0);
    expect(stamp(logOf(out, 'search/seed-0'))).toEqual(first);
    const [config] = readFileSync(logOf(out, 'search/seed-1'), 'utf8').split('\n');
    const resumed = (JSON.parse(config ?? '{}') as { resumedFrom: { step: number } | null })
      .resumedFrom;
    expect(resumed?.step).toBeGreaterThanOrEqual(1);
    expect(resumed?.step).toBeLessThan(6);
    const report = readJson<{ complete: boolean; runs: ReportRun[] }>(join(out, 'report.json'));
    expect(report.complete).toBe(true);
    expect(report.runs.find((r) => r.id === 'search/seed-1')?.resumedFrom).toBe(resumed?.step);
  }, 120_000);
});
