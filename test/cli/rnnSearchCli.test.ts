import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseRunArgs } from '../../src/cli/runArgs';
import { BUILTIN_TEXT_DIR, folderSource } from '../../src/cli/folderSource';
import { loadTextCorpus } from '../../src/data/textCorpus';
import { parseRnnGenotype } from '../../src/nas/rnn/genotype/rnnGenotype';
import { importRnnGenotypeText } from '../../src/nas/rnn/genotype/rnnGenotypeText';
import { perplexity, tokenCrossEntropy } from '../../src/nas/rnn/model/rnnLoss';
import type { RnnSearchConfig } from '../../src/nas/rnn/search/rnnSearchConfig';
import { rnnSearchConfigOf } from '../../src/nas/rnn/search/rnnSearchKindInfo';
import type { Settings } from '../../src/nas/runKind/settingsSchema';
import {
  createRnnSearchState,
  disposeRnnSearchState,
} from '../../src/nas/rnn/search/rnnSearchState';
import { batchify, disposeSegment, tokenSegment } from '../../src/nas/rnn/model/rnnTokenData';
import * as tf from '../../src/nas/tensor/tf';

const run = promisify(execFile);
const BIN = join(__dirname, '..', '..', 'bin', 'nas-lab.mjs');

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { timeout: 300_000 });
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

const tmp = () => mkdtempSync(join(tmpdir(), 'nas-lab-rnn-'));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * The validation perplexity of the untrained model the search starts from (same seed, so the
 * same weights): BatchNorm on batch statistics, no dropout, over the whole validation text.
 */
async function untrainedPerplexity(
  config: RnnSearchConfig,
  vocabulary: number,
  valid: Int32Array,
): Promise<number> {
  const state = createRnnSearchState(config, vocabulary);
  const cols = batchify(valid, config.evalBatchSize);
  let hidden = state.model.initHidden(cols.batch);
  let sum = 0;
  let rows = 0;
  for (let start = 0; start < cols.rows - 1; start += config.bptt) {
    const seg = tokenSegment(cols, start, config.bptt);
    const out = tf.tidy(() => {
      const r = state.model.forward(seg.tokens, hidden, state.weights, state.alpha, {
        training: true,
        buffers: state.buffers,
      });
      return { hidden: r.hidden, loss: tokenCrossEntropy(r.logits, seg.targets) };
    });
    hidden.dispose();
    hidden = out.hidden;
    sum += ((await out.loss.data())[0] as number) * seg.length;
    rows += seg.length;
    out.loss.dispose();
    disposeSegment(seg);
  }
  tf.dispose([hidden, cols.data]);
  disposeRnnSearchState(state);
  return perplexity(sum / rows);
}

const TINY = [
  ...['--space', 'rnn', '--nhid', '16', '--batch-size', '8', '--bptt', '10'],
  ...['--vocabulary', '500', '--train-tokens', '2000', '--valid-tokens', '800'],
];

