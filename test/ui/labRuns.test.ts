/**
 * The page's forms as runs of kinds: a kind registered here (a DARTS-like schema under its own
 * id) gets its settings from the lab's configuration by key, over its lab preset; a restored
 * run's settings go back into the form; the live ones are what the page sends while it runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DARTS_PRIMITIVES } from '../../src/nas/ops/primitives';
import type { RunKindEntry } from '../../src/nas/runKind/registry';
import { registerRunKind } from '../../src/nas/runKind/registry';
import type { RunKindInfo } from '../../src/nas/runKind/runKind';
import { PRESETS } from '../../src/ui/labPresets';
import { labConfigOfRun, labSettings, liveValues } from '../../src/ui/labRuns';
import { TOY_ENTRY, TOY_INFO } from '../support/toyRunKind';

const INFO: RunKindInfo = {
  ...TOY_INFO,
  id: 'cellsByKey',
  checkpointFormat: 'nas-lab.cells-by-key',
  select: { space: 'cnn', algorithm: 'cells' },
  schema: {
    presets: ['small', 'demo'],
    fields: [
      {
        key: 'nodes',
        type: 'int',
        min: 1,
        default: 4,
        presets: { demo: 2 },
        group: 'network',
        help: '',
      },
      {
        key: 'ops',
        type: 'list',
        choices: DARTS_PRIMITIVES,
        default: DARTS_PRIMITIVES,
        group: 'network',
        help: '',
      },
      {
        key: 'weightLr',
        type: 'number',
        min: 0,
        default: 0.025,
        live: true,
        group: 'optimizer',
        help: '',
      },
      { key: 'images', type: 'int', min: 0, default: 256, group: 'data', help: '' },
      {
        key: 'headConv',
        type: 'int',
        min: 1,
        default: 128,
        presets: { demo: 8 },
        group: 'network',
        help: '',
      },
    ],
  },
};
const ENTRY: RunKindEntry = { ...TOY_ENTRY, info: INFO };

let unregister: () => void = () => undefined;
beforeAll(() => {
  unregister = registerRunKind(ENTRY);
});
afterAll(() => unregister());

const base = PRESETS['quick demo'];

describe('the lab’s forms as runs of kinds', () => {
  it('takes every setting the form has by key, the rest from the kind’s lab preset', () => {
    const config = {
      ...base,
      search: { ...base.search, nodes: 3, primitives: ['none', 'skip_connect'] as const },
      data: { ...base.data, images: 64 },
    };
    const values = { ...config.search, ops: config.search.primitives, ...config.data };
    expect(labSettings(INFO, values)).toEqual({
      nodes: 3,
      ops: ['none', 'skip_connect'],
      weightLr: base.search.weightLr,
      images: 64,
      headConv: 8,
    });
  });

  it('puts a restored run’s settings back into the form, and names its live ones', () => {
    const run = {
      kind: 'cellsByKey',
      settings: { nodes: 3, ops: ['none'], weightLr: 0.5, images: 40, headConv: 8 },
    };
    const config = labConfigOfRun(run, base);
    expect(config?.search).toEqual({
      ...base.search,
      nodes: 3,
      multiplier: 3,
      primitives: ['none'],
      weightLr: 0.5,
    });
    expect(config?.data).toEqual({ ...base.data, images: 40 });
    expect(config?.backend).toBe(base.backend);
    expect(liveValues(run)).toEqual({ weightLr: 0.5 });
    expect(labConfigOfRun({ ...run, kind: 'unknown' }, base)).toBeNull();
  });
});
