/**
 * The link codec generated from the run kinds' schemas: the test-only toy kind, registered here
 * only, gets links without a line of codec code; every registered kind's defaults and a changed
 * value of each of its fields survive the round trip; unusable values are listed with the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerRunKind, runKinds, selectRunKind } from '../../src/nas/runKind/registry';
import { defaultSettings } from '../../src/nas/runKind/settingsSchema';
import { Rng } from '../../src/nas/tensor/random';
import { runLinkFromQuery, runLinkToQuery } from '../../src/ui/runUrlState';
import { TOY_ENTRY, TOY_INFO, TOY_SCHEMA } from '../support/toyRunKind';
import { changedValue } from './settingValues';

/** The toy in the recurrent space, for links that pick a kind by `space`. */
const TOY_RNN = {
  ...TOY_ENTRY,
  info: {
    ...TOY_INFO,
    id: 'toyRnn',
    checkpointFormat: 'nas-lab.toy-rnn-checkpoint',
    select: { space: 'rnn', algorithm: 'toy' },
  },
} as const;

const removals: (() => void)[] = [];
beforeAll(() => {
  removals.push(registerRunKind(TOY_ENTRY), registerRunKind(TOY_RNN));
});
afterAll(() => removals.forEach((remove) => remove()));

const TOY = defaultSettings(TOY_SCHEMA);
/** What a link to the toy writes to pick it: nothing where it is the default search. */
const pick = (id: string) => {
  const info = runKinds().find((e) => e.info.id === id)?.info;
  if (!info) throw new Error(`no kind ${id}`);
  return runLinkToQuery({ kind: id, settings: defaultSettings(info.schema), backend: 'auto' });
};

