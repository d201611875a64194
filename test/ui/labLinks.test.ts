/**
 * The page's address bar through the kinds' codec (runUrlState.ts over the lab's defaults,
 * settings/labSettings.ts): what the old codecs (urlState.ts, recurrentUrlState.ts, before run
 * kinds) guaranteed still holds. Old links load: their parameters were the settings' keys,
 * `algorithm=cdarts` picks CDARTS, `space=recurrent` the recurrent search with its old `rnn…`
 * names, and the convolutional settings an old recurrent link carried stay out of it. A link
 * writes only what differs from the lab's defaults; unusable values are left at the default and
 * reported with the reason, cut at 40 characters; sizes stop at their link limits.
 */
import { describe, expect, it } from 'vitest';
import { dartsSearchConfig } from '../../src/nas/darts/dartsKindInfo';
import type { DartsSettings } from '../../src/nas/darts/dartsKindInfo';
import { runKindById } from '../../src/nas/runKind/registry';
import type { Settings } from '../../src/nas/runKind/settingsSchema';
import { defaultSettings } from '../../src/nas/runKind/settingsSchema';
import { labDefaults, readLabLink, writeLabLink } from '../../src/ui/settings/labSettings';

const lab = (id: string): Settings => labDefaults(runKindById(id).info);
const DARTS = lab('darts');
const CDARTS = lab('cdarts');
const RNN = lab('rnn-search');

