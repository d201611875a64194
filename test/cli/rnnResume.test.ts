/**
 * `nas-lab search|retrain --space rnn --checkpoint-every N` then `--resume FILE`: a recurrent
 * search or retrain continued from its checkpoint in another invocation reports, step for step,
 * exactly what the uninterrupted run reported after that step (cpu backend: bitwise), and writes
 * the same files. In-process calls of `main`, and once the real command in child processes.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';

type LogRecord = Record<string, unknown> & { type: string; step?: number };
const readLog = (dir: string): LogRecord[] =>
  readFileSync(join(dir, 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as LogRecord);

const tmp = () => mkdtempSync(join(tmpdir(), 'nas-lab-rnn-resume-'));

// About 20 steps an epoch (400 tokens in 4 columns, segments of about 5).
const SEARCH = [
  ...['search', '--space', 'rnn', '--nhid', '8', '--batch-size', '4', '--bptt', '5'],
  ...['--vocabulary', '300', '--train-tokens', '400', '--valid-tokens', '200'],
  ...['--seed', '3', '--backend', 'cpu', '--quiet'],
];

// About 12 steps an epoch (300 tokens in 4 columns, segments of about 5), then an evaluation.
const RETRAIN = [
  ...['retrain', '--space', 'rnn', '--genotype', 'DARTS_V1', '--nhid', '8', '--batch-size', '4'],
  ...['--bptt', '5', '--max-seq-len-delta', '2', '--vocabulary', '300', '--train-tokens', '300'],
  ...['--valid-tokens', '100', '--test-tokens', '100', '--nonmono', '1', '--backend', 'cpu'],
  '--quiet',
];

async function inProcess(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

const run = promisify(execFile);
const BIN = join(__dirname, '..', '..', 'bin', 'nas-lab.mjs');

async function child(args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { timeout: 300_000 });
    return { code: 0, out: stdout, err: stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: x.code ?? -1, out: x.stdout ?? '', err: x.stderr ?? '' };
  }
}

/**
 * The reports after `step` with what decides them: no timings, and no list of files offered (a
 * resumed run offers its files again at its first step; their contents are compared apart).
 */
function after(log: readonly LogRecord[], step: number): unknown[] {
  const from = log.findIndex((r) => r.type === 'step' && (r.step ?? 0) > step);
  return log
    .slice(from)
    .map(({ elapsedMs: _e, throughput: _t, files: _f, ...rest }) => rest)
    .filter((r) => r.type !== 'note');
}

/** Runs straight with checkpoints, then resumes the last one; compares the two. */
async function resumeMatches(
  cli: typeof inProcess,
  base: readonly string[],
  epochs: number,
  every: number,
): Promise<{ resumedAt: number; log: readonly LogRecord[] }> {
  const straight = tmp();
  const resumed = tmp();
  const args = [...base, '--epochs', String(epochs), '--checkpoint-every', String(every)];
  const a = await cli([...args, '--out', straight]);
  expect(a.code).toBe(0);
  // The backend is the command line's, not the checkpoint's: cpu again, for bitwise equality.
  const checkpoint = join(straight, 'checkpoint.naslab');
  const command = base[0] as string;
  const b = await cli([command, '--resume', checkpoint, '--backend', 'cpu', '--out', resumed]);
  expect(b.err).not.toMatch(/nas-lab:/);
  expect(b.code).toBe(0);
  const [first, second] = [readLog(straight), readLog(resumed)];
  const config = second[0] as LogRecord & { resumedFrom: { step: number } };
  expect(config.settings).toEqual(first[0]?.settings);
  const at = config.resumedFrom.step;
  const steps = first.filter((r) => r.type === 'step').length;
  expect(at).toBe(Math.floor(steps / every) * every);
  expect(at).toBeLessThan(steps);
  expect(after(second, at)).toEqual(after(first, at));
  expect(b.out).toBe(a.out);
  for (const file of command === 'search' ? ['genotype.json', 'genotype.py'] : ['genotype.json']) {
    expect(readFileSync(join(resumed, file), 'utf8')).toBe(
      readFileSync(join(straight, file), 'utf8'),
    );
  }
  return { resumedAt: at, log: first };
}

/** The steps at which the straight run's epochs ended. */
const epochEnds = (log: readonly LogRecord[]) =>
  log.filter((r) => r.type === 'epoch').map((r) => r.step ?? 0);

describe('nas-lab search --space rnn --checkpoint-every / --resume', () => {
  it('continues bit for bit in a second call, across an epoch boundary', async () => {
    // 3 epochs of about 21 steps; the one checkpoint (at 35) lies before the second epoch's end.
    const { resumedAt, log } = await resumeMatches(inProcess, SEARCH, 3, 35);
    expect(resumedAt).toBe(35);
    const [, second, third] = epochEnds(log);
    expect(second).toBeGreaterThan(resumedAt);
    expect(third).toBeGreaterThan(second ?? Infinity);
  }, 300_000);

  it('continues bit for bit in another process (bin/nas-lab.mjs)', async () => {
    const { resumedAt, log } = await resumeMatches(child, SEARCH, 2, 5);
    expect(epochEnds(log).at(-1)).toBeGreaterThan(resumedAt);
  }, 300_000);
});

describe('nas-lab retrain --space rnn --checkpoint-every / --resume', () => {
  it('continues bit for bit in a second call, across an epoch and the switch to ASGD', async () => {
    // 4 epochs of 13 steps; the one checkpoint (at 27) lies in the third epoch, at whose end
    // (--nonmono 1) the retrain switches to averaged SGD.
    const { resumedAt, log } = await resumeMatches(inProcess, RETRAIN, 4, 27);
    expect(resumedAt).toBe(27);
    expect(epochEnds(log).filter((end) => end > resumedAt).length).toBeGreaterThanOrEqual(1);
    const last = log.filter((r) => r.type === 'step').at(-1)?.detail as { optimizer: string };
    expect(last.optimizer).toBe('asgd');
  }, 300_000);

  it('continues bit for bit in another process (bin/nas-lab.mjs)', async () => {
    const { resumedAt, log } = await resumeMatches(child, RETRAIN, 2, 7);
    expect(epochEnds(log).at(-1)).toBeGreaterThan(resumedAt);
  }, 300_000);
});
