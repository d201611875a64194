import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { rnnPublishedName, resolveRnnGenotypeArg } from '../../src/cli/rnnGenotypeArg';
import { parseRnnRetrainArgs, SMALL_RNN_RETRAIN_DATA } from '../../src/cli/rnnRetrainArgs';
import { parseRnnGenotype } from '../../src/nas/rnn/genotype/rnnGenotype';
import { formatRnnGenotype } from '../../src/nas/rnn/genotype/rnnGenotypeText';
import { RNN_DARTS_V1, RNN_DARTS_V2 } from '../../src/nas/rnn/genotype/rnnPublishedGenotypes';
import {
  PAPER_RNN_RETRAIN_CONFIG,
  SMALL_RNN_RETRAIN_CONFIG,
} from '../../src/nas/rnn/retrain/rnnRetrainConfig';

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
      'The trained weights are not written',
    ]) {
      expect(r.stdout).toContain(flag);
    }
    expect((await cli(['--help'])).stdout).toContain('nas-lab retrain --space rnn --help');
  });

  it('reads the presets, the published names and the token budgets', () => {
    const small = parseRnnRetrainArgs(['--genotype', 'DARTS_V2']);
    if (small === 'help') throw new Error('help');
    expect(small.config).toEqual(SMALL_RNN_RETRAIN_CONFIG);
    expect(small).toMatchObject({ ...SMALL_RNN_RETRAIN_DATA, backend: 'wasm' });
    const paper = parseRnnRetrainArgs(['--genotype', 'x', '--preset', 'paper', '--nonmono', '3']);
    if (paper === 'help') throw new Error('help');
    expect(paper.config).toEqual({ ...PAPER_RNN_RETRAIN_CONFIG, nonmono: 3 });
    expect(paper.trainTokens).toBeUndefined();
    expect(rnnPublishedName('DARTS')).toBe('DARTS_V2');
    expect(rnnPublishedName('rnn_darts_v1')).toBe('DARTS_V1');
    expect(rnnPublishedName('RNN_ENAS')).toBe('ENAS');
    expect(rnnPublishedName('DARTS_V3')).toBeNull();
    expect(resolveRnnGenotypeArg('RNN_DARTS_V2').genotype).toEqual(RNN_DARTS_V2);
  });

  it('names the bad flag or value', () => {
    const cases: [string[], RegExp][] = [
      [[], /^retrain --space rnn needs --genotype FILE\|NAME/],
      [
        ['--genotype', 'DARTS', '--nonmono', '0'],
        /^--nonmono expects a positive integer, got "0"$/,
      ],
      [
        ['--genotype', 'DARTS', '--dropoutx', '1'],
        /^--dropoutx expects a dropout rate in \[0, 1\)/,
      ],
      [
        ['--genotype', 'DARTS', '--max-seq-len-delta', '1.5'],
        /^--max-seq-len-delta expects an integer ≥ 0, got "1.5"$/,
      ],
      [['--genotype', 'DARTS', '--lr', '0'], /^lr must be > 0, got 0$/],
      [
        ['--genotype', 'DARTS', '--channels', '16'],
        /^--channels is not a flag of retrain --space rnn \(use --nhid\)$/,
      ],
      [['--genotype', 'DARTS', '--order', '2'], /Unknown option '--order'/],
    ];
    for (const [args, message] of cases) {
      expect(() => parseRnnRetrainArgs(args), args.join(' ')).toThrow(message);
    }
    expect(() => resolveRnnGenotypeArg('/nonexistent/g.py')).toThrow(
      /^--genotype \/nonexistent\/g\.py: no such file, and not a published recurrent genotype \(DARTS_V1, DARTS_V2, ENAS\)$/,
    );
    const bad = join(tmp(), 'bad.py');
    writeFileSync(bad, 'X = Genotype(recurrent=[("gelu", 0)], concat=range(1, 2))\n');
    expect(() => resolveRnnGenotypeArg(bad)).toThrow(new RegExp(`^${bad}: .*gelu`));
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
    expect(short.stderr).toMatch(
      /^nas-lab: the train text fills 2 rows of 4 columns; an epoch needs at least 3$/m,
    );
  }, 60_000);

  it('retrains a repr file: per-epoch perplexities, the genotype and log written, a finite test perplexity', async () => {
    const dir = tmp();
    const file = join(dir, 'genotype.py');
    writeFileSync(file, formatRnnGenotype(RNN_DARTS_V1, 'repr', 'FOUND'));
    const out = join(dir, 'out');
    const r = await cli([...TINY, '--genotype', file, '--epochs', '2', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /Retraining recurrent genotype FOUND on built-in austen-pride: word level, vocabulary 300, 300 train, 100 valid and 100 test tokens, nhid 8, wasm backend/,
    );
    expect(r.stderr).toMatch(/\[#+\.*\] \d+\/\d+ epoch 1 sgd train ppl [\d.]+ \d+ tok\/s .*ETA/);
    expect(r.stderr).toMatch(/epoch 2: valid perplexity [\d.]+, test [\d.]+/);
    expect(parseRnnGenotype(readFileSync(join(out, 'genotype.json'), 'utf8'))).toEqual(
      RNN_DARTS_V1,
    );

    const log = readLog(out);
    expect(log[0]).toMatchObject({
      type: 'config',
      space: 'rnn',
      genotype: { label: 'FOUND', source: 'repr' },
      config: { nhid: 8, batchSize: 4, bptt: 5, epochs: 2 },
      corpus: { vocabulary: 300, used: { train: 300, valid: 100, test: 100 } },
    });
    const steps = log.filter((e) => e.type === 'step');
    // 300 tokens in 4 columns: 75 rows, walked in segments of about 5 rows, twice.
    expect(steps.length).toBeGreaterThan(2 * 8);
    expect(
      steps.every((s) => Number.isFinite(s.trainLoss) && (s.tokensPerSecond as number) > 0),
    ).toBe(true);
    const epochs = log.filter((e) => e.type === 'epoch');
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1]);
    const done = log.at(-1) as LogRecord & { testPerplexity: number; bestEpoch: number };
    expect(done.type).toBe('done');
    const best = epochs[done.bestEpoch] as LogRecord;
    expect(done.testPerplexity).toBe(best.testPerplexity);
    expect(Number.isFinite(done.testPerplexity)).toBe(true);
    // Better than uniform guessing over the 300 words after two short epochs.
    expect(done.testPerplexity).toBeLessThan(300);
    expect(r.stdout).toBe(
      `test perplexity ${done.testPerplexity.toFixed(2)} (loss ${(done.testLoss as number).toFixed(4)}) of epoch ${done.bestEpoch + 1}, the best validation perplexity ${Math.exp(done.bestValLoss as number).toFixed(2)}; ${steps.length} steps\n`,
    );
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
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^2 steps; no epoch finished, so no test perplexity/);
    expect(readLog(out).filter((e) => e.type === 'step')).toHaveLength(2);
  }, 60_000);
});
