import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseRunArgs } from '../../src/cli/runArgs';
import { parseRnnGenotype } from '../../src/nas/rnn/genotype/rnnGenotype';
import { formatRnnGenotype } from '../../src/nas/rnn/genotype/rnnGenotypeText';
import { RNN_DARTS_V1, RNN_DARTS_V2 } from '../../src/nas/rnn/genotype/rnnPublishedGenotypes';
import {
  PAPER_RNN_RETRAIN_CONFIG,
  SMALL_RNN_RETRAIN_CONFIG,
} from '../../src/nas/rnn/retrain/rnnRetrainConfig';
import {
  rnnRetrainConfigOf,
  rnnRetrainGenotypeOf,
} from '../../src/nas/rnn/retrain/rnnRetrainKindInfo';
import type { Settings } from '../../src/nas/runKind/settingsSchema';

const run = promisify(execFile);
const BIN = join(__dirname, '..', '..', 'bin', 'nas-lab.mjs');

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

type LogRecord = Record<string, unknown> & { type: string };
const readLog = (dir: string): LogRecord[] =>
  readFileSync(join(dir, 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as LogRecord);

const tmp = () => mkdtempSync(join(tmpdir(), 'nas-lab-rnn-retrain-'));

/** The settings `nas-lab retrain --space rnn ARGS` asks for. */
function parse(args: readonly string[]): Settings {
  const parsed = parseRunArgs('retrain', ['--space', 'rnn', ...args], []);
  if ('help' in parsed || !('settings' in parsed.start)) throw new Error('expected settings');
  return parsed.start.settings;
}

/** A retrain of seconds: 300 train tokens in 4 columns, short segments, a small vocabulary. */
const TINY = [
  ...['retrain', '--space', 'rnn', '--nhid', '8', '--batch-size', '4', '--bptt', '5'],
  ...['--max-seq-len-delta', '2', '--vocabulary', '300', '--train-tokens', '300'],
  ...['--valid-tokens', '100', '--test-tokens', '100'],
];

describe('nas-lab retrain --space rnn (CLI)', () => {
  it('lists its flags in --help, and the top-level help names it', async () => {
    const r = await cli(['retrain', '--space', 'rnn', '--help']);
    expect(r.code).toBe(0);
    for (const flag of [
      '--genotype FILE|NAME',
      'DARTS_V1, DARTS_V2 (= DARTS), ENAS',
      '--preset small|paper',
      '--nhid',
      '--max-seq-len-delta',
      '--nonmono',
      '--alpha',
      '--beta',
      '--dropoute',
      '--test-tokens',
      '--data-dir PATH',
      '--backend wasm|cpu|webgpu',
      '--checkpoint-every N',
      '--resume FILE',
    ]) {
      expect(r.stdout).toContain(flag);
    }
    expect((await cli(['--help'])).stdout).toMatch(/\n {4}--space rnn +Recurrent retrain: /);
  });

  it('reads the presets, the published names and the token budgets', () => {
    const small = parse(['--genotype', 'DARTS_V2']);
    expect(rnnRetrainConfigOf(small)).toEqual(SMALL_RNN_RETRAIN_CONFIG);
    expect(small).toMatchObject({ trainTokens: 20000, validTokens: 4000, testTokens: 4000 });
    const paper = parse(['--genotype', 'ENAS', '--preset', 'paper', '--nonmono', '3']);
    expect(rnnRetrainConfigOf(paper)).toEqual({ ...PAPER_RNN_RETRAIN_CONFIG, nonmono: 3 });
    // 0: the whole text.
    expect(paper.trainTokens).toBe(0);
    const genotype = (name: string) =>
      rnnRetrainGenotypeOf(parse(['--genotype', name]).genotype as string);
    expect(genotype('DARTS')).toMatchObject({ genotype: RNN_DARTS_V2, label: 'DARTS_V2' });
    expect(genotype('rnn_darts_v1')).toMatchObject({ genotype: RNN_DARTS_V1, label: 'DARTS_V1' });
    expect(genotype('RNN_ENAS')).toMatchObject({ label: 'ENAS' });
    // Without --genotype: DARTS_V2, DARTS's own.
    expect(parse([]).genotype).toBe('DARTS_V2');
  });

  it('names the bad flag or value', () => {
    const cases: [string[], RegExp][] = [
      [['--nonmono', '0'], /^--nonmono is below 1, got "0"$/],
      [['--dropoutx', '1'], /^--dropoutx must be a dropout rate in \[0, 1\), got 1$/],
      [['--max-seq-len-delta', '1.5'], /^--max-seq-len-delta expects an integer, got "1.5"$/],
      [['--lr', '0'], /^--lr must be > 0, got 0$/],
      [
        ['--channels', '16'],
        /^--channels is not a flag of Recurrent retrain \(--space rnn\): it is one of retrain \(--space cnn\)$/,
      ],
      [['--order', '2'], /Unknown option '--order'/],
      [
        ['--genotype', '/nonexistent/g.py'],
        /^--genotype \/nonexistent\/g\.py: no such file, and not one of DARTS_V1, DARTS_V2, ENAS, /,
      ],
    ];
    for (const [args, message] of cases) {
      expect(() => parse(args), args.join(' ')).toThrow(message);
    }
    const bad = join(tmp(), 'bad.py');
    writeFileSync(bad, 'X = Genotype(recurrent=[("gelu", 0)], concat=range(1, 2))\n');
    // The file is named with the flag.
    expect(() => parse(['--genotype', bad])).toThrow(new RegExp(`^--genotype ${bad}: .*"gelu"`));
  });

  it('exits with the message on a bad genotype or data', async () => {
    const r = await cli([...TINY, '--genotype', 'DARTS_V9', '--out', tmp()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^nas-lab: --genotype DARTS_V9: no such file/m);
    const short = await cli([
      ...TINY,
      '--genotype',
      'DARTS',
      '--train-tokens',
      '8',
      '--out',
      tmp(),
    ]);
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/^nas-lab: --train-tokens must be at least 12, got 8 /m);
  }, 60_000);

  it('retrains a repr file: per-epoch perplexities, the genotype and log written, a finite test perplexity', async () => {
    const dir = tmp();
    const file = join(dir, 'genotype.py');
    writeFileSync(file, formatRnnGenotype(RNN_DARTS_V1, 'repr', 'FOUND'));
    const out = join(dir, 'out');
    const r = await cli([...TINY, '--genotype', file, '--epochs', '2', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^Recurrent retrain on the wasm backend$/m);
    expect(r.stderr).toMatch(
      /Retraining recurrent genotype FOUND on built-in austen-pride: word level, vocabulary 300, 300 train, 100 valid and 100 test tokens/,
    );
    expect(r.stderr).toMatch(/\[#+\.*\] \d+\/\d+ epoch 1 train loss [\d.]+ [\d.]+ tokens\/s .*ETA/);
    expect(r.stderr).toMatch(
      /epoch 2: validation loss [\d.]+ validation perplexity [\d.]+ test loss [\d.]+ test perplexity [\d.]+/,
    );
    expect(parseRnnGenotype(readFileSync(join(out, 'genotype.json'), 'utf8'))).toEqual(
      RNN_DARTS_V1,
    );

    const log = readLog(out);
    expect(log[0]).toMatchObject({
      type: 'config',
      kind: 'rnn-retrain',
      settings: { nhid: 8, batchSize: 4, bptt: 5, epochs: 2, maxVocabulary: 300 },
    });
    expect(log[1]).toMatchObject({
      type: 'note',
      detail: { label: 'FOUND', vocabularySize: 300, trainTokens: 300, validTokens: 100 },
    });
    const steps = log.filter((e) => e.type === 'step');
    // 300 tokens in 4 columns: 75 rows, walked in segments of about 5 rows, twice.
    expect(steps.length).toBeGreaterThan(2 * 8);
    const metrics = (e: LogRecord | undefined) => (e?.metrics ?? {}) as Record<string, number>;
    expect(
      steps.every((s) => Number.isFinite(metrics(s).trainLoss) && (s.throughput as number) > 0),
    ).toBe(true);
    // Plain SGD throughout two epochs (ASGD needs more epochs than nonmono).
    expect(steps.every((s) => (s.detail as { optimizer: string }).optimizer === 'sgd')).toBe(true);
    const epochs = log.filter((e) => e.type === 'epoch');
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1]);
    const done = log.at(-1) as LogRecord & { detail: { bestEpoch: number } };
    expect(done.type).toBe('done');
    const test = metrics(done).testPerplexity as number;
    expect(test).toBe(metrics(epochs[done.detail.bestEpoch]).testPerplexity);
    expect(Number.isFinite(test)).toBe(true);
    // Better than uniform guessing over the 300 words after two short epochs.
    expect(test).toBeLessThan(300);
    const printed =
      /^Recurrent retrain done after (\d+) steps: test loss [\d.]+ test perplexity ([\d.]+) best validation perplexity [\d.]+\n$/.exec(
        r.stdout,
      );
    expect(Number(printed?.[1])).toBe(steps.length);
    expect(Number(printed?.[2])).toBe(Number(test.toPrecision(4)));
  }, 120_000);

  it('stops after --max-steps without an epoch, and says so', async () => {
    const out = tmp();
    const r = await cli([
      ...TINY,
      '--genotype',
      'ENAS',
      '--max-steps',
      '2',
      '--quiet',
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`wrote log.jsonl, genotype.json in ${out}\n`);
    expect(r.stdout).toBe('Recurrent retrain done after 2 steps: no final figures\n');
    expect(readLog(out).filter((e) => e.type === 'step')).toHaveLength(2);
  }, 60_000);
});
