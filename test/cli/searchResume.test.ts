import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = join(__dirname, '..', '..', 'bin', 'nas-lab.mjs');

async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await run(process.execPath, [BIN, ...args], { timeout: 300_000 });
    return { code: 0, stderr };
  } catch (e) {
    const err = e as { code?: number; stderr?: string };
    return { code: err.code ?? -1, stderr: err.stderr ?? '' };
  }
}

type LogEvent = {
  type: string;
  step?: number;
  metrics?: { trainLoss?: number; valLoss?: number };
  resumedFrom?: unknown;
};

const log = (dir: string): LogEvent[] =>
  readFileSync(join(dir, 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as LogEvent);

const TINY = [
  ...['--dataset', 'synthetic', '--images', '32', '--image-size', '8', '--channels', '2'],
  ...['--layers', '3', '--nodes', '2', '--batch-size', '8', '--epochs', '3', '--quiet'],
];

describe('nas-lab search --checkpoint-every / --resume (CLI)', () => {
  it('resumes a search from its checkpoint and continues exactly as the straight run', async () => {
    const straight = mkdtempSync(join(tmpdir(), 'nas-lab-straight-'));
    const resumed = mkdtempSync(join(tmpdir(), 'nas-lab-resumed-'));
    // 16 weight-training images, batch 8: 2 steps an epoch, 6 in all; a checkpoint at step 4.
    const a = await cli(['search', ...TINY, '--checkpoint-every', '4', '--out', straight]);
    expect(a.code).toBe(0);
    const b = await cli([
      'search',
      '--resume',
      join(straight, 'checkpoint.naslab'),
      '--out',
      resumed,
      '--quiet',
    ]);
    expect(b.stderr).toMatch(/wrote log\.jsonl, genotype\.json in /);
    expect(b.code).toBe(0);
    const after4 = (events: LogEvent[]) =>
      events
        .filter((e) => e.type === 'step' && (e.step ?? 0) > 4)
        .map((e) => [e.step, e.metrics?.trainLoss, e.metrics?.valLoss]);
    const tail = after4(log(straight));
    expect(tail.map((t) => t[0])).toEqual([5, 6]);
    // Bitwise on the cpu backend: the same losses, the same final genotype.
    expect(after4(log(resumed))).toEqual(tail);
    expect(readFileSync(join(resumed, 'genotype.json'), 'utf8')).toBe(
      readFileSync(join(straight, 'genotype.json'), 'utf8'),
    );
    expect(log(resumed)[0]).toMatchObject({ type: 'config', resumedFrom: { step: 4 } });
  }, 300_000);

  it('names the problem with a bad resume', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nas-lab-bad-'));
    const junk = join(dir, 'junk.naslab');
    writeFileSync(junk, 'not a checkpoint');
    const cases: [string[], RegExp][] = [
      [['search', '--resume', junk], /--resume .*junk\.naslab: invalid search checkpoint/],
      [['search', '--resume', join(dir, 'missing')], /no such file/],
      [['search', '--resume', junk, '--epochs', '3'], /takes the search settings .* drop --epochs/],
      [['search', '--checkpoint-every', '0'], /--checkpoint-every expects a whole number/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
    }
  }, 120_000);
});
