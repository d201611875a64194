/**
 * The page's settings state (src/ui/settings/labSettingsState.ts), per kind: a link sets up its
 * kind; switching between the kinds of a space keeps the settings they share, and each kind's
 * own edits; a preset sets every setting; a run restored from a checkpoint or an autosave puts
 * its settings into its kind's form and shows its space; a change to a live setting is what a
 * running run is sent. Old guarantees of labRuns.ts (the bridge before the forms edited kinds'
 * settings) are here: the lab's preset under the form's values, a restored run's settings back
 * in the form, its live values.
 */
import { describe, expect, it } from 'vitest';
import { runKindById } from '../../src/nas/runKind/registry';
import { defaultSettings } from '../../src/nas/runKind/settingsSchema';
import {
  labDefaults,
  labPreset,
  liveChanges,
  readLabLink,
} from '../../src/ui/settings/labSettings';
import type { LabSettingsAction, LabSettingsState } from '../../src/ui/settings/labSettingsState';
import {
  labSettingsFromLink,
  reduceLabSettings,
  settingsOf,
} from '../../src/ui/settings/labSettingsState';

const info = (id: string) => runKindById(id).info;
const run = (state: LabSettingsState, ...actions: LabSettingsAction[]) =>
  actions.reduce(reduceLabSettings, state);

describe('the page’s settings, per kind', () => {
  it('starts each kind at its lab preset, the link’s kind at the link’s settings', () => {
    expect(
      ['darts', 'cdarts', 'retrain', 'rnn-search', 'rnn-retrain'].map((id) => labPreset(info(id))),
    ).toEqual(['small', 'demo', 'demo', 'small', 'demo']);
    const state = labSettingsFromLink(
      readLabLink('?algorithm=cdarts&nodes=3&backend=cpu&bad=1&seed=x'),
    );
    expect(state.searchKind).toBe('cdarts');
    expect(state.backend).toBe('cpu');
    expect(state.ignored).toEqual(['seed=x (not a number)']);
    expect(settingsOf(state, 'cdarts')).toEqual({ ...labDefaults(info('cdarts')), nodes: 3 });
    expect(settingsOf(state, 'retrain')).toBe(labDefaults(info('retrain')));
  });

  it('keeps the shared settings when the algorithm changes, and each kind’s own edits', () => {
    const start = labSettingsFromLink(readLabLink('?nodes=3&images=64&order=2'));
    const cdarts = run(
      start,
      { type: 'change', kind: 'darts', key: 'epochs', value: 7 },
      {
        type: 'pickSearch',
        kind: 'cdarts',
      },
    );
    expect(cdarts.searchKind).toBe('cdarts');
    // Every setting CDARTS shares with DARTS comes along (the data, the cell, the sizes).
    const darts = settingsOf(start, 'darts');
    const shared = info('cdarts')
      .schema.fields.map((f) => f.key)
      .filter((k) => k in darts);
    expect(shared).toEqual(expect.arrayContaining(['nodes', 'images', 'channels', 'alphaLr']));
    expect(settingsOf(cdarts, 'cdarts')).toEqual({
      ...labDefaults(info('cdarts')),
      ...Object.fromEntries(shared.map((k) => [k, darts[k]])),
      nodes: 3,
      images: 64,
      epochs: 7,
    });
    expect(cdarts.ignored).toEqual([]);
    const edited = run(cdarts, { type: 'change', kind: 'cdarts', key: 'lossT', value: 3 });
    const back = run(
      edited,
      { type: 'pickSearch', kind: 'darts' },
      { type: 'pickSearch', kind: 'cdarts' },
    );
    expect(settingsOf(back, 'darts').order).toBe(2);
    expect(settingsOf(back, 'cdarts').lossT).toBe(3);
    // Another space shares nothing: the recurrent search starts at its lab preset.
    const rnn = run(start, { type: 'pickSearch', kind: 'rnn-search' });
    expect(settingsOf(rnn, 'rnn-search')).toEqual(labDefaults(info('rnn-search')));
    // A retrain is not a search the form can show.
    expect(run(start, { type: 'pickSearch', kind: 'retrain' })).toBe(start);
  });

  it('sets every setting of a kind to a preset’s, and keeps the backend apart', () => {
    const state = run(
      labSettingsFromLink(readLabLink('?nodes=3')),
      { type: 'preset', kind: 'darts', preset: 'paper' },
      { type: 'backend', backend: 'wasm' },
    );
    expect(settingsOf(state, 'darts')).toEqual(defaultSettings(info('darts').schema, 'paper'));
    expect(state.backend).toBe('wasm');
  });

  it('puts a restored run’s settings into its form, showing its space', () => {
    const start = labSettingsFromLink(readLabLink(''));
    const rnnSettings = { ...labDefaults(info('rnn-search')), nhid: 8, trainTokens: 2000 };
    const searched = run(start, { type: 'restore', kind: 'rnn-search', settings: rnnSettings });
    expect(searched.searchKind).toBe('rnn-search');
    expect(settingsOf(searched, 'rnn-search')).toBe(rnnSettings);
    // A recurrent retrain shows the recurrent space, whose search keeps its settings.
    const retrainSettings = { ...labDefaults(info('rnn-retrain')), epochs: 9 };
    const retrained = run(start, {
      type: 'restore',
      kind: 'rnn-retrain',
      settings: retrainSettings,
    });
    expect(retrained.searchKind).toBe('rnn-search');
    expect(settingsOf(retrained, 'rnn-retrain')).toBe(retrainSettings);
    const cnn = run(retrained, {
      type: 'restore',
      kind: 'retrain',
      settings: labDefaults(info('retrain')),
    });
    expect(cnn.searchKind).toBe('darts');
    expect(run(start, { type: 'restore', kind: 'unknown', settings: {} })).toBe(start);
  });

  it('sends a running run only the live settings among a change, and only valid ones', () => {
    expect(liveChanges(info('darts'), { weightLr: 0.5, nodes: 3 })).toEqual({ weightLr: 0.5 });
    expect(liveChanges(info('darts'), { alphaLr: -1 })).toEqual({});
    expect(liveChanges(info('cdarts'), { nasnetLr: 0.1 })).toEqual({ nasnetLr: 0.1 });
    expect(liveChanges(info('rnn-retrain'), { lr: 10, epochs: 3 })).toEqual({ lr: 10 });
  });
});
