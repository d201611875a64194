/**
 * What the page's forms refuse before a run starts, for the built-in kinds, as the old checks
 * (validateLabConfig.ts, labRecurrent.ts before run kinds) refused it: every preset passes;
 * a value out of its field's range, or settings the kind's check refuses, are named by the key
 * of the field the form shows the problem next to.
 */
import { describe, expect, it } from 'vitest';
import { runKinds, runKindById } from '../../src/nas/runKind/registry';
import type { Settings } from '../../src/nas/runKind/settingsSchema';
import { defaultSettings } from '../../src/nas/runKind/settingsSchema';
import { settingsProblems } from '../../src/ui/settings/labSettings';

/** The problems of a kind's demo preset (every kind's smallest) with `patch` applied. */
const problemsOf = (id: string, patch: Settings) => {
  const info = runKindById(id).info;
  return settingsProblems(info, { ...defaultSettings(info.schema, 'demo'), ...patch });
};

describe('the forms’ checks', () => {
  it('accept every preset of every kind', () => {
    for (const { info } of runKinds()) {
      for (const preset of info.schema.presets) {
        expect({
          kind: info.id,
          preset,
          problems: settingsProblems(info, defaultSettings(info.schema, preset)).all,
        }).toEqual({ kind: info.id, preset, problems: [] });
      }
    }
  });

  it('name the field of a convolutional search’s problem', () => {
    expect(problemsOf('darts', { nodes: 0 }).byKey).toEqual({ nodes: ['nodes is below 1'] });
    expect(problemsOf('darts', { imageSize: 10 }).byKey.imageSize?.[0]).toMatch(
      /image size 10x10 must be a multiple of 4/,
    );
    expect(problemsOf('darts', { batchSize: 32 }).byKey.batchSize).toEqual([
      'batchSize 32 is larger than half of the 32 images (each search split): lower batchSize or raise images',
    ]);
    expect(problemsOf('darts', { ops: [] }).byKey.ops).toEqual(['ops names fewer than 1 item(s)']);
    expect(problemsOf('cdarts', { imageSize: 4 }).byKey.imageSize?.[0]).toMatch(
      /distillation head needs at least 2x2/,
    );
    expect(problemsOf('retrain', { images: 8 }).byKey.images).toEqual([
      'images 8 is fewer than batchSize 16: a batch needs that many training images',
    ]);
  });

  it('name the field of a recurrent search’s problem', () => {
    expect(problemsOf('rnn-search', { nhid: 0 }).all).toEqual(['nhid is below 1']);
    expect(problemsOf('rnn-search', { batchSize: 1 }).all).toEqual(['batchSize is below 2']);
    expect(problemsOf('rnn-search', { lr: 0 }).byKey.lr).toEqual(['lr must be > 0, got 0']);
    expect(problemsOf('rnn-search', { trainTokens: 23 }).byKey.trainTokens).toEqual([
      'trainTokens must be at least 24, got 23 (batch size 8, evaluation batch 10)',
    ]);
    expect(problemsOf('rnn-search', { validTokens: 19 }).byKey.validTokens?.[0]).toMatch(
      /^validTokens must be at least 20, got 19/,
    );
    expect(problemsOf('rnn-search', { maxVocabulary: 1 }).byKey.maxVocabulary?.[0]).toMatch(
      /^maxVocabulary must be 0 \(the corpus default\) or at least 2/,
    );
  });
});
