/**
 * Fuzzing of the link reader: thousands of mutated and random query strings, with huge numbers,
 * very long values and prototype keys. It must never throw; every setting it returns is the
 * default or comes from the query, every recognised parameter is used or reported, and what it
 * returns either passes the lab's check or gets a message from it.
 */
import { describe, expect, it } from 'vitest';
import type { OpName } from '../../src/nas/ops/primitives';
import { DARTS_PRIMITIVES } from '../../src/nas/ops/primitives';
import { Rng } from '../../src/nas/tensor/random';
import { PRESETS } from '../../src/ui/labPresets';
import type { ParsedUrlState } from '../../src/ui/urlState';
import {
  configFromQuery,
  configToQuery,
  LINK_MAXIMUM,
  MAX_QUERY_LENGTH,
} from '../../src/ui/urlState';
import { labConfigProblem } from '../../src/ui/validateLabConfig';
import type { LabConfig } from '../../src/worker/protocol';
import { mutateText, outcomeOf } from '../support/mutate';

const base = PRESETS['quick demo'];
const SEARCH_KEYS = [
  'order',
  'nodes',
  'layers',
  'channels',
  'batchSize',
  'epochs',
  'weightLr',
  'alphaLr',
  'seed',
] as const;
const DATA_KEYS = ['images', 'imageSize'] as const;
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];

const SNIPPETS = [
  '&',
  '=',
  '?',
  '#',
  '%',
  '%2C',
  '%00',
  '%ZZ',
  '%E0%A4%A',
  '+',
  ',',
  ' ',
  '\u0000',
  '\uD800',
  '\uFEFF',
  ...PROTOTYPE_KEYS,
  '__proto__[polluted]=1',
  'constructor.prototype.polluted=1',
  '1e309',
  '-1',
  '0',
  '-0',
  'NaN',
  'Infinity',
  '0x10',
  '1e3',
  '.5',
  '9'.repeat(400),
  ...SEARCH_KEYS,
  ...DATA_KEYS,
  'ops',
  'dataset',
  'backend',
  'none',
  'sep_conv_7x7',
  'synthetic',
  'webgpu',
];

const SEEDS = [
  'order=2&nodes=3&ops=sep_conv_3x3%2Cnone&images=64&backend=cpu',
  configToQuery(PRESETS['paper settings']),
  configToQuery(PRESETS.small),
  'nodes=3&layers=5&channels=4&batchSize=8&epochs=3&weightLr=0.05&alphaLr=0.001&seed=7' +
    '&ops=max_pool_3x3,skip_connect,sep_conv_3x3&dataset=synthetic&images=64&imageSize=16&backend=webgl',
];

/** A query of random parameters: known and prototype keys, odd and extreme values. */
function randomQuery(rng: Rng): string {
  const keys = [...SEARCH_KEYS, ...DATA_KEYS, 'ops', 'dataset', 'backend', ...PROTOTYPE_KEYS];
  const values = [
    () => String(rng.int(20)),
    () => String(rng.normal() * 10 ** rng.int(400)),
    () => String(rng.int(2 ** 31) * 2 ** rng.int(40)),
    () => SNIPPETS[rng.int(SNIPPETS.length)] as string,
    () => DARTS_PRIMITIVES.filter(() => rng.next() < 0.5).join(','),
    () => 'x'.repeat(rng.int(3000)),
  ];
  const parts = Array.from({ length: rng.int(12) }, () => {
    const key = keys[rng.int(keys.length)] as string;
    const value = (values[rng.int(values.length)] as () => string)();
    return rng.next() < 0.7 ? new URLSearchParams([[key, value]]).toString() : key;
  });
  return parts.join('&');
}

const number = (raw: string | null): number => (raw === null ? Number.NaN : Number(raw));

/** The parse of `query` keeps to its contract; see the file's comment. */
function checkParsed(query: string, { config, ignored }: ParsedUrlState): void {
  expect(Object.getPrototypeOf(config)).toBe(Object.prototype);
  expect(Object.keys(config).sort()).toEqual(['backend', 'data', 'search']);
  expect(Object.keys(config.search).sort()).toEqual(Object.keys(base.search).sort());
  expect(Object.keys(config.data).sort()).toEqual(Object.keys(base.data).sort());
  for (const reason of ignored) expect(reason.length).toBeLessThan(200);

  if (query.length > MAX_QUERY_LENGTH) {
    expect(config).toEqual(base);
    expect(ignored).toHaveLength(1);
    return;
  }
  const q = new URLSearchParams(query);
  const reported = (key: string) => ignored.some((r) => r.startsWith(`${key}=`));
  const settings: [string, unknown, unknown][] = [
    ...SEARCH_KEYS.map((k) => [k, config.search[k], base.search[k]] as [string, unknown, unknown]),
    ...DATA_KEYS.map((k) => [k, config.data[k], base.data[k]] as [string, unknown, unknown]),
  ];
  for (const [key, value, fallback] of settings) {
    const raw = q.get(key);
    // From the query, or the default with the parameter absent or reported.
    if (value !== fallback || raw !== null) {
      expect({ key, raw, value, reported: reported(key) }).toEqual(
        value === number(raw)
          ? { key, raw, value, reported: false }
          : { key, raw, value: fallback, reported: true },
      );
    }
    const max = LINK_MAXIMUM[key];
    if (max !== undefined && typeof value === 'number') expect(value).toBeLessThanOrEqual(max);
  }
  expect(config.search.multiplier).toBe(
    config.search.nodes === base.search.nodes ? base.search.multiplier : config.search.nodes,
  );
  const ops = q.get('ops');
  const opsTaken =
    ops !== null && config.search.primitives.join(',') === ops.split(',').filter(Boolean).join(',');
  if (ops !== null && !opsTaken) {
    expect(config.search.primitives).toEqual(base.search.primitives);
    expect(reported('ops')).toBe(true);
  }
  for (const [key, value, fallback] of [
    ['dataset', config.data.dataset, base.data.dataset],
    ['backend', config.backend, base.backend],
  ] as const) {
    const raw = q.get(key);
    if (raw === null) expect(value).toBe(fallback);
    else if (raw !== value)
      expect({ key, value, reported: reported(key) }).toEqual({
        key,
        value: fallback,
        reported: true,
      });
  }

  // The lab's check answers with null or a message; it never throws either.
  const problem = labConfigProblem(config);
  if (problem !== null) expect(problem.length).toBeGreaterThan(10);
}

