/**
 * The convolutional kinds' settings against what the command line and the lab did before run
 * kinds: each preset makes the configuration and data the old parsers and the lab's presets
 * made (both written out below, since the command line and the lab now run the kinds themselves),
 * every flag of the old parsers is still a flag, the keys are the lab's, only learning rates are
 * live; the settings survive the checkpoint's host table; a genotype setting reads every
 * genotype format.
 */
import { describe, expect, it } from 'vitest';
import { HOST_OPTIONS } from '../../src/cli/hostFlags';
import { kindOptions } from '../../src/cli/kindFlags';
import type { CdartsConfig } from '../../src/nas/cdarts/cdartsConfig';
import {
  NNI_EXAMPLE_CDARTS_CONFIG,
  SMALL_CDARTS_CONFIG,
  validateCdartsConfig,
} from '../../src/nas/cdarts/cdartsConfig';
import type { CdartsSettings } from '../../src/nas/cdarts/cdartsKindInfo';
import { CDARTS_INFO, CDARTS_SCHEMA } from '../../src/nas/cdarts/cdartsKindInfo';
import { cdartsConfigOf } from '../../src/nas/cdarts/cdartsSettings';
import type { DartsSettings } from '../../src/nas/darts/dartsKindInfo';
import { DARTS_INFO, DARTS_SCHEMA, dartsSearchConfig } from '../../src/nas/darts/dartsKindInfo';
import type { SearchConfig } from '../../src/nas/darts/searchConfig';
import {
  PAPER_SEARCH_CONFIG,
  SMALL_SEARCH_CONFIG,
  validateSearchConfig,
} from '../../src/nas/darts/searchConfig';
import { genotypesEqual } from '../../src/nas/genotype/genotype';
import { formatGenotype } from '../../src/nas/genotype/genotypeFormats';
import { DARTS_V2 } from '../../src/nas/genotype/publishedGenotypes';
import type { RetrainSettings } from '../../src/nas/retrain/retrainKindInfo';
import { RETRAIN_INFO, RETRAIN_SCHEMA } from '../../src/nas/retrain/retrainKindInfo';
import {
  PAPER_RETRAIN_CONFIG,
  SMALL_RETRAIN_CONFIG,
  validateRetrainConfig,
} from '../../src/nas/retrain/retrainConfig';
import { resolveGenotypeSetting, retrainConfigOf } from '../../src/nas/retrain/retrainSettings';
import { settingsFromHost, settingsToHost } from '../../src/nas/runKind/hostSettings';
import type { RunKindInfo } from '../../src/nas/runKind/runKind';
import type { Settings } from '../../src/nas/runKind/settingsSchema';
import { defaultSettings, validateSettings } from '../../src/nas/runKind/settingsSchema';

const KINDS: readonly RunKindInfo[] = [DARTS_INFO, CDARTS_INFO, RETRAIN_INFO];
const data = (s: Settings) => ({ dataset: s.dataset, images: s.images, imageSize: s.imageSize });
const darts = (preset: string) => defaultSettings(DARTS_SCHEMA, preset) as DartsSettings;
const cdarts = (preset: string) => defaultSettings(CDARTS_SCHEMA, preset) as CdartsSettings;
const retrain = (preset: string) => defaultSettings(RETRAIN_SCHEMA, preset) as RetrainSettings;

/**
 * The lab's defaults before run kinds (src/ui/labPresets.ts's quick demo, retrainSettings.ts's
 * quick retrain, src/worker/labCdarts.ts's CDARTS settings over the quick demo), written out.
 */
const OLD_LAB_SEARCH = {
  ...SMALL_SEARCH_CONFIG,
  layers: 3,
  channels: 2,
  nodes: 2,
  multiplier: 2,
  batchSize: 4,
  epochs: 2,
  // The small preset's alpha learning rate before it was raised for the default search.
  alphaLr: 3e-3,
};
const OLD_LAB = {
  search: OLD_LAB_SEARCH,
  data: { dataset: 'default', images: 32, imageSize: 8 },
  cdarts: validateCdartsConfig({
    ...SMALL_CDARTS_CONFIG,
    primitives: OLD_LAB_SEARCH.primitives,
    nodes: 2,
    multiplier: 2,
    searchLayers: 3,
    channels: 2,
    batchSize: 4,
    epochs: 2,
    weightLr: OLD_LAB_SEARCH.weightLr,
    alphaLr: OLD_LAB_SEARCH.alphaLr,
    trainPortion: OLD_LAB_SEARCH.trainPortion,
    seed: OLD_LAB_SEARCH.seed,
    evalLayers: 3,
    warmupEpochs: 1,
    evalWarmupEpochs: 1,
  }),
  retrain: { ...SMALL_RETRAIN_CONFIG, channels: 4, layers: 3, batchSize: 16, epochs: 1 },
  retrainData: { images: 64, imageSize: 8, testImages: 64 },
};

/** The old parsers' configuration of a preset given no other flag (multiplier = nodes). */
const oldSearch = (base: SearchConfig) => validateSearchConfig({ ...base, multiplier: base.nodes });
const oldCdarts = (base: CdartsConfig) => validateCdartsConfig({ ...base, multiplier: base.nodes });