describe('nas-lab search --space rnn (CLI)', () => {
  it('lists every flag in --help', async () => {
    const r = await cli(['search', '--space', 'rnn', '--help']);
    expect(r.code).toBe(0);
    for (const flag of [
      '--preset small|paper',
      '--order 1|2',
      '--emsize',
      '--nhid',
      '--bptt',
      '--batch-size',
      '--epochs',
      '--lr',
      '--clip',
      '--wdecay',
      '--beta',
      '--dropout ',
      '--dropouth',
      '--dropoutx',
      '--dropouti',
      '--dropoute',
      '--arch-lr',
      '--arch-wdecay',
      '--seed',
      '--level word|char',
      '--vocabulary N',
      '--data-dir PATH',
      '--backend wasm|cpu|webgpu',
      '--out DIR',
      '--max-steps',
      '--train-tokens',
    ]) {
      expect(r.stdout).toContain(flag);
    }
    // The top-level usage says how to pick this kind.
    const top = await cli(['--help']);
    expect(top.stdout).toMatch(/\n {4}--space rnn +DARTS recurrent search: /);
  });

  it('names the bad flag', () => {
    const parse = (args: readonly string[]): Settings => {
      const parsed = parseRunArgs('search', ['--space', 'rnn', ...args], []);
      if ('help' in parsed || !('settings' in parsed.start)) throw new Error('expected settings');
      return parsed.start.settings;
    };
    const cases: [string[], RegExp][] = [
      [['--nhid', '0'], /^--nhid is below 1, got "0"$/],
      // One size: the decoder is tied to the embedding, so --emsize is --nhid and not a flag.
      [['--emsize', '16', '--nhid', '32'], /Unknown option '--emsize'/],
      [['--level', 'byte'], /^--level must be one of word, char, got "byte"$/],
      [
        ['--vocabulary', '1'],
        /^--vocabulary must be 0 .* or at least 2 \(<eos> and <unk>\), got 1$/,
      ],
      [['--dropouth', '1.5'], /^--dropouth is above 1, got "1\.5"$/],
      [['--order', '3'], /^--order must be one of 1, 2, got "3"$/],
      [['--lr', 'fast'], /^--lr expects a number, got "fast"$/],
      [['--lr=-1'], /^--lr is below 0, got "-1"$/],
      [['--batch-size', '1'], /^--batch-size is below 2, got "1"$/],
      [['--backend', 'tpu'], /--backend/],
      [['--algorithm', 'cdarts'], /^nas-lab search --space rnn takes no --algorithm$/],
      [['--learning-rate', '1'], /Unknown option '--learning-rate'/],
    ];
    for (const [args, message] of cases) {
      expect(() => parse(args), args.join(' ')).toThrow(message);
    }
    expect(parse([])).toMatchObject({ order: 1, nhid: 32 });
    expect(parse(['--order', '2', '--preset', 'paper'])).toMatchObject({ order: 2, nhid: 300 });
    const alias = parseRunArgs('search', ['--epochs', '2', '--space=recurrent'], []);
    expect('entry' in alias && alias.entry.info.id).toBe('rnn-search');
    expect(() => parse(['--space', 'lstm'])).toThrow(/^--space is given more than once$/);
    expect(() => parseRunArgs('search', ['--space', 'lstm'], [])).toThrow(
      /^--space must be one of cnn, rnn, got "lstm"$/,
    );
    expect(() => parseRunArgs('search', ['--space'], [])).toThrow(/^--space expects a value$/);
  });

  it('exits with the message on bad data', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['--data-dir', '/nonexistent/ptb'],
        /^nas-lab: data folder \/nonexistent\/ptb does not exist$/m,
      ],
      [['--train-tokens', '10'], /^nas-lab: --train-tokens must be at least 48, got 10/m],
      [['--epochs', '0'], /^nas-lab: --epochs is below 1, got "0"$/m],
    ];
    for (const [args, message] of cases) {
      const r = await cli(['search', '--space', 'rnn', ...args, '--out', tmp()]);
      expect({ args, code: r.code }).toEqual({ args, code: 1 });
      expect(r.stderr).toMatch(message);
    }
  }, 120_000);

  it('a short search on the built-in corpus writes the genotype and lowers validation perplexity', async () => {
    const out = tmp();
    const r = await cli(['search', ...TINY, '--epochs', '2', '--seed', '5', '--out', out]);
    expect(r.stderr).toMatch(/^DARTS recurrent search on the wasm backend\n/m);
    expect(r.stderr).toMatch(
      /DARTS recurrent search on built-in austen-pride: word level, vocabulary 500, 2000 train and 800 valid tokens/,
    );
    expect(r.stderr).toMatch(/\[#+\] \d+\/\d+ epoch 2 train loss [\d.]+ .* tokens\/s .*ETA/);
    expect(r.stderr).toMatch(/epoch 2: validation loss [\d.]+ validation perplexity [\d.]+/);
    expect(r.stdout).toMatch(
      /^DARTS recurrent search done after \d+ steps: .*validation perplexity/,
    );
    expect(r.code).toBe(0);

    const genotype = parseRnnGenotype(readFileSync(join(out, 'genotype.json'), 'utf8'));
    expect(genotype.recurrent.length).toBe(8);
    expect(genotype.concat).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const repr = importRnnGenotypeText(readFileSync(join(out, 'genotype.py'), 'utf8'));
    expect(repr).toMatchObject({ format: 'repr', name: 'SEARCHED' });
    expect(repr.genotype).toEqual(genotype);

    const log = readLog(out);
    const config = log[0] as LogRecord & { settings: Settings };
    expect(config).toMatchObject({
      type: 'config',
      kind: 'rnn-search',
      backend: 'wasm',
      settings: { nhid: 16, batchSize: 8, bptt: 10, epochs: 2, seed: 5 },
    });
    expect(log[1]).toMatchObject({
      type: 'note',
      detail: { level: 'word', vocabularySize: 500, trainTokens: 2000, validTokens: 800 },
    });
    const steps = log.filter((e) => e.type === 'step');
    // 2000 tokens in 8 columns: 250 rows, walked in segments of 10 (5 with probability 0.05).
    expect(steps.length).toBeGreaterThanOrEqual(2 * 25);
    expect(steps.every((s) => (s.throughput as number) > 0)).toBe(true);
    // The ETA's step count is the expected one: off by at most a few half-length segments.
    expect(Math.abs((steps[0]?.totalSteps as number) - steps.length)).toBeLessThanOrEqual(3);
    const epochs = log.filter((e) => e.type === 'epoch');
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1]);
    const done = log.at(-1) as LogRecord & { detail: { genotype: unknown } };
    expect(done).toMatchObject({ type: 'done', step: steps.length });
    expect(done.detail.genotype).toEqual(
      JSON.parse(readFileSync(join(out, 'genotype.json'), 'utf8')),
    );

    // The untrained model predicts about uniformly (perplexity ≈ the vocabulary); the search
    // must at least halve that.
    const corpus = await loadTextCorpus(folderSource(BUILTIN_TEXT_DIR), {
      level: 'word',
      maxVocabulary: 500,
    });
    const before = await untrainedPerplexity(
      rnnSearchConfigOf(config.settings),
      500,
      corpus.valid.subarray(0, 800),
    );
    expect(before).toBeGreaterThan(400);
    const after = (epochs.at(-1)?.metrics as { valPerplexity: number }).valPerplexity;
    expect(Number.isFinite(after)).toBe(true);
    expect(after).toBeLessThan(before / 2);
    process.stdout.write(`untrained ${before.toFixed(1)} → searched ${after.toFixed(1)}\n`);
  }, 300_000);

  it('--order 2 runs the unrolled search: finite losses, another alpha step than first order', async () => {
    const args = [
      ...['--space', 'rnn', '--nhid', '8', '--batch-size', '4', '--bptt', '5'],
      ...['--vocabulary', '300', '--train-tokens', '400', '--valid-tokens', '200'],
      ...['--max-steps', '2', '--quiet', '--seed', '3'],
    ];
    const firstOut = tmp();
    const secondOut = tmp();
    const first = await cli(['search', ...args, '--out', firstOut]);
    const second = await cli(['search', ...args, '--order', '2', '--out', secondOut]);
    expect([first.code, second.code]).toEqual([0, 0]);
    expect(readLog(secondOut)[0]).toMatchObject({ settings: { order: 2 } });
    const steps = (dir: string) => readLog(dir).filter((e) => e.type === 'step');
    const [a, b] = [steps(firstOut), steps(secondOut)];
    expect(b).toHaveLength(2);
    const valLoss = (s: LogRecord) => (s.metrics as { valLoss: number }).valLoss;
    for (const s of b) expect(Number.isFinite(valLoss(s))).toBe(true);
    // Same seed and data: the unrolled step scores the alphas at w' and moves them otherwise.
    expect(valLoss(b[0]!)).not.toBe(valLoss(a[0]!));
    expect(b[1]!.alphas).not.toEqual(a[1]!.alphas);
  }, 120_000);

  it('searches a PTB-style folder at character level', async () => {
    const dir = tmp();
    const data = join(dir, 'ptb');
    mkdirSync(data);
    const line = (i: number) => `the ${['cat', 'dog', 'bird'][i % 3]} sat on mat ${i % 7}\n`;
    const text = (n: number, from: number) =>
      Array.from({ length: n }, (_, i) => line(i + from)).join('');
    writeFileSync(join(data, 'ptb.train.txt'), text(60, 0));
    writeFileSync(join(data, 'ptb.valid.txt'), text(20, 3));
    writeFileSync(join(data, 'ptb.test.txt'), text(20, 5));
    const out = join(dir, 'out');
    const r = await cli([
      ...['search', '--space', 'rnn', '--data-dir', data, '--level', 'char'],
      ...['--nhid', '8', '--nodes', '2', '--batch-size', '4', '--bptt', '8'],
      ...['--max-steps', '3', '--backend', 'cpu', '--out', out, '--quiet'],
    ]);
    expect(r.stderr).not.toMatch(/\[#/);
    expect(r.code).toBe(0);
    const log = readLog(out);
    expect(log[0]).toMatchObject({ backend: 'cpu', settings: { level: 'char' } });
    expect(log[1]).toMatchObject({ type: 'note', detail: { source: data, level: 'char' } });
    // <eos>, <unk>, the space and the distinct characters of the training text.
    const chars = new Set(text(60, 0).replace(/\n/g, ''));
    const corpus = (log[1] as LogRecord & { detail: { vocabularySize: number } }).detail;
    expect(corpus.vocabularySize).toBe(chars.size + 2);
    expect(log.filter((e) => e.type === 'step').length).toBe(3);
    expect(
      parseRnnGenotype(readFileSync(join(out, 'genotype.json'), 'utf8')).recurrent.length,
    ).toBe(2);
  }, 120_000);
});
