import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../src/ui/labPresets';
import { withSearchSpace } from '../../src/ui/RecurrentControls';
import { configFromQuery, configToQuery } from '../../src/ui/urlState';
import { labConfigProblem } from '../../src/ui/validateLabConfig';
import {
  DEFAULT_LAB_RECURRENT,
  recurrentSettingsProblem,
  rnnConfigOf,
} from '../../src/worker/labRecurrent';
import type { LabConfig } from '../../src/worker/protocol';

const BASE = PRESETS['quick demo'] as LabConfig;
const RECURRENT: LabConfig = withSearchSpace(BASE, 'recurrent');

describe('the search space in the URL', () => {
  it('keeps old links convolutional and writes nothing new for them', () => {
    const old = configFromQuery('?epochs=3&algorithm=cdarts');
    expect(old.config.space).toBeUndefined();
    expect(old.config.recurrent).toBeUndefined();
    expect(old.ignored).toEqual([]);
    expect(configToQuery(BASE)).toBe('');
    // Recurrent keys without space=recurrent are not read.
    expect(configFromQuery('?nhid=64').config.recurrent).toBeUndefined();
    expect(configFromQuery('?space=convolutional').config.space).toBeUndefined();
  });

  it('round-trips the recurrent settings, writing only what differs from the defaults', () => {
    expect(configToQuery(RECURRENT)).toBe('space=recurrent');
    const changed: LabConfig = {
      ...RECURRENT,
      recurrent: {
        ...DEFAULT_LAB_RECURRENT,
        nhid: 32,
        batchSize: 6,
        lr: 10,
        level: 'char',
        trainTokens: 9000,
      },
    };
    const query = configToQuery(changed);
    expect(query).toBe(
      'space=recurrent&level=char&nhid=32&rnnBatchSize=6&rnnLr=10&trainTokens=9000',
    );
    const back = configFromQuery(query);
    expect(back.ignored).toEqual([]);
    expect(back.config.space).toBe('recurrent');
    expect(back.config.recurrent).toEqual(changed.recurrent);
  });

  it('carries second order as rnnOrder=2, apart from the convolutional order; no key reads as first order', () => {
    const second: LabConfig = { ...RECURRENT, recurrent: { ...DEFAULT_LAB_RECURRENT, order: 2 } };
    expect(configToQuery(second)).toBe('space=recurrent&rnnOrder=2');
    const back = configFromQuery('?space=recurrent&rnnOrder=2');
    expect(back.config.recurrent?.order).toBe(2);
    expect(back.config.search.order).toBe(RECURRENT.search.order);
    expect(rnnConfigOf(back.config.recurrent!).order).toBe(2);
    // A link from before the choice, and settings saved without the field: first order.
    expect(configFromQuery('?space=recurrent&nhid=32').config.recurrent?.order).toBe(1);
    const { order: _absent, ...older } = DEFAULT_LAB_RECURRENT;
    expect(rnnConfigOf(older).order).toBe(1);
    // The convolutional `order` key does not set the recurrent one.
    expect(configFromQuery('?space=recurrent&order=2').config.recurrent?.order).toBe(1);
  });

  it('ignores unusable values with the reason and keeps the defaults for them', () => {
    const r = configFromQuery(
      '?space=recurrent&nhid=abc&bptt=2.5&rnnEpochs=100000&level=bytes&rnnLr=0.5',
    );
    expect(r.ignored).toEqual([
      'level=bytes (use word or char)',
      'nhid=abc (not a number)',
      'bptt=2.5 (not an integer)',
      'rnnEpochs=100000 (above the link limit of 1000)',
    ]);
    expect(r.config.recurrent).toEqual({ ...DEFAULT_LAB_RECURRENT, lr: 0.5 });
    expect(configFromQuery('?space=recurrent&rnnOrder=3').ignored).toEqual([
      'rnnOrder=3 (use 1 or 2)',
    ]);
    expect(configFromQuery('?space=graph').ignored).toEqual([
      'space=graph (use convolutional or recurrent)',
    ]);
  });
});

describe('recurrent settings validation', () => {
  it('accepts the defaults and names what is wrong otherwise', () => {
    expect(labConfigProblem(RECURRENT)).toBeNull();
    const bad = (patch: Partial<typeof DEFAULT_LAB_RECURRENT>) =>
      labConfigProblem({ ...RECURRENT, recurrent: { ...DEFAULT_LAB_RECURRENT, ...patch } });
    expect(bad({ nhid: 0 })).toBe('nhid must be a positive integer, got 0');
    expect(bad({ batchSize: 1 })).toMatch(/batchSize must be an integer ≥ 2/);
    expect(bad({ lr: 0 })).toBe('lr must be > 0, got 0');
    expect(bad({ trainTokens: 23 })).toBe(
      'train tokens must be an integer of at least 24, got 23 (batch size 8, evaluation batch 10)',
    );
    expect(bad({ validTokens: 19 })).toMatch(/validation tokens must be an integer of at least 20/);
    expect(bad({ maxVocabulary: 2 })).toMatch(/vocabulary cap must be an integer of at least 3/);
    expect(recurrentSettingsProblem({ ...DEFAULT_LAB_RECURRENT, trainTokens: 3e6 })).toBe(
      'train tokens must be at most 2000000, got 3000000',
    );
    // The convolutional settings do not matter for a recurrent search.
    expect(labConfigProblem({ ...RECURRENT, data: { ...RECURRENT.data, images: 1 } })).toBeNull();
  });
});
