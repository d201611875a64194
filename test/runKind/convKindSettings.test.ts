/**
 * The convolutional kinds' settings against what the command line and the lab do today: each
 * preset makes the configuration and data the old parsers and the lab's presets make, every
 * flag is one the old parsers know, the keys are the lab's, only learning rates are live; the
 * settings survive the checkpoint's host table; a genotype setting reads every genotype format.
 */
import { describe, expect, it } from 'vitest';
import { parseSearchArgs } from '../../src/cli/args';
import { parseCdartsArgs } from '../../src/cli/cdartsArgs';
import { parseRetrainArgs } from '../../src/cli/retrainArgs';
import type { CdartsSettings } from '../../src/nas/cdarts/cdartsKindInfo';
import { CDARTS_INFO, CDARTS_SCHEMA } from '../../src/nas/cdarts/cdartsKindInfo';
import { cdartsConfigOf } from '../../src/nas/cdarts/cdartsSettings';
import type { DartsSettings } from '../../src/nas/darts/dartsKindInfo';
import { DARTS_INFO, DARTS_SCHEMA, dartsSearchConfig } from '../../src/nas/darts/dartsKindInfo';
import { validateSearchConfig } from '../../src/nas/darts/searchConfig';
import { genotypesEqual } from '../../src/nas/genotype/genotype';
import { formatGenotype } from '../../src/nas/genotype/genotypeFormats';
import { DARTS_V2 } from '../../src/nas/genotype/publishedGenotypes';
import type { RetrainSettings } from '../../src/nas/retrain/retrainKindInfo';
import { RETRAIN_INFO, RETRAIN_SCHEMA } from '../../src/nas/retrain/retrainKindInfo';
import { resolveGenotypeSetting, retrainConfigOf } from '../../src/nas/retrain/retrainSettings';
import { settingsFromHost, settingsToHost } from '../../src/nas/runKind/hostSettings';
import type { RunKindInfo } from '../../src/nas/runKind/runKind';
import type { Settings } from '../../src/nas/runKind/settingsSchema';
import {
  defaultSettings,
  fieldFlag,
  fieldText,
  validateSettings,
} from '../../src/nas/runKind/settingsSchema';
import { PRESETS } from '../../src/ui/labPresets';
import { QUICK_RETRAIN } from '../../src/ui/retrainSettings';
import { cdartsConfigOf as labCdartsConfigOf } from '../../src/worker/labCdarts';

const KINDS: readonly RunKindInfo[] = [DARTS_INFO, CDARTS_INFO, RETRAIN_INFO];
const data = (s: Settings) => ({ dataset: s.dataset, images: s.images, imageSize: s.imageSize });
const darts = (preset: string) => defaultSettings(DARTS_SCHEMA, preset) as DartsSettings;
const cdarts = (preset: string) => defaultSettings(CDARTS_SCHEMA, preset) as CdartsSettings;
const retrain = (preset: string) => defaultSettings(RETRAIN_SCHEMA, preset) as RetrainSettings;

