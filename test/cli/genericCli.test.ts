/**
 * The command line generated from the run-kind descriptors: the test-only toy kind, registered
 * here and nowhere else, gets its flags, usage text, validation, run, log, files, checkpoints and
 * resume from `nas-lab` without an edit in src/cli.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { withFlags } from '../../src/cli/kindFlags';
import { parseRunArgs } from '../../src/cli/runArgs';
import { encodeContainer } from '../../src/nas/io/checkpointFormat';
import { registerRunKind } from '../../src/nas/runKind/registry';
import type { RunKindInfo } from '../../src/nas/runKind/runKind';
import { fieldFlag } from '../../src/nas/runKind/settingsSchema';
import { TOY_ENTRY, TOY_INFO, TOY_KIND, TOY_SCHEMA } from '../support/toyRunKind';

/** A second kind of `search`, so that flags of one kind are refused under the other by name. */
const OTHER_INFO: RunKindInfo = {
  ...TOY_INFO,
  id: 'toy-text',
  title: 'Toy text run',
  summary: 'a test-only kind with a text field read from a file',
  select: { space: 'cnn', algorithm: 'toy-text' },
  checkpointFormat: 'nas-lab.toy-text-checkpoint',
  schema: {
    presets: ['small'],
    fields: [
      {
        key: 'recipe',
        type: 'text',
        maxLength: 20,
        file: { literals: ['SOUP', 'STEW'] },
        default: 'SOUP',
        group: 'method',
        help: 'a recipe, by name or from a file',
      },
      { key: 'depth', type: 'int', min: 1, max: 3, default: 2, group: 'network', help: 'how deep' },
    ],
  },
};

const unregister: (() => void)[] = [];
beforeAll(() => {
  unregister.push(registerRunKind(TOY_ENTRY));
  unregister.push(registerRunKind({ info: OTHER_INFO, load: async () => TOY_KIND }));
});
afterAll(() => unregister.forEach((u) => u()));

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
  });
  return { code, out, err };
}

