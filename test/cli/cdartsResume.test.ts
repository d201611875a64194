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

type LogRecord = Record<string, unknown> & { type: string; step?: number };

const log = (dir: string): LogRecord[] =>
  readFileSync(join(dir, 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as LogRecord);

/** A step's figures without its timings: what a resumed run must repeat exactly. */
function untimed(r: LogRecord): unknown {
  const { throughput: _ips, elapsedMs: _ms, ...rest } = r;
  return rest;
}

/** A cycle's note (the evaluation network follows the genotype), not a run's opening note. */
const isCycle = (r: LogRecord): boolean =>
  r.type === 'note' && typeof r.detail === 'object' && r.detail !== null && 'cycle' in r.detail;

/** The reports a resumed run must repeat: all but the opening notes. */
const reports = (records: readonly LogRecord[]): LogRecord[] =>
  records.filter((r) => r.type !== 'note' || isCycle(r));

/**
 * A tiny CIFAR-10 folder (five training batches of 8 records and a test batch): CIFAR is what
 * the search augments (padding and flips), so its random state has to survive the resume.
 */
function tinyCifar10(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nas-lab-cifar-'));
  let seed = 12345;
  const byte = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed >> 23;
  };
  const batch = (records: number, first: number) => {
    const bytes = new Uint8Array(records * 3073);
    for (let r = 0; r < records; r++) {
      bytes[r * 3073] = (first + r) % 10;
      for (let i = 1; i < 3073; i++) bytes[r * 3073 + i] = byte();
    }
    return bytes;
  };
  for (let i = 1; i <= 5; i++) writeFileSync(join(dir, `data_batch_${i}.bin`), batch(8, i * 8));
  writeFileSync(join(dir, 'test_batch.bin'), batch(4, 0));
  return dir;
}

describe('nas-lab search --algorithm cdarts --checkpoint-every / --resume (CLI)', () => {
  it('resumes a CDARTS search in a second process, logging what the straight run logs', async () => {
    const data = tinyCifar10();
    const straight = mkdtempSync(join(tmpdir(), 'nas-lab-cdarts-straight-'));
    const resumed = mkdtempSync(join(tmpdir(), 'nas-lab-cdarts-resumed-'));
    // 16 weight images, batch 8: 2 steps an epoch. Epoch 0 warms up (steps 1–2); epochs 1 and 2
    // are cycles (evaluation warm-up, then joint steps): 10 steps. The checkpoint is written at
    // step 6, the first cycle's last joint step (only there: the file holds the latest one); the
    // resumed run then evaluates epoch 1, follows the second cycle's genotype and trains on.
    const a = await cli([
      ...['search', '--algorithm', 'cdarts', '--backend', 'cpu', '--dataset', 'cifar10'],
      ...['--data-dir', data, '--images', '32', '--image-size', '8', '--channels', '2'],
      ...['--nodes', '2', '--batch-size', '8', '--search-layers', '3', '--eval-layers', '3'],
      ...['--epochs', '3', '--warmup-epochs', '1', '--eval-warmup-epochs', '1'],
      ...['--checkpoint-every', '6', '--quiet', '--out', straight],
    ]);
    expect(a.stderr).toMatch(/wrote log\.jsonl, genotype\.json, /);
    expect(a.code).toBe(0);
    const b = await cli([
      ...['search', '--algorithm', 'cdarts', '--backend', 'cpu', '--data-dir', data],
      ...['--resume', join(straight, 'checkpoint.naslab'), '--quiet', '--out', resumed],
    ]);
    expect(b.stderr).toMatch(/wrote log\.jsonl, genotype\.json, /);
    expect(b.code).toBe(0);
    const all = reports(log(straight));
    const tail = all.slice(all.findIndex((r) => r.type === 'step' && r.step === 6) + 1);
    expect(tail.map((r) => (r.type === 'step' ? r.step : isCycle(r) ? 'cycle' : r.type))).toEqual([
      'epoch',
      'cycle',
      7,
      8,
      9,
      10,
      'epoch',
      'done',
    ]);
    // Bitwise on the cpu backend: the same losses, evaluations, cycle and final genotype.
    expect(reports(log(resumed).slice(1)).map(untimed)).toEqual(tail.map(untimed));
    expect(readFileSync(join(resumed, 'genotype.json'), 'utf8')).toBe(
      readFileSync(join(straight, 'genotype.json'), 'utf8'),
    );
    expect(log(resumed)[0]).toMatchObject({
      type: 'config',
      kind: 'cdarts',
      resumedFrom: { step: 6 },
      settings: { dataset: 'cifar10', images: 32, imageSize: 8 },
    });
  }, 300_000);

  it('names the problem with a bad resume', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nas-lab-cdarts-bad-'));
    const junk = join(dir, 'junk.naslab');
    writeFileSync(junk, 'not a checkpoint');
    const cdarts = ['search', '--algorithm', 'cdarts'];
    const cases: [string[], RegExp][] = [
      [
        [...cdarts, '--resume', junk],
        /--resume .*junk\.naslab: invalid search checkpoint: bad magic/,
      ],
      [[...cdarts, '--resume', join(dir, 'missing')], /--resume .*missing: no such file/],
      [
        [...cdarts, '--resume', junk, '--nasnet-lr', '0.1', '--images', '8'],
        /takes the search settings .* drop --nasnet-lr, --images/,
      ],
      [[...cdarts, '--checkpoint-every', '1.5'], /--checkpoint-every expects a whole number/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
    }
  }, 120_000);
});