describe('links generated from the run kinds', () => {
  it('writes only what differs from the default, and reads it back', () => {
    const toyPick = pick('toy');
    expect(runLinkFromQuery(toyPick)).toEqual({
      kind: 'toy',
      settings: TOY,
      backend: 'auto',
      ignored: [],
    });
    const changed = {
      ...TOY,
      steps: 7,
      rate: 0.25,
      flavour: 'spicy',
      shapes: ['star', 'circle'],
      loud: true,
    };
    const query = runLinkToQuery({ kind: 'toy', settings: changed, backend: 'cpu' });
    expect(query).toBe(
      `${toyPick}${toyPick ? '&' : ''}steps=7&rate=0.25&flavour=spicy&shapes=star%2Ccircle&loud=true&backend=cpu`,
    );
    expect(runLinkFromQuery(query)).toEqual({
      kind: 'toy',
      settings: changed,
      backend: 'cpu',
      ignored: [],
    });
  });

  it('picks the kind by space and algorithm, old spellings included', () => {
    expect(pick('toyRnn')).toMatch(/^space=rnn(&algorithm=toy)?$/);
    expect(runLinkFromQuery(pick('toyRnn')).kind).toBe('toyRnn');
    expect(runLinkFromQuery('space=recurrent&algorithm=toy').kind).toBe('toyRnn');
    expect(runLinkFromQuery('space=recurrent').kind).toBe(
      selectRunKind('search', { space: 'rnn' }).info.id,
    );
    expect(runLinkFromQuery('space=convolutional&algorithm=toy').kind).toBe('toy');
    expect(runLinkFromQuery('').kind).toBe(selectRunKind('search', {}).info.id);
    // A link to the recurrent toy reads its settings under the same keys.
    expect(runLinkFromQuery('space=rnn&algorithm=toy&steps=9').settings.steps).toBe(9);
  });

  it('reads a setting under its command-line flag too', () => {
    const r = runLinkFromQuery('algorithm=toy&start-loss=3');
    expect(r.settings.startLoss).toBe(3);
    expect(r.ignored).toEqual([]);
  });

  it('ignores and reports values it cannot use, in the old wording', () => {
    const r = runLinkFromQuery(
      'algorithm=toy&steps=abc&startLoss=-1&rate=2&flavour=sour&shapes=circle,hexagon&loud=maybe&backend=tpu',
    );
    expect(r.kind).toBe('toy');
    expect(r.settings).toEqual(TOY);
    expect(r.ignored).toEqual([
      'steps=abc (not a number)',
      'startLoss=-1 (below 0)',
      'rate=2 (above the link limit of 1)',
      'flavour=sour (use plain or spicy)',
      'shapes=circle,hexagon (unknown item hexagon)',
      'loud=maybe (not true or false)',
      'backend=tpu (use auto, webgpu, wasm, webgl or cpu)',
    ]);
    expect(
      runLinkFromQuery('algorithm=toy&steps=1.5&flavour=hot&shapes=,,&startLoss=').ignored,
    ).toEqual([
      'steps=1.5 (not an integer)',
      'startLoss= (not a number)',
      'shapes=,, (no item named)',
    ]);
    expect(runLinkFromQuery('algorithm=toy&flavour=hot').settings.flavour).toBe('spicy');
  });

  it('names the kinds there are when space or algorithm is unknown, and uses the default', () => {
    const r = runLinkFromQuery('space=quantum&algorithm=nope');
    expect(r.kind).toBe(selectRunKind('search', {}).info.id);
    expect(r.ignored).toEqual([
      expect.stringMatching(/^space=quantum \(use cnn or rnn\)$/),
      expect.stringMatching(/^algorithm=nope \(use .*toy\)$/),
    ]);
  });

  it('ignores sizes above the link limit, naming it, and a query over the length limit', () => {
    expect(runLinkFromQuery('algorithm=toy&steps=101').ignored).toEqual([
      'steps=101 (above the link limit of 100)',
    ]);
    expect(runLinkFromQuery('algorithm=toy&steps=100').settings.steps).toBe(100);
    const query = `algorithm=toy&steps=3&shapes=${'circle,'.repeat(1000)}`;
    expect(runLinkFromQuery(query)).toEqual({
      kind: selectRunKind('search', {}).info.id,
      settings: defaultSettings(selectRunKind('search', {}).info.schema),
      backend: 'auto',
      ignored: [
        `all link settings (the query is ${query.length} characters, over the limit of 4096)`,
      ],
    });
  });

  it('writes nothing for the defaults of every registered kind, and reads a changed value of each field back', () => {
    const rng = Rng.fromSeed(11);
    for (const { info } of runKinds().filter((e) => e.info.command === 'search')) {
      const defaults = defaultSettings(info.schema);
      const link = { kind: info.id, settings: defaults, backend: 'auto' } as const;
      const plain = runLinkToQuery(link);
      expect(plain).toMatch(/^((space|algorithm)=[a-z]+&?)*$/);
      expect(runLinkFromQuery(plain)).toEqual({ ...link, ignored: [] });
      for (const field of info.schema.fields.filter((f) => f.scope !== 'cli')) {
        const settings = {
          ...defaults,
          [field.key]: changedValue(field, defaults[field.key] ?? '', rng),
        };
        const query = runLinkToQuery({ ...link, settings });
        expect(query).toContain(`${field.key}=`);
        expect({ field: field.key, ...runLinkFromQuery(query) }).toEqual({
          field: field.key,
          ...link,
          settings,
          ignored: [],
        });
      }
    }
  });

  it('writes against the lab’s own defaults for a kind when it is given them', () => {
    const base = () => ({ ...TOY, steps: 20 });
    const link = { kind: 'toy', settings: { ...TOY, steps: 20 }, backend: 'auto' } as const;
    expect(runLinkToQuery(link, { base })).toBe(pick('toy'));
    expect(runLinkFromQuery(`${pick('toy')}&rate=0.125`, { base }).settings).toEqual({
      ...TOY,
      steps: 20,
      rate: 0.125,
    });
  });
});