type LogLine = Record<string, unknown> & { type: string };
const readLog = (dir: string): LogLine[] =>
  readFileSync(join(dir, 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as LogLine);

const tmp = () => mkdtempSync(join(tmpdir(), 'nas-lab-generic-'));
const TOY = ['search', '--algorithm', 'toy', '--backend', 'cpu'];

describe('nas-lab search with a registered kind (the toy)', () => {
  it('runs it: config, steps and done in log.jsonl, its files in --out, a summary on stdout', async () => {
    const out = tmp();
    const r = await cli([...TOY, '--steps', '5', '--flavour', 'hot', '--quiet', '--out', out]);
    expect(r.err).toBe(`wrote log.jsonl, toy.txt in ${out}\n`);
    expect(r.code).toBe(0);
    const log = readLog(out);
    expect(log[0]).toEqual({
      type: 'config',
      kind: 'toy',
      backend: 'cpu',
      settings: {
        steps: 5,
        startLoss: 8,
        rate: 0.5,
        flavour: 'spicy',
        shapes: ['circle', 'square'],
        loud: false,
      },
      resumedFrom: null,
    });
    expect(log.slice(1).map((l) => [l.type, l.step])).toEqual([
      ['step', 1],
      ['step', 2],
      ['step', 3],
      ['step', 4],
      ['step', 5],
      ['done', 5],
    ]);
    expect(log.filter((l) => l.type === 'step').map((l) => l.metrics)).toEqual(
      [4, 2, 1, 0.5, 0.25].map((trainLoss) => ({ trainLoss })),
    );
    expect(log[1]).toMatchObject({ genotype: { best: 'circle' }, files: ['toy.txt'] });
    expect(log.at(-1)).toEqual({ type: 'done', step: 5, metrics: { finalLoss: 0.25 } });
    expect(readFileSync(join(out, 'toy.txt'), 'utf8')).toBe('loss 0.25\n');
    expect(readdirSync(out).sort()).toEqual(['log.jsonl', 'toy.txt']);
    expect(r.out).toBe('Toy run done after 5 steps: finalLoss 0.25\n');
  });

  it('prints a progress bar with the ETA, the metrics by label, and the files written', async () => {
    const out = tmp();
    const r = await cli(['search', '--algorithm', 'toy', '--backend', 'cpu', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^Toy run on the cpu backend\n/);
    expect(r.err).toMatch(/\r\[#{24}\] 3\/3 epoch 1 loss 1 1\.0 images\/s elapsed 00:00 ETA 00:00/);
    expect(r.err).toContain(`wrote log.jsonl, toy.txt in ${out}\n`);
    expect(readLog(out).filter((l) => l.type === 'step')).toHaveLength(3);
  });

  it('--preset big starts from the preset, and flags override it', async () => {
    const big = tmp();
    expect((await cli([...TOY, '--preset', 'big', '--quiet', '--out', big])).code).toBe(0);
    expect(readLog(big)[0]).toMatchObject({ settings: { steps: 50 } });
    expect(readLog(big).filter((l) => l.type === 'step')).toHaveLength(50);
    const seven = tmp();
    const r = await cli([...TOY, '--preset', 'big', '--steps', '7', '--no-loud', '--out', seven]);
    expect(r.code).toBe(0);
    expect(readLog(seven)[0]).toMatchObject({ settings: { steps: 7, loud: false } });
  });

  it('--help lists every flag with its value, help and preset defaults, then the host flags', async () => {
    const r = await cli(['search', '--algorithm', 'toy', '--help']);
    expect(r.code).toBe(0);
    const help = r.out;
    expect(help).toMatch(/^Usage: nas-lab search --space cnn --algorithm toy \[options\]\n/);
    expect(help).toContain('Toy run: a test-only kind whose loss halves each step.');
    expect(help).toContain('--space cnn --algorithm toy-text');
    for (const field of TOY_SCHEMA.fields) {
      expect(help).toContain(`--${fieldFlag(field)}`);
      expect(help).toContain(field.help);
    }
    // A flag's row, its wrapped help joined.
    const row = (flag: string) =>
      (help.split(/\n(?! {28})/).find((l) => l.startsWith(`  ${flag}`)) ?? '').replace(
        /\n +/g,
        ' ',
      );
    expect(row('--steps N')).toMatch(/steps to take \(small 3; big 50\)$/);
    expect(row('--start-loss X')).toMatch(/the loss before the first step \(default 8\)$/);
    expect(row('--rate X')).toMatch(/\(default 0\.5; may change while it runs\)$/);
    expect(row('--flavour plain|spicy')).toMatch(/a choice \(default plain\)$/);
    expect(row('--shapes A,B,…')).toMatch(/\(of circle, square, star; default circle,square\)$/);
    expect(row('--loud, --no-loud')).toMatch(/a switch \(default false\)$/);
    expect(row('--preset small|big')).toMatch(/default small/);
    expect(help.indexOf('Network:')).toBeLessThan(help.indexOf('--shapes'));
    expect(help.indexOf('Run:')).toBeLessThan(help.indexOf('--steps'));
    for (const flag of [
      '--backend wasm|cpu|webgpu',
      '--data-dir PATH',
      '--out DIR',
      '--checkpoint-every N',
      '--resume FILE',
      '--quiet',
    ]) {
      expect(row(flag), flag).not.toBe('');
    }
    expect(row('--out DIR')).toMatch(/default out\/toy\)$/);
    const top = await cli(['--help']);
    expect(top.out).toMatch(/--space cnn --algorithm toy\s+Toy run: a test-only kind/);
    expect(top.out).toContain('evaluate');
  });

  it('refuses bad values, naming the flag and the value', async () => {
    const cases: [string[], RegExp][] = [
      [['--steps', '2.5'], /^nas-lab: --steps expects an integer, got "2\.5"\n$/],
      [['--steps', 'many'], /^nas-lab: --steps expects a number, got "many"\n$/],
      [['--rate', '2'], /^nas-lab: --rate is above 1, got "2"\n$/],
      [['--flavour', 'mild'], /^nas-lab: --flavour must be one of plain, spicy, got "mild"\n$/],
      [['--shapes', 'circle,hexagon'], /^nas-lab: --shapes names hexagon, not among circle/],
      [['--steps', '13'], /^nas-lab: --steps must not be 13\n$/],
      [['--preset', 'huge'], /^nas-lab: --preset must be one of small, big, got "huge"\n$/],
      [['--loud', '--no-loud'], /^nas-lab: --loud and --no-loud contradict each other\n$/],
      [['--volume', '3'], /Unknown option '--volume'/],
      [
        ['--depth', '3'],
        /^nas-lab: --depth is not a flag of Toy run .*: it is one of Toy text run/,
      ],
      [['--checkpoint-every', '0'], /--checkpoint-every expects a whole number of steps/],
      [['--backend', 'tpu'], /--backend/],
      [['--space', 'lstm'], /^nas-lab: --space must be one of cnn, rnn, got "lstm"\n$/],
    ];
    for (const [args, message] of cases) {
      const r = await cli([...TOY, ...args, '--out', tmp()]);
      expect({ args, code: r.code }).toEqual({ args, code: 1 });
      expect(r.err, args.join(' ')).toMatch(message);
    }
    const other = await cli(['search', '--algorithm', 'toy-text', '--help']);
    expect(other.out).toMatch(/\n {2}--depth 1\|2\|3 +how deep \(default 2\)\n/);
    expect(other.out).toMatch(
      /\n {2}--recipe FILE\|NAME +a recipe, by name or from a file \(default SOUP\)\n/,
    );
    const unknown = await cli(['search', '--algorithm', 'nope']);
    expect(unknown.err).toMatch(/--algorithm must be one of .*toy.*, got "nope"/);
  });

  it("names fields by flag in a schema check's message, but not a key used as a plain word", () => {
    expect(withFlags(TOY_INFO, 'steps 30 exceed the 20 steps that startLoss allows')).toBe(
      '--steps 30 exceed the 20 steps that --start-loss allows',
    );
    expect(withFlags(TOY_INFO, 'rate 2 is too high; loud needs a low rate (rate)')).toBe(
      '--rate 2 is too high; --loud needs a low rate (--rate)',
    );
  });

  it('reads a text field from a file unless the value is a literal, and names the file', () => {
    const dir = tmp();
    const parse = (args: string[]) => {
      const parsed = parseRunArgs('search', ['--algorithm', 'toy-text', ...args], []);
      if ('help' in parsed || !('settings' in parsed.start)) throw new Error('expected settings');
      return parsed.start.settings;
    };
    expect(parse(['--recipe', 'stew'])).toEqual({ recipe: 'STEW', depth: 2 });
    // A few whole values read as a choice's.
    expect(() => parse(['--depth', '4'])).toThrow(/^--depth must be one of 1, 2, 3, got "4"$/);
    const file = join(dir, 'mine.txt');
    writeFileSync(file, 'bread and salt');
    expect(parse(['--recipe', file, '--space', 'convolutional'])).toMatchObject({
      recipe: 'bread and salt',
    });
    writeFileSync(file, 'x'.repeat(21));
    expect(() => parse(['--recipe', file])).toThrow(
      `--recipe ${file}: the file's text is 21 characters, over the limit of 20`,
    );
    writeFileSync(file, 'x'.repeat(81));
    expect(() => parse(['--recipe', file])).toThrow(/81 bytes is above the limit of 80 bytes/);
    writeFileSync(file, Uint8Array.of(0xff, 0xfe, 0x00));
    expect(() => parse(['--recipe', file])).toThrow(`--recipe ${file} is not UTF-8 text`);
    expect(() => parse(['--recipe', join(dir, 'nope')])).toThrow(
      /no such file, and not one of SOUP, STEW/,
    );
  });
});

describe('--checkpoint-every and --resume with a registered kind (the toy)', () => {
  it('resumes in a second call to the same final report as the uninterrupted run', async () => {
    const straight = tmp();
    const a = await cli([...TOY, '--steps', '5', '--checkpoint-every', '2', '--out', straight]);
    expect(a.code).toBe(0);
    expect(readdirSync(straight).sort()).toEqual(['checkpoint.naslab', 'log.jsonl', 'toy.txt']);
    const checkpoint = join(straight, 'checkpoint.naslab');
    const resumed = tmp();
    // The file decides the kind: --space rnn does not select the toy, the checkpoint does.
    const b = await cli(['search', '--space', 'rnn', '--resume', checkpoint, '--out', resumed]);
    expect(b.err).toMatch(
      /^Toy run on the wasm backend, resumed from .*checkpoint\.naslab at step 4\n/,
    );
    expect(b.code).toBe(0);
    const [first, second] = [readLog(straight), readLog(resumed)];
    expect(second[0]).toMatchObject({
      type: 'config',
      kind: 'toy',
      settings: first[0]?.settings,
      resumedFrom: { file: checkpoint, step: 4 },
    });
    expect(second.slice(1)).toEqual(first.slice(-2));
    expect(b.out).toBe(a.out);
    expect(readFileSync(join(resumed, 'toy.txt'))).toEqual(readFileSync(join(straight, 'toy.txt')));
  });

  it('refuses settings flags on a resume, other commands, and files that are not checkpoints', async () => {
    const straight = tmp();
    await cli([...TOY, '--checkpoint-every', '1', '--quiet', '--out', straight]);
    const checkpoint = join(straight, 'checkpoint.naslab');
    const junk = join(straight, 'junk.naslab');
    writeFileSync(junk, 'not a checkpoint');
    const model = join(straight, 'model.nas');
    writeFileSync(
      model,
      encodeContainer({ manifest: { format: 'nas-lab.trained-model' }, tensors: [] }),
    );
    const cases: [string[], RegExp][] = [
      [
        ['search', '--resume', checkpoint, '--rate', '0.1', '--preset', 'big'],
        /^nas-lab: --resume takes the search settings and data from the checkpoint; drop --rate, --preset \(a resumed run takes only --backend, --data-dir, --out, --quiet, --checkpoint-every\)\n$/,
      ],
      [['search', '--resume', checkpoint, '--no-loud'], /drop --no-loud/],
      // Refused before the file is read: whatever it holds, these flags have no place.
      [
        ['search', '--algorithm', 'toy', '--resume', join(straight, 'gone'), '--steps', '3'],
        /drop --steps/,
      ],
      [
        ['retrain', '--resume', checkpoint],
        /^nas-lab: --resume .*checkpoint\.naslab is a checkpoint of a Toy run: continue it with nas-lab search --resume\n$/,
      ],
      [
        ['search', '--algorithm', 'toy', '--resume', junk],
        /^nas-lab: --resume .*junk\.naslab: invalid search checkpoint/,
      ],
      [
        ['search', '--algorithm', 'toy', '--resume', model],
        /^nas-lab: --resume .*model\.nas: this file is a "nas-lab\.trained-model", not a checkpoint of a run/,
      ],
      [
        ['search', '--algorithm', 'toy', '--resume', join(straight, 'gone')],
        /--resume .*gone: no such file/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await cli([...args, '--out', tmp()]);
      expect({ args, code: r.code }).toEqual({ args, code: 1 });
      expect(r.err, args.join(' ')).toMatch(message);
    }
    const ok = await cli([
      'search',
      '--resume',
      checkpoint,
      '--backend',
      'cpu',
      '--quiet',
      '--out',
      tmp(),
    ]);
    expect(ok.code).toBe(0);
  });
});