function prototypeNames(): string[] {
  return [Object.prototype, Array.prototype, Function.prototype].flatMap((p) =>
    Object.getOwnPropertyNames(p),
  );
}

describe('the link reader under fuzzing', () => {
  it('reads 2,500 mutated and random queries without throwing', async () => {
    const before = prototypeNames();
    const rng = Rng.fromSeed(314);
    const tally = { runnable: 0, reported: 0, refusedByLab: 0 };
    for (let i = 0; i < 2500; i++) {
      const roll = rng.next();
      const query =
        roll < 0.55
          ? mutateText(SEEDS[rng.int(SEEDS.length)] as string, rng, SNIPPETS)
          : roll < 0.95
            ? randomQuery(rng)
            : `${SEEDS[0]}&seed=${'7'.repeat(MAX_QUERY_LENGTH)}`;
      const outcome = await outcomeOf(() => configFromQuery(query), 200);
      if (outcome.kind !== 'value') {
        expect({ case: i, query: query.slice(0, 300), outcome }).toBeNull();
        continue;
      }
      checkParsed(query, outcome.value);
      if (outcome.value.ignored.length > 0) tally.reported++;
      if (labConfigProblem(outcome.value.config) === null) tally.runnable++;
      else tally.refusedByLab++;
    }
    expect(prototypeNames()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(tally.runnable).toBeGreaterThan(300);
    expect(tally.reported).toBeGreaterThan(1000);
    expect(tally.refusedByLab).toBeGreaterThan(150);
  });

  it('reads back 300 random valid configurations exactly, ignoring nothing', () => {
    const rng = Rng.fromSeed(271);
    const between = (lo: number, hi: number) => lo + rng.int(hi - lo + 1);
    for (let i = 0; i < 300; i++) {
      const nodes = between(1, LINK_MAXIMUM.nodes as number);
      const ops = DARTS_PRIMITIVES.filter(() => rng.next() < 0.6);
      const config: LabConfig = {
        search: {
          ...base.search,
          order: rng.next() < 0.5 ? 1 : 2,
          nodes,
          multiplier: nodes,
          layers: between(3, LINK_MAXIMUM.layers as number),
          channels: between(1, LINK_MAXIMUM.channels as number),
          batchSize: between(1, LINK_MAXIMUM.batchSize as number),
          epochs: between(1, LINK_MAXIMUM.epochs as number),
          weightLr: rng.next() / 10,
          alphaLr: rng.uniform(1e-6, 1e-2),
          seed: rng.int(2 ** 31) - 2 ** 30,
          primitives:
            ops.length > 0
              ? [...rng.permutation(ops.length)].map((k) => ops[k] as OpName)
              : ['none'],
        },
        data: {
          dataset: rng.next() < 0.5 ? 'default' : 'synthetic',
          images: between(2, LINK_MAXIMUM.images as number),
          imageSize: between(1, LINK_MAXIMUM.imageSize as number),
        },
        backend: (['auto', 'webgpu', 'wasm', 'webgl', 'cpu'] as const)[rng.int(5)] ?? 'auto',
      };
      expect(configFromQuery(configToQuery(config))).toEqual({ config, ignored: [] });
    }
  });
});

describe('the link reader on hostile input', () => {
  it('ignores a query over the length limit as a whole', () => {
    const query = `nodes=3&ops=${'none,'.repeat(1000)}`;
    expect(configFromQuery(query)).toEqual({
      config: base,
      ignored: [
        `all link settings (the query is ${query.length} characters, over the limit of 4096)`,
      ],
    });
  });

  it('ignores sizes above the link limits, naming the limit', () => {
    const r = configFromQuery('channels=1e9&layers=100000&images=1e300&imageSize=257&nodes=10');
    expect(r.ignored).toEqual([
      'layers=100000 (above the link limit of 50)',
      'channels=1e9 (above the link limit of 256)',
      'images=1e300 (above the link limit of 60000)',
      'imageSize=257 (above the link limit of 256)',
    ]);
    expect(r.config.search).toEqual({ ...base.search, nodes: 10, multiplier: 10 });
    expect(r.config.data).toEqual(base.data);
  });

  it('reads prototype keys as unknown parameters and pollutes nothing', () => {
    const r = configFromQuery(
      '__proto__=1&__proto__[polluted]=1&constructor=2&constructor[prototype][polluted]=1&toString=3',
    );
    expect(r).toEqual({ config: base, ignored: [] });
    expect(Object.getPrototypeOf(r.config.search)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('shows at most 40 characters of a value it ignores', () => {
    const r = configFromQuery(`backend=${'x'.repeat(1000)}&ops=,,&images=%20&seed=`);
    expect(r.ignored).toEqual([
      'seed= (not a number)',
      'ops=,, (no op named)',
      'images=  (not a number)',
      `backend=${'x'.repeat(40)}… (use auto, webgpu, wasm, webgl or cpu)`,
    ]);
  });
});