describe('convolutional links, old and new', () => {
  it('writes only what differs from the lab’s defaults, as the old links did, and reads it back', () => {
    expect(writeLabLink({ kind: 'darts', settings: DARTS, backend: 'auto' })).toBe('');
    const changed = {
      kind: 'darts',
      settings: { ...DARTS, order: 2, nodes: 3, ops: ['sep_conv_3x3', 'none'], images: 64 },
      backend: 'cpu',
    } as const;
    // The very query the old codec wrote for this configuration.
    const query = writeLabLink(changed);
    expect(query).toBe('order=2&nodes=3&ops=sep_conv_3x3%2Cnone&images=64&backend=cpu');
    expect(readLabLink(query)).toEqual({ ...changed, ignored: [] });
    // The cell's output concatenates every node (the old link's `multiplier`).
    expect(dartsSearchConfig(changed.settings as unknown as DartsSettings).multiplier).toBe(3);
  });

  it('reads an old CDARTS link: the algorithm, its own settings and the shared ones', () => {
    const old = readLabLink('?epochs=3&algorithm=cdarts&evalLayers=5&interactiveType=smoothl1');
    expect(old).toEqual({
      kind: 'cdarts',
      settings: { ...CDARTS, epochs: 3, evalLayers: 5, interactiveType: 'smoothl1' },
      backend: 'auto',
      ignored: [],
    });
    expect(writeLabLink(old)).toBe(
      'algorithm=cdarts&epochs=3&evalLayers=5&interactiveType=smoothl1',
    );
    expect(readLabLink('algorithm=darts').kind).toBe('darts');
    expect(readLabLink('?space=convolutional').kind).toBe('darts');
    // Recurrent keys without a recurrent space are not read.
    expect(readLabLink('?nhid=64')).toEqual({
      kind: 'darts',
      settings: DARTS,
      backend: 'auto',
      ignored: [],
    });
  });

  it('ignores and reports values it cannot use, keeping the defaults', () => {
    const r = readLabLink(
      'nodes=abc&ops=sep_conv_3x3,evil_op&backend=tpu&dataset=imagenet&images=1.5',
    );
    expect(r.settings).toEqual(DARTS);
    expect(r.ignored).toEqual([
      'nodes=abc (not a number)',
      'ops=sep_conv_3x3,evil_op (unknown item evil_op)',
      expect.stringMatching(/^dataset=imagenet \(use default, .* or synthetic\)$/),
      'images=1.5 (not an integer)',
      'backend=tpu (use auto, webgpu, wasm, webgl or cpu)',
    ]);
    expect(readLabLink('algorithm=nas').ignored).toEqual(['algorithm=nas (use darts or cdarts)']);
  });

  it('ignores sizes above the link limits, naming the limit', () => {
    const r = readLabLink('channels=1e9&layers=100000&images=1e300&imageSize=257&nodes=10');
    expect(r.ignored).toEqual([
      'channels=1e9 (above the link limit of 256)',
      'layers=100000 (above the link limit of 50)',
      'images=1e300 (above the link limit of 60000)',
      'imageSize=257 (above the link limit of 256)',
    ]);
    expect(r.settings).toEqual({ ...DARTS, nodes: 10 });
    expect(readLabLink('algorithm=cdarts&evalLayers=51&warmupEpochs=1001').ignored).toEqual([
      'warmupEpochs=1001 (above the link limit of 1000)',
      'evalLayers=51 (above the link limit of 50)',
    ]);
  });

  it('shows at most 40 characters of a value it ignores, and ignores a query over 4,096 characters', () => {
    const r = readLabLink(`backend=${'x'.repeat(1000)}&ops=,,&images=%20&seed=`);
    expect(r.ignored).toEqual([
      'ops=,, (no item named)',
      'seed= (not a number)',
      'images=  (not a number)',
      `backend=${'x'.repeat(40)}… (use auto, webgpu, wasm, webgl or cpu)`,
    ]);
    const query = `nodes=3&ops=${'none,'.repeat(1000)}`;
    expect(readLabLink(query)).toEqual({
      kind: 'darts',
      settings: DARTS,
      backend: 'auto',
      ignored: [
        `all link settings (the query is ${query.length} characters, over the limit of 4096)`,
      ],
    });
  });

  it('reads prototype keys as unknown parameters and pollutes nothing', () => {
    const r = readLabLink(
      '__proto__=1&__proto__[polluted]=1&constructor=2&constructor[prototype][polluted]=1&toString=3&space=__proto__',
    );
    expect(r).toEqual({
      kind: 'darts',
      settings: DARTS,
      backend: 'auto',
      ignored: ['space=__proto__ (use cnn or rnn)'],
    });
    expect(Object.getPrototypeOf(r.settings)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('links that name a preset', () => {
  const info = runKindById('darts').info;
  const demo = defaultSettings(info.schema, 'demo');

  it('writes the preset the settings are closest to, and only what differs from it', () => {
    const tiny = { kind: 'darts', settings: { ...demo, epochs: 40 }, backend: 'auto' } as const;
    expect(writeLabLink(tiny)).toBe('preset=demo&epochs=40');
    expect(readLabLink('preset=demo&epochs=40')).toEqual({ ...tiny, ignored: [] });
    const paper = defaultSettings(info.schema, 'paper');
    expect(writeLabLink({ kind: 'darts', settings: paper, backend: 'auto' })).toBe('preset=paper');
    // The lab's own preset is never written; one change from it stays one parameter.
    expect(writeLabLink({ kind: 'darts', settings: { ...DARTS, seed: 5 }, backend: 'auto' })).toBe(
      'seed=5',
    );
  });

  it('reads a setting over the named preset, and reports a preset the kind does not have', () => {
    expect(readLabLink('?preset=paper&seed=3').settings).toEqual({
      ...defaultSettings(info.schema, 'paper'),
      seed: 3,
    });
    expect(readLabLink('?space=rnn&preset=demo').settings).toEqual(
      defaultSettings(runKindById('rnn-search').info.schema, 'demo'),
    );
    expect(readLabLink('?preset=huge&seed=3')).toEqual({
      kind: 'darts',
      settings: { ...DARTS, seed: 3 },
      backend: 'auto',
      ignored: ['preset=huge (use small, paper or demo)'],
    });
  });
});

describe('recurrent links, old and new', () => {
  it('reads an old recurrent link under its old names, and writes it in the new ones', () => {
    const old = readLabLink(
      'space=recurrent&level=char&nhid=32&rnnBatchSize=6&rnnLr=10&trainTokens=9000&vocabulary=300',
    );
    const settings = {
      ...RNN,
      level: 'char',
      nhid: 32,
      batchSize: 6,
      lr: 10,
      trainTokens: 9000,
      maxVocabulary: 300,
    };
    expect(old).toEqual({ kind: 'rnn-search', settings, backend: 'auto', ignored: [] });
    const query = writeLabLink(old);
    expect(query).toBe('space=rnn&level=char&maxVocabulary=300&trainTokens=9000&batchSize=6&lr=10');
    expect(readLabLink(query)).toEqual(old);
    expect(writeLabLink({ kind: 'rnn-search', settings: RNN, backend: 'auto' })).toBe('space=rnn');
    expect(readLabLink('space=rnn').settings).toEqual(RNN);
  });

  it('carries the alpha gradient order as rnnOrder in an old link, apart from the convolutional order', () => {
    expect(readLabLink('?space=recurrent&rnnOrder=2').settings.order).toBe(2);
    // A link from before the choice: first order.
    expect(readLabLink('?space=recurrent&nhid=32').settings.order).toBe(1);
    // The convolutional settings an old recurrent link carried do not set the recurrent ones.
    const r = readLabLink('?space=recurrent&order=2&nodes=3&epochs=9&batchSize=7&seed=5');
    expect(r).toEqual({ kind: 'rnn-search', settings: RNN, backend: 'auto', ignored: [] });
    expect(readLabLink('?space=recurrent&rnnEpochs=3&rnnSeed=5&rnnAlphaLr=0.01').settings).toEqual({
      ...RNN,
      epochs: 3,
      seed: 5,
      alphaLr: 0.01,
    });
    // A new link names them by key.
    expect(readLabLink('?space=rnn&order=2&epochs=3').settings).toEqual({
      ...RNN,
      order: 2,
      epochs: 3,
    });
  });

  it('ignores unusable values with the reason and keeps the defaults for them', () => {
    const r = readLabLink(
      '?space=recurrent&nhid=abc&bptt=2.5&rnnEpochs=100000&level=bytes&rnnLr=0.5',
    );
    expect(r.ignored).toEqual([
      'level=bytes (use word or char)',
      'nhid=abc (not a number)',
      'bptt=2.5 (not an integer)',
      'rnnEpochs=100000 (above the link limit of 1000)',
    ]);
    expect(r.settings).toEqual({ ...RNN, lr: 0.5 });
    expect(readLabLink('?space=recurrent&rnnOrder=3').ignored).toEqual([
      'rnnOrder=3 (above the link limit of 2)',
    ]);
    expect(readLabLink('?space=graph')).toMatchObject({
      kind: 'darts',
      ignored: ['space=graph (use cnn or rnn)'],
    });
    expect(readLabLink('?space=rnn&trainTokens=2000001').ignored).toEqual([
      'trainTokens=2000001 (above the link limit of 2000000)',
    ]);
  });
});
