/**
 * Fuzzing of the link reader generated from the run kinds (runUrlState.ts), over every
 * registered search kind and the test-only toy: thousands of mutated and random query strings,
 * with huge numbers, very long values and prototype keys. It must never throw; every setting it
 * returns is the lab's default or comes from the query; every recognised parameter is used or
 * reported; link limits hold; and the kind's own check answers with a message, never a crash.
 * Links of the old codecs (before run kinds), mutated, read against the lab's defaults, keep to
 * the same contract and give both settings that run and settings the lab refuses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerRunKind, runKinds } from '../../src/nas/runKind/registry';
import type { RunKindInfo } from '../../src/nas/runKind/runKind';
import type { FieldSpec, Settings } from '../../src/nas/runKind/settingsSchema';
import {
  defaultSettings,
  fieldFlag,
  parseFieldText,
  sameValue,
  validateSettings,
} from '../../src/nas/runKind/settingsSchema';
import { Rng } from '../../src/nas/tensor/random';
import type { ParsedRunLink } from '../../src/ui/runUrlState';
import { MAX_QUERY_LENGTH, runLinkFromQuery, runLinkToQuery } from '../../src/ui/runUrlState';
import { labDefaults, readLabLink, settingsProblems } from '../../src/ui/settings/labSettings';
import { mutateText, outcomeOf } from '../support/mutate';
import { TOY_ENTRY } from '../support/toyRunKind';
import { randomValue } from './settingValues';

let unregister: () => void = () => undefined;
beforeAll(() => {
  unregister = registerRunKind(TOY_ENTRY);
});
afterAll(() => unregister());

const searchKinds = (): RunKindInfo[] =>
  runKinds()
    .map((e) => e.info)
    .filter((i) => i.command === 'search');
const linkFields = (info: RunKindInfo): FieldSpec[] =>
  info.schema.fields.filter((f) => f.scope !== 'cli');

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
  'true',
  'false',
  '9'.repeat(400),
  'space',
  'algorithm',
  'backend',
  'recurrent',
  'rnn',
  'cdarts',
  'toy',
  'webgpu',
];

/** Links as the old codecs wrote them (urlState.ts, recurrentUrlState.ts before run kinds). */
const OLD_LINKS = [
  'order=2&nodes=3&ops=sep_conv_3x3%2Cnone&images=64&backend=cpu',
  'order=1&nodes=4&layers=8&channels=16&batchSize=64&epochs=50&alphaLr=0.0003&images=8000&imageSize=28',
  'nodes=3&layers=5&channels=4&batchSize=8&epochs=3&weightLr=0.05&alphaLr=0.001&seed=7' +
    '&ops=max_pool_3x3,skip_connect,sep_conv_3x3&dataset=synthetic&images=64&imageSize=16&backend=webgl',
  'epochs=3&algorithm=cdarts&evalLayers=5&warmupEpochs=1&lossT=2&interactiveType=smoothl1',
  'space=recurrent&level=char&nhid=32&rnnBatchSize=6&rnnLr=10&trainTokens=9000&rnnOrder=2',
  'space=recurrent&bptt=5&rnnEpochs=2&vocabulary=300&validTokens=200&rnnSeed=3&order=2',
];

/** A random valid link to a random search kind. */
function randomLink(rng: Rng) {
  const kinds = searchKinds();
  const info = kinds[rng.int(kinds.length)] as RunKindInfo;
  const settings = { ...defaultSettings(info.schema) };
  for (const field of linkFields(info)) {
    if (rng.next() < 0.5) settings[field.key] = randomValue(field, rng);
  }
  const backend = (['auto', 'webgpu', 'wasm', 'webgl', 'cpu'] as const)[rng.int(5)] ?? 'auto';
  return { kind: info.id, settings, backend };
}