describe('convolutional kinds: settings as the command line and the lab have them', () => {
  it('gives every preset valid defaults', () => {
    for (const info of KINDS) {
      for (const preset of info.schema.presets) {
        expect(() =>
          validateSettings(info.schema, defaultSettings(info.schema, preset)),
        ).not.toThrow();
      }
    }
  });

  it('makes the DARTS search of the command line and the lab, preset by preset', () => {
    const config = (s: DartsSettings) => validateSearchConfig(dartsSearchConfig(s));
    const small = parseSearchArgs([]);
    if (small === 'help') throw new Error('help');
    expect(config(darts('small'))).toEqual(small.config);
    expect(data(darts('small'))).toEqual({ dataset: 'default', images: 256, imageSize: 12 });
    expect([small.images, small.imageSize]).toEqual([256, 12]);
    const paper = parseSearchArgs(['--preset', 'paper']);
    if (paper === 'help') throw new Error('help');
    expect(config(darts('paper'))).toEqual(paper.config);
    expect([paper.images, paper.imageSize]).toEqual([undefined, undefined]);
    expect(data(darts('paper'))).toEqual({ dataset: 'default', images: 0, imageSize: 0 });
    const demo = PRESETS['quick demo'];
    expect(config(darts('demo'))).toEqual(demo.search);
    expect(data(darts('demo'))).toEqual(demo.data);
  });

  it('makes the CDARTS search of the command line and the lab, preset by preset', () => {
    const small = parseCdartsArgs(['--algorithm', 'cdarts']);
    const nni = parseCdartsArgs(['--algorithm', 'cdarts', '--preset', 'nni']);
    if (small === 'help' || nni === 'help') throw new Error('help');
    expect(cdartsConfigOf(cdarts('small'))).toEqual(small.config);
    expect(data(cdarts('small'))).toEqual({ dataset: 'default', images: 256, imageSize: 12 });
    expect(cdartsConfigOf(cdarts('nni'))).toEqual(nni.config);
    expect(data(cdarts('nni'))).toEqual({ dataset: 'default', images: 0, imageSize: 0 });
    const demo = { ...PRESETS['quick demo'], algorithm: 'cdarts' as const };
    expect(cdartsConfigOf(cdarts('demo'))).toEqual(labCdartsConfigOf(demo));
    expect(data(cdarts('demo'))).toEqual(demo.data);
  });

  it('makes the retrain of the command line and the lab, preset by preset', () => {
    const small = parseRetrainArgs(['--genotype', 'DARTS_V2']);
    const paper = parseRetrainArgs(['--genotype', 'DARTS_V2', '--preset', 'paper']);
    if (small === 'help' || paper === 'help') throw new Error('help');
    const s = retrain('small');
    expect(retrainConfigOf(s, 12)).toEqual(small.config);
    expect([s.images, s.testImages, s.imageSize, s.scaleCutout]).toEqual([256, 512, 12, false]);
    const p = retrain('paper');
    expect(retrainConfigOf(p, 32)).toEqual(paper.config);
    expect([p.images, p.testImages, p.imageSize, p.scaleCutout]).toEqual([0, 0, 0, true]);
    // The command line scales the preset's 16 pixels of 32 to the images' height.
    expect([28, 16].map((h) => retrainConfigOf(p, h).cutout)).toEqual([14, 8]);
    const d = retrain('demo');
    expect(retrainConfigOf(d, 8)).toEqual(QUICK_RETRAIN.retrain);
    expect([d.images, d.imageSize, d.testImages]).toEqual([
      QUICK_RETRAIN.data.images,
      QUICK_RETRAIN.data.imageSize,
      QUICK_RETRAIN.testImages,
    ]);
  });

  it("takes every flag the old parsers take, and the lab's keys", () => {
    let unknown = '';
    try {
      parseSearchArgs(['--head-conv1', '4']);
    } catch (e) {
      unknown = (e as Error).message;
    }
    expect(unknown).toMatch(/Unknown option/);
    const accepted = (parse: (argv: string[]) => unknown, info: RunKindInfo, added: string[]) => {
      for (const field of info.schema.fields) {
        if (added.includes(field.key)) continue;
        const flag = `--${fieldFlag(field)}`;
        const given = fieldText(defaultSettings(info.schema)[field.key] ?? '');
        // 0 for "the default" (stepsPerEpoch) is new: the old parser wants a count.
        const value = given === '0' && field.key === 'stepsPerEpoch' ? '1' : given;
        // Known to the parser (it may still refuse a combination, as --auxiliary-weight alone).
        let problem = '';
        try {
          parse(field.type === 'boolean' ? [flag] : [flag, value]);
        } catch (e) {
          problem = (e as Error).message;
        }
        expect(problem, flag).not.toMatch(/Unknown option/);
      }
    };
    accepted(parseSearchArgs, DARTS_INFO, []);
    accepted((argv) => parseCdartsArgs(['--algorithm', 'cdarts', ...argv]), CDARTS_INFO, [
      'headConv1',
      'headConv2',
      'alphaWeightDecay',
    ]);
    accepted(
      (argv) =>
        parseRetrainArgs(argv.includes('--genotype') ? argv : ['--genotype', 'DARTS_V2', ...argv]),
      RETRAIN_INFO,
      ['scaleCutout'],
    );
    const keys = (info: RunKindInfo) => info.schema.fields.map((f) => f.key);
    const lab = ['nodes', 'layers', 'channels', 'batchSize', 'epochs', 'weightLr', 'alphaLr'];
    const labData = ['seed', 'ops', 'dataset', 'images', 'imageSize'];
    expect(keys(DARTS_INFO)).toEqual(expect.arrayContaining(['order', ...lab, ...labData]));
    expect(keys(CDARTS_INFO)).toEqual(
      expect.arrayContaining([
        ...lab,
        ...labData,
        ...['evalLayers', 'warmupEpochs', 'evalWarmupEpochs', 'nasnetLr', 'lossT', 'lossAlpha'],
        ...['regularCoeff', 'regularRatio', 'interactiveType'],
      ]),
    );
    expect(keys(RETRAIN_INFO)).toEqual(
      expect.arrayContaining([
        'channels',
        'layers',
        'batchSize',
        'epochs',
        'lr',
        'dropPathProb',
        'seed',
        'auxiliary',
      ]),
    );
  });

  it('makes the learning rates, and only they, live', () => {
    const live = (info: RunKindInfo) => info.schema.fields.filter((f) => f.live).map((f) => f.key);
    expect(live(DARTS_INFO)).toEqual(['weightLr', 'alphaLr']);
    expect(live(CDARTS_INFO)).toEqual(['weightLr', 'nasnetLr', 'alphaLr']);
    expect(live(RETRAIN_INFO)).toEqual(['lr']);
  });

  it("keeps each kind's settings in a checkpoint's host table, and knows older tables", () => {
    for (const info of KINDS) {
      for (const preset of info.schema.presets) {
        const settings = defaultSettings(info.schema, preset);
        const host = settingsToHost(info, settings);
        expect(Object.keys(host).length).toBeLessThanOrEqual(32);
        expect(settingsFromHost(info, host)).toEqual(settings);
      }
    }
    expect(settingsFromHost(DARTS_INFO, { dataset: 'default', images: 1, imageSize: 8 })).toBe(
      null,
    );
    const cdartsHost = settingsToHost(CDARTS_INFO, defaultSettings(CDARTS_SCHEMA));
    expect(() => settingsFromHost(DARTS_INFO, cdartsHost)).toThrow(
      'the checkpoint holds the settings of a "cdarts" run, not of a "darts" run',
    );
    const text = formatGenotype(DARTS_V2, 'nni');
    const long = settingsToHost(RETRAIN_INFO, { ...retrain('small'), genotype: text });
    expect(long.genotype).toBeUndefined();
    expect(settingsFromHost(RETRAIN_INFO, long, { genotype: 'DARTS_V2' })).toEqual(
      retrain('small'),
    );
    expect(() => settingsFromHost(RETRAIN_INFO, long)).toThrow('genotype is missing');
  });

  it('reads a genotype setting as a published name or the text of any genotype format', () => {
    expect(resolveGenotypeSetting('darts_v2').label).toBe('DARTS_V2');
    for (const format of ['json', 'repr'] as const) {
      const chosen = resolveGenotypeSetting(formatGenotype(DARTS_V2, format));
      expect(genotypesEqual(chosen.genotype, DARTS_V2)).toBe(true);
    }
    // NNI's export orders each node's two edges by input: the same cell, written back the same.
    const nni = formatGenotype(DARTS_V2, 'nni');
    expect(formatGenotype(resolveGenotypeSetting(nni).genotype, 'nni')).toBe(nni);
    expect(() => resolveGenotypeSetting(' ')).toThrow('genotype is empty');
    expect(() => resolveGenotypeSetting('genotype.json')).toThrow(
      'genotype: not a published genotype',
    );
  });
});
