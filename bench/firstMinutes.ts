/**
 * The first-minutes benchmark: does the default search visibly learn within five minutes on
 * the wasm backend? Runs `nas-lab search` with no setting flags (the convolutional DARTS
 * default, then the recurrent one) for a wall-time budget each, one after the other, and
 * reads their log.jsonl minute by minute (learningCurve.ts): how far the alphas moved off
 * uniform and the epoch-end validation. Writes bench/results/DATE-first-minutes.json and
 * prints a table for docs/RESULTS.md. Usage: `npm run bench:minutes -- [--seconds 300]`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { LearningSnapshot } from './learningCurve';
import { learningCurve } from './learningCurve';
import { currentLoadAverage, machineInfo } from './machine';

const CLI = fileURLToPath(new URL('../bin/nas-lab.mjs', import.meta.url));
const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));

interface Case {
  readonly name: string;
  readonly args: readonly string[];
  readonly validationKey: string;
  readonly validationLabel: string;
}

const CASES: readonly Case[] = [
  {
    name: 'DARTS, convolutional (default)',
    args: ['search'],
    validationKey: 'valAccuracy',
    validationLabel: 'validation accuracy',
  },
  {
    name: 'DARTS, recurrent (default)',
    args: ['search', '--space', 'rnn'],
    validationKey: 'valPerplexity',
    validationLabel: 'validation perplexity',
  },
];

/** Runs the CLI for `seconds`, then stops it; the lines of its log.jsonl. */
async function runFor(args: readonly string[], seconds: number): Promise<string[]> {
  const out = mkdtempSync(join(tmpdir(), 'nas-lab-minutes-'));
  try {
    const child = spawn(
      process.execPath,
      [CLI, ...args, '--backend', 'wasm', '--quiet', '--out', out],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const timer = setTimeout(() => child.kill('SIGTERM'), (seconds + 20) * 1000);
    await new Promise<void>((resolve) => child.on('exit', () => resolve()));
    clearTimeout(timer);
    return readFileSync(join(out, 'log.jsonl'), 'utf8').split('\n');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

function table(c: Case, rows: readonly LearningSnapshot[]): string {
  const head = `| minute | step | epoch | alpha entropy (1 = uniform) | strongest op | ${c.validationLabel} (last epoch) |`;
  const lines = rows.map(
    (r) =>
      `| ${r.seconds / 60} | ${r.step} | ${r.epoch} | ${r.alphaEntropy.toFixed(3)} | ${pct(r.strongestOp)} | ${
        r.validation === null
          ? '–'
          : c.validationKey === 'valAccuracy'
            ? pct(r.validation)
            : r.validation.toFixed(0)
      } |`,
  );
  return [`${c.name}`, '', head, '| --: | --: | --: | --: | --: | --: |', ...lines].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '300' } } });
  const seconds = Number(values.seconds);
  if (!(seconds >= 60)) throw new Error(`--seconds must be at least 60, got ${values.seconds}`);
  const marks = Array.from({ length: Math.floor(seconds / 60) }, (_, i) => (i + 1) * 60);
  const machine = machineInfo();
  const runs = [];
  for (const c of CASES) {
    const load = currentLoadAverage();
    const rows = learningCurve(await runFor(c.args, seconds), marks, c.validationKey);
    runs.push({ case: c.name, command: ['nas-lab', ...c.args].join(' '), loadAtStart: load, rows });
    console.log(`${table(c, rows)}\n\nload average at start ${load.toFixed(2)}\n`);
  }
  machine.loadAverageEnd = currentLoadAverage();
  const date = new Date().toISOString().slice(0, 10);
  const file = join(RESULTS, `${date}-first-minutes.json`);
  writeFileSync(file, `${JSON.stringify({ date, seconds, machine, runs }, null, 2)}\n`);
  console.log(`wrote ${file}`);
}

await main();
