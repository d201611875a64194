/**
 * `nas-lab experiment`'s command line: the prefixed flags of the search and retrain kinds read as
 * `nas-lab search|retrain` reads them, presets, the experiment's own settings, the usage text,
 * and every refusal naming the flag, all before anything runs.
 */
import { describe, expect, it } from 'vitest';
import type { ExperimentRequest } from '../../src/cli/experimentArgs';
import { parseExperimentArgs } from '../../src/cli/experimentArgs';
import { main } from '../../src/cli/main';
import { DARTS_INFO } from '../../src/nas/darts/dartsKindInfo';
import { RETRAIN_INFO } from '../../src/nas/retrain/retrainKindInfo';
import { defaultSettings } from '../../src/nas/runKind/settingsSchema';

const parse = (...argv: string[]): ExperimentRequest => {
  const parsed = parseExperimentArgs(argv);
  if ('help' in parsed) throw new Error('got the usage');
  return parsed;
};

describe('nas-lab experiment flags', () => {
  it("reads its own settings and each kind's flags behind their prefixes", () => {
    const { config, host } = parse(
      ...['--searches', '2', '--random', '3', '--seeds', '1', '--controls', 'poor'],
      ...[
        '--search.epochs',
        '1',
        '--search.order',
        '2',
        '--retrain.epochs',
        '1',
        '--retrain.no-auxiliary',
      ],
      ...['--search.seed', '10', '--backend', 'cpu', '--out', '/tmp/x', '--checkpoint-every', '5'],
    );
    expect(config).toMatchObject({ space: 'cnn', searchKind: 'darts', retrainKind: 'retrain' });
    expect(config.settings).toMatchObject({
      searches: 2,
      random: 3,
      seeds: 1,
      controls: ['poor'],
      seed: 0,
    });
    expect(config.search).toEqual({
      ...defaultSettings(DARTS_INFO.schema),
      epochs: 1,
      order: 2,
      seed: 10,
    });
    expect(config.retrain).toEqual({
      ...defaultSettings(RETRAIN_INFO.schema),
      epochs: 1,
      auxiliary: false,
    });
    expect(host).toEqual({
      backend: 'cpu',
      dataDir: undefined,
      outDir: '/tmp/x',
      quiet: false,
      checkpointEvery: 5,
    });
  });

  it('takes a preset for both kinds, a per-kind one over it, no controls, and other spaces', () => {
    const { config } = parse('--preset', 'demo', '--retrain.preset', 'small', '--controls', 'none');
    expect(config.search).toEqual(defaultSettings(DARTS_INFO.schema, 'demo'));
    expect(config.retrain).toEqual(defaultSettings(RETRAIN_INFO.schema, 'small'));
    expect(config.settings.controls).toEqual([]);
    expect(parse('--algorithm', 'cdarts').config).toMatchObject({
      searchKind: 'cdarts',
      retrainKind: 'retrain',
    });
    expect(parse('--space', 'rnn', '--search.nodes', '3').config).toMatchObject({
      space: 'rnn',
      searchKind: 'rnn-search',
      retrainKind: 'rnn-retrain',
      search: { nodes: 3 },
    });
  });

  it('refuses bad settings naming the flag', () => {
    const cases: [string[], RegExp][] = [
      [['--random', '0'], /^--random is below 1, got "0"$/],
      [['--seeds', 'many'], /^--seeds expects a number, got "many"$/],
      [['--controls', 'DARTS_V2,bad'], /^--controls names bad, not among DARTS_V2, poor/],
      [['--search.epochs', 'x'], /^--search\.epochs expects a number, got "x"$/],
      [['--search.order', '3'], /^--search\.order must be one of 1, 2, got "3"$/],
      [
        ['--search.batch-size', '64', '--search.images', '32'],
        /^--search\.batch-size 64 is larger than half of the 32 images/,
      ],
      [['--retrain.dataset', 'nope'], /^--retrain\.dataset must be one of default, /],
      [
        ['--retrain.genotype', 'DARTS_V1'],
        /^--retrain\.genotype: the experiment sets the genotype of each retrain itself$/,
      ],
      [
        ['--epochs', '2'],
        /^--epochs is a run's setting: give it as --search\.epochs or --retrain\.epochs$/,
      ],
      [
        ['--search.test-images', '4'],
        /^--search\.test-images: --test-images is not a flag of DARTS search/,
      ],
      [
        ['--search.regular-coeff', '1'],
        /not a flag of DARTS search \(--space cnn --algorithm darts\): it is one of CDARTS search/,
      ],
      [
        ['--space', 'rnn', '--search.ops', 'tanh'],
        /^--search\.ops: --ops is not a flag of DARTS recurrent search/,
      ],
      [
        ['--preset', 'nni'],
        /^--preset nni: the DARTS search .* has the presets small, paper, demo, pc-darts; give --search\.preset$/,
      ],
      [
        ['--search.preset', 'huge'],
        /^--search\.preset must be one of small, paper, demo, pc-darts, got "huge"$/,
      ],
      [['--algorithm', 'pc-darts'], /^--algorithm must be one of darts, cdarts, got "pc-darts"$/],
      [['--checkpoint-every', '0'], /^--checkpoint-every expects a positive integer, got "0"$/],
      [['--backend', 'tpu'], /--backend tpu/],
      [['--frobnicate'], /^unknown flag --frobnicate/],
      [['extra'], /^unexpected argument "extra"$/],
    ];
    for (const [argv, message] of cases)
      expect(() => parseExperimentArgs(argv), argv.join(' ')).toThrow(message);
  });

  it("prints its usage with the kinds' flags, and main lists the command", async () => {
    const usage = parseExperimentArgs(['--space', 'rnn', '--help']);
    expect('help' in usage && usage.help).toMatch(/Usage: nas-lab experiment --space rnn/);
    expect('help' in usage && usage.help).toMatch(
      /--search\.FLAG VALUE +DARTS recurrent search[\s\S]*nodes/,
    );
    expect('help' in usage && usage.help).toMatch(
      /not genotype: the\s+experiment sets it per cell/,
    );
    let out = '';
    const err: string[] = [];
    expect(await main(['--help'], { out: (t) => (out += t), err: (t) => err.push(t) })).toBe(0);
    expect(out).toMatch(/\n {2}experiment {2}does the search beat random\?/);
    expect(
      await main(['experiment', '--random=-1'], {
        out: (t) => (out += t),
        err: (t) => err.push(t),
      }),
    ).toBe(1);
    expect(err.join('')).toMatch(/nas-lab: --random is below 1, got "-1"/);
  });
});