/** The flags of the old parsers (src/cli/args.ts, cdartsArgs.ts, retrainArgs.ts before run kinds). */
const OLD_FLAGS = {
  darts: [
    ...['algorithm', 'preset', 'order', 'epochs', 'batch-size', 'channels', 'layers', 'nodes'],
    ...['ops', 'weight-lr', 'weight-lr-min', 'alpha-lr', 'seed', 'backend', 'dataset'],
    ...['data-dir', 'images', 'image-size', 'out', 'quiet', 'checkpoint-every', 'resume', 'help'],
  ],
  cdarts: [
    ...['algorithm', 'preset', 'epochs', 'warmup-epochs', 'eval-warmup-epochs'],
    ...['steps-per-epoch', 'batch-size', 'channels', 'nodes', 'search-layers', 'eval-layers'],
    ...['ops', 'weight-lr', 'nasnet-lr', 'alpha-lr', 'loss-alpha', 'loss-t', 'interactive-type'],
    ...['regular-coeff', 'regular-ratio', 'regularized-ops', 'fix-head', 'no-fix-head'],
    ...['share-module', 'no-share-module', 'seed', 'backend', 'dataset', 'data-dir', 'images'],
    ...['image-size', 'out', 'checkpoint-every', 'resume', 'quiet', 'help'],
  ],
  retrain: [
    ...['genotype', 'preset', 'epochs', 'batch-size', 'channels', 'layers', 'lr', 'lr-min'],
    ...['auxiliary', 'no-auxiliary', 'auxiliary-weight', 'cutout', 'drop-path', 'seed'],
    ...['backend', 'dataset', 'data-dir', 'images', 'test-images', 'image-size', 'out'],
    ...['quiet', 'help'],
  ],
} as const;

/** Every flag `nas-lab` takes for the kind: its settings' and the host's. */
const flagsOf = (info: RunKindInfo): string[] => [
  ...Object.keys(HOST_OPTIONS),
  ...Object.keys(kindOptions(info, Object.keys(HOST_OPTIONS))),
];

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
    expect(config(darts('small'))).toEqual(oldSearch(SMALL_SEARCH_CONFIG));
    // The default search chosen by measurement (docs/RESULTS.md): 1,024 images at 8×8.
    expect(data(darts('small'))).toEqual({ dataset: 'default', images: 1024, imageSize: 8 });
    expect(config(darts('paper'))).toEqual(oldSearch(PAPER_SEARCH_CONFIG));
    expect(data(darts('paper'))).toEqual({ dataset: 'default', images: 0, imageSize: 0 });
    expect(config(darts('demo'))).toEqual(OLD_LAB.search);
    expect(data(darts('demo'))).toEqual(OLD_LAB.data);
  });

  it('makes the CDARTS search of the command line and the lab, preset by preset', () => {
    expect(cdartsConfigOf(cdarts('small'))).toEqual(oldCdarts(SMALL_CDARTS_CONFIG));
    expect(data(cdarts('small'))).toEqual({ dataset: 'default', images: 256, imageSize: 12 });
    expect(cdartsConfigOf(cdarts('nni'))).toEqual(oldCdarts(NNI_EXAMPLE_CDARTS_CONFIG));
    expect(data(cdarts('nni'))).toEqual({ dataset: 'default', images: 0, imageSize: 0 });
    expect(cdartsConfigOf(cdarts('demo'))).toEqual(OLD_LAB.cdarts);
    expect(data(cdarts('demo'))).toEqual(OLD_LAB.data);
  });

  it('makes the retrain of the command line and the lab, preset by preset', () => {
    const s = retrain('small');
    expect(retrainConfigOf(s, 12)).toEqual(validateRetrainConfig(SMALL_RETRAIN_CONFIG));
    expect([s.images, s.testImages, s.imageSize, s.scaleCutout]).toEqual([256, 512, 12, false]);
    const p = retrain('paper');
    expect(retrainConfigOf(p, 32)).toEqual(validateRetrainConfig(PAPER_RETRAIN_CONFIG));
    expect([p.images, p.testImages, p.imageSize, p.scaleCutout]).toEqual([0, 0, 0, true]);
    // The command line scales the preset's 16 pixels of 32 to the images' height.
    expect([28, 16].map((h) => retrainConfigOf(p, h).cutout)).toEqual([14, 8]);
    const d = retrain('demo');
    expect(retrainConfigOf(d, 8)).toEqual(OLD_LAB.retrain);
    expect({ images: d.images, imageSize: d.imageSize, testImages: d.testImages }).toEqual(
      OLD_LAB.retrainData,
    );
  });

  it("takes every flag the old parsers took, and the lab's keys", () => {
    expect(flagsOf(DARTS_INFO)).toEqual(expect.arrayContaining([...OLD_FLAGS.darts]));
    expect(flagsOf(DARTS_INFO)).not.toContain('head-conv1');
    expect(flagsOf(CDARTS_INFO)).toEqual(expect.arrayContaining([...OLD_FLAGS.cdarts]));
    expect(flagsOf(RETRAIN_INFO)).toEqual(expect.arrayContaining([...OLD_FLAGS.retrain]));
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
    // A CDARTS checkpoint written before the weight decay setting ran at the trainer's 3e-4.
    const { weightDecay: _unset, ...before } = settingsToHost(CDARTS_INFO, cdarts('small'));
    expect(settingsFromHost(CDARTS_INFO, before, { weightDecay: 3e-4 })).toEqual(cdarts('small'));
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