/** A query of random parameters: the kinds' keys and flags, prototype keys, odd values. */
function randomQuery(rng: Rng): string {
  const fields = searchKinds().flatMap(linkFields);
  const keys = [
    ...fields.flatMap((f) => [f.key, fieldFlag(f)]),
    'space',
    'algorithm',
    'backend',
    ...PROTOTYPE_KEYS,
  ];
  const values = [
    () => String(rng.int(20)),
    () => String(rng.normal() * 10 ** rng.int(400)),
    () => String(rng.int(2 ** 31) * 2 ** rng.int(40)),
    () => SNIPPETS[rng.int(SNIPPETS.length)] as string,
    () => String(randomValue(fields[rng.int(fields.length)] as FieldSpec, rng)),
    () => 'x'.repeat(rng.int(3000)),
  ];
  const parts = Array.from({ length: rng.int(12) }, () => {
    const key = keys[rng.int(keys.length)] as string;
    const value = (values[rng.int(values.length)] as () => string)();
    return rng.next() < 0.7 ? new URLSearchParams([[key, value]]).toString() : key;
  });
  return parts.join('&');
}

/**
 * The names a link reads a field under: its key and flag; under the old `space=recurrent`, first
 * `rnn<Key>`, and only that where a kind of the other space has the key.
 */
function linkNames(info: RunKindInfo, field: FieldSpec, space: string | null): string[] {
  const own = [field.key, fieldFlag(field)];
  if (space !== 'recurrent' || info.select.space !== 'rnn') return own;
  const prefixed = `rnn${field.key.charAt(0).toUpperCase()}${field.key.slice(1)}`;
  const others = searchKinds().filter((i) => i.select.space !== info.select.space);
  const shared = others.some((i) => i.schema.fields.some((f) => f.key === field.key));
  return shared ? [prefixed] : [prefixed, ...own];
}

/** The parse of `query` keeps to its contract; see the file's comment. */
function checkParsed(
  query: string,
  parsed: ParsedRunLink,
  baseOf: (info: RunKindInfo) => Settings = (info) => defaultSettings(info.schema),
): void {
  const { kind, settings, backend, ignored } = parsed;
  const info = searchKinds().find((i) => i.id === kind);
  if (!info) throw new Error(`the link picked no registered kind: ${kind}`);
  const base = baseOf(info);
  expect(Object.getPrototypeOf(settings)).toBe(Object.prototype);
  expect(Object.keys(settings).sort()).toEqual(Object.keys(base).sort());
  for (const reason of ignored) expect(reason.length).toBeLessThan(200);
  if (query.length > MAX_QUERY_LENGTH) {
    expect({ settings, backend, ignored: ignored.length }).toEqual({
      settings: base,
      backend: 'auto',
      ignored: 1,
    });
    return;
  }
  const q = new URLSearchParams(query);
  const reported = (name: string) => ignored.some((r) => r.startsWith(`${name}=`));
  for (const field of linkFields(info)) {
    const value = settings[field.key];
    const fallback = base[field.key];
    if (value === undefined || fallback === undefined) throw new Error(`${field.key} is missing`);
    const name = linkNames(info, field, q.get('space')).find((n) => q.has(n));
    const raw = name === undefined ? null : q.get(name);
    if (raw === null || name === undefined) {
      expect({ key: field.key, value }).toEqual({ key: field.key, value: fallback });
      continue;
    }
    // From the query, or the default with the parameter reported.
    const read = parseFieldText(field, raw, 'link');
    if ('value' in read) {
      expect({
        key: field.key,
        same: sameValue(value, read.value),
        reported: reported(name),
      }).toEqual({ key: field.key, same: true, reported: false });
      const max =
        field.type === 'int' || field.type === 'number' ? (field.linkMax ?? field.max) : undefined;
      if (max !== undefined) expect(value).toBeLessThanOrEqual(max);
    } else {
      expect({ key: field.key, value, reported: reported(name) }).toEqual({
        key: field.key,
        value: fallback,
        reported: true,
      });
    }
  }
  const b = q.get('backend');
  if (b === null) expect(backend).toBe('auto');
  else if (b !== backend)
    expect({ backend, reported: reported('backend') }).toEqual({ backend: 'auto', reported: true });
  // The kind's own check answers with the settings or a message; it never crashes.
  try {
    validateSettings(info.schema, settings);
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).message.length).toBeGreaterThan(10);
  }
}

function prototypeNames(): string[] {
  return [Object.prototype, Array.prototype, Function.prototype].flatMap((p) =>
    Object.getOwnPropertyNames(p),
  );
}

describe('the kind-driven link reader under fuzzing', () => {
  it('reads 2,500 mutated and random queries without throwing', async () => {
    const before = prototypeNames();
    const rng = Rng.fromSeed(314);
    const seeds = Array.from({ length: 8 }, () => runLinkToQuery(randomLink(rng)));
    const tally = { clean: 0, reported: 0 };
    for (let i = 0; i < 2500; i++) {
      const roll = rng.next();
      const query =
        roll < 0.55
          ? mutateText(seeds[rng.int(seeds.length)] as string, rng, SNIPPETS)
          : roll < 0.95
            ? randomQuery(rng)
            : `${seeds[0]}&steps=${'7'.repeat(MAX_QUERY_LENGTH)}`;
      const outcome = await outcomeOf(() => runLinkFromQuery(query), 200);
      if (outcome.kind !== 'value') {
        expect({ case: i, query: query.slice(0, 300), outcome }).toBeNull();
        continue;
      }
      checkParsed(query, outcome.value);
      if (outcome.value.ignored.length > 0) tally.reported++;
      else tally.clean++;
    }
    expect(prototypeNames()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(tally.clean).toBeGreaterThan(300);
    expect(tally.reported).toBeGreaterThan(1000);
  });

  it('reads back 300 random valid links exactly, ignoring nothing', () => {
    const rng = Rng.fromSeed(271);
    for (let i = 0; i < 300; i++) {
      const link = randomLink(rng);
      expect(runLinkFromQuery(runLinkToQuery(link))).toEqual({ ...link, ignored: [] });
    }
  });

  it('reads 2,500 mutated links of the old codecs against the lab’s defaults, runnable and refused', async () => {
    const rng = Rng.fromSeed(2718);
    const tally = { runnable: 0, reported: 0, refused: 0 };
    for (let i = 0; i < 2500; i++) {
      const roll = rng.next();
      const query =
        roll < 0.6
          ? mutateText(OLD_LINKS[rng.int(OLD_LINKS.length)] as string, rng, SNIPPETS)
          : roll < 0.95
            ? randomQuery(rng)
            : `${OLD_LINKS[0]}&seed=${'7'.repeat(MAX_QUERY_LENGTH)}`;
      const outcome = await outcomeOf(() => readLabLink(query), 200);
      if (outcome.kind !== 'value') {
        expect({ case: i, query: query.slice(0, 300), outcome }).toBeNull();
        continue;
      }
      checkParsed(query, outcome.value, labDefaults);
      const { kind, settings, ignored } = outcome.value;
      if (ignored.length > 0) tally.reported++;
      const info = searchKinds().find((k) => k.id === kind) as RunKindInfo;
      const problems = settingsProblems(info, settings).all;
      for (const problem of problems) expect(problem.length).toBeGreaterThan(10);
      if (problems.length === 0) tally.runnable++;
      else tally.refused++;
    }
    expect(tally.runnable).toBeGreaterThan(300);
    expect(tally.reported).toBeGreaterThan(1000);
    // Fewer than the old codec's fuzz (150): the kinds' checks refuse less than it did (it also
    // refused more than the 8,000 built-in images, which the kinds read as all of them), and
    // fewer batch sizes outgrow the default search's 1,024 images than the demo's 32.
    expect(tally.refused).toBeGreaterThan(25);
  });

  it('reads prototype keys as unknown parameters and pollutes nothing', () => {
    const r = runLinkFromQuery(
      '__proto__=1&__proto__[polluted]=1&constructor=2&constructor[prototype][polluted]=1&toString=3',
    );
    expect(r.ignored).toEqual([]);
    expect(Object.getPrototypeOf(r.settings)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
