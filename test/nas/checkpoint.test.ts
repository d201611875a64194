import { beforeAll, describe, expect, it } from 'vitest';
import { augmentedSource } from '../../src/data/augmentedSource';
import type { SearchCheckpoint } from '../../src/nas/darts/searchCheckpoint';
import {
  captureCheckpoint,
  decodeCheckpoint,
  encodeCheckpoint,
  restoreRng,
  restoreSearchState,
} from '../../src/nas/darts/searchCheckpoint';
import { peekSearchCheckpoint } from '../../src/nas/darts/searchCheckpointManifest';
import { genotypeToJson } from '../../src/nas/genotype/genotype';
import { Rng } from '../../src/nas/tensor/random';
import type { SearchEvent, SearchRun } from '../../src/nas/darts/searchLoop';
import { runSearch } from '../../src/nas/darts/searchLoop';
import type { SearchState } from '../../src/nas/darts/searchState';
import { createSearchState, disposeSearchState } from '../../src/nas/darts/searchState';
import * as tf from '../../src/nas/tensor/tf';
import { TINY_CONFIG, tinyData } from '../support/tiny';

/** Two epochs of four steps (32 weight-training images in batches of 8). */
const CONFIG = { ...TINY_CONFIG, epochs: 2 };
/** On, so that the augmentation's own random source matters to the result. */
const AUGMENT = { pad: 2, flip: true, cutout: 3 };
const AUGMENT_SEED = CONFIG.seed + 1;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The tiny splits, augmented with `augment` as the CLI does (one Rng for both halves). */
function augmentedData(augment: Rng, count = 64) {
  const d = tinyData(count);
  return {
    shape: d.shape,
    splits: {
      train: augmentedSource(d.train, augment, AUGMENT),
      val: augmentedSource(d.val, augment, AUGMENT),
    },
    dispose: () => {
      d.train.dispose();
      d.val.dispose();
    },
  };
}

async function capture(state: SearchState, run: SearchRun, augment: Rng) {
  return captureCheckpoint(state, run.position(), run.genotypeHistory(), { augment });
}

/** Events without their wall-clock fields. */
function comparable(e: SearchEvent): unknown {
  if (e.type !== 'step') return e;
  const { imagesPerSecond: _ips, elapsedMs: _ms, ...rest } = e;
  return rest;
}

function maxAbsDifference(a: SearchCheckpoint, b: SearchCheckpoint): number {
  expect(a.tensors.map((t) => t.name)).toEqual(b.tensors.map((t) => t.name));
  let max = 0;
  a.tensors.forEach((t, i) => {
    const other = b.tensors[i]?.values as Float32Array;
    for (let j = 0; j < t.values.length; j++) {
      max = Math.max(max, Math.abs((t.values[j] as number) - (other[j] as number)));
    }
  });
  return max;
}

function historyJson(c: SearchCheckpoint): unknown {
  return c.genotypeHistory.map((h) => ({ step: h.step, genotype: genotypeToJson(h.genotype) }));
}

interface Straight {
  /** Encoded checkpoints by label, and how many events came before each. */
  readonly saved: Map<string, { bytes: Uint8Array; events: number }>;
  readonly events: unknown[];
  readonly final: SearchCheckpoint;
}

/** The uninterrupted search, saving checkpoints after the events named in `saveAfter`. */
async function straightRun(saveAfter: Record<string, number>): Promise<Straight> {
  const augment = Rng.fromSeed(AUGMENT_SEED);
  const data = augmentedData(augment);
  const state = createSearchState(CONFIG, data.shape);
  const saved = new Map<string, { bytes: Uint8Array; events: number }>();
  const events: unknown[] = [];
  try {
    const run = runSearch(state, data.splits);
    for await (const e of run) {
      events.push(comparable(e));
      for (const [label, after] of Object.entries(saveAfter)) {
        if (after === events.length) {
          const bytes = encodeCheckpoint(await capture(state, run, augment));
          saved.set(label, { bytes, events: events.length });
        }
      }
    }
    return { saved, events, final: await capture(state, run, augment) };
  } finally {
    data.dispose();
    disposeSearchState(state);
  }
}

/** Decodes, restores and runs to the end; `freshAugment` forgets the saved augmentation state. */
async function resumedRun(bytes: Uint8Array, freshAugment = false) {
  const checkpoint = decodeCheckpoint(bytes);
  const augment = freshAugment ? Rng.fromSeed(AUGMENT_SEED) : restoreRng(checkpoint, 'augment');
  const data = augmentedData(augment);
  const state = restoreSearchState(checkpoint, data.shape);
  const events: SearchEvent[] = [];
  try {
    const run = runSearch(state, data.splits, { resume: checkpoint });
    for await (const e of run) events.push(e);
    return { checkpoint, events, final: await capture(state, run, augment) };
  } finally {
    data.dispose();
    disposeSearchState(state);
  }
}

describe('resuming a search from a checkpoint (cpu)', () => {
  // Events of the straight run: steps 1–4, epoch 0, steps 5–8, epoch 1, done.
  const points = {
    midEpoch: 2,
    beforeEvaluation: 4,
    epochBoundary: 5,
    lateMidEpoch: 7,
    searchEnd: 10,
  };
  let straight: Straight;

  beforeAll(async () => {
    straight = await straightRun(points);
  });

  for (const label of Object.keys(points)) {
    it(`continues exactly from a checkpoint taken ${label}`, async () => {
      const saved = straight.saved.get(label);
      if (!saved) throw new Error(`no checkpoint ${label}`);
      const before = tf.memory().numTensors;
      const resumed = await resumedRun(saved.bytes);
      expect(tf.memory().numTensors).toBe(before);
      // Same events from the checkpoint on: step numbers, learning rates, losses, genotypes.
      expect(resumed.events.map(comparable)).toEqual(straight.events.slice(saved.events));
      // Weights, BatchNorm buffers, alphas, momentum buffers and Adam moments (measured: 0).
      expect(maxAbsDifference(resumed.final, straight.final)).toBe(0);
      expect(resumed.final.alphaOptimizerStep).toBe(8);
      expect(resumed.final.rngs).toEqual(straight.final.rngs);
      expect({ ...resumed.final.position, elapsedMs: 0 }).toEqual({
        ...straight.final.position,
        elapsedMs: 0,
      });
      expect(historyJson(resumed.final)).toEqual(historyJson(straight.final));
      const firstStep = resumed.events.find((e) => e.type === 'step');
      if (firstStep?.type === 'step') {
        expect(firstStep.elapsedMs).toBeGreaterThanOrEqual(resumed.checkpoint.position.elapsedMs);
      }
    });
  }

  it('saves the position, the image order and the history it resumes from', () => {
    const mid = decodeCheckpoint(straight.saved.get('midEpoch')?.bytes as Uint8Array);
    expect(mid.position).toMatchObject({ epoch: 0, stepInEpoch: 2, step: 2 });
    expect([...(mid.position.order as Int32Array)].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 32 }, (_, i) => i),
    );
    expect(mid.alphaOptimizerStep).toBe(2);
    expect(mid.genotypeHistory[0]?.step).toBe(0);
    const boundary = decodeCheckpoint(straight.saved.get('epochBoundary')?.bytes as Uint8Array);
    expect(boundary.position).toMatchObject({ epoch: 1, stepInEpoch: 0, step: 4, order: null });
  });

  it('diverges when the augmentation random state is not restored', async () => {
    const saved = straight.saved.get('midEpoch');
    if (!saved) throw new Error('no checkpoint');
    const resumed = await resumedRun(saved.bytes, true);
    expect(maxAbsDifference(resumed.final, straight.final)).toBeGreaterThan(1e-4);
  });

  it('refuses to resume on data of another size', async () => {
    const checkpoint = decodeCheckpoint(straight.saved.get('midEpoch')?.bytes as Uint8Array);
    const data = augmentedData(Rng.fromSeed(1), 48);
    const state = restoreSearchState(checkpoint, data.shape);
    try {
      await expect(runSearch(state, data.splits, { resume: checkpoint }).next()).rejects.toThrow(
        'cannot resume: the search was at 32 weight-training and 32 alpha-training images, the data has 24 and 24',
      );
    } finally {
      data.dispose();
      disposeSearchState(state);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The file itself

/** A checkpoint of the tiny search after one step, augmentation state included. */
async function oneStepCheckpoint(): Promise<SearchCheckpoint> {
  const augment = Rng.fromSeed(AUGMENT_SEED);
  const data = augmentedData(augment);
  const state = createSearchState(CONFIG, data.shape);
  try {
    const run = runSearch(state, data.splits);
    await run.next();
    return await capture(state, run, augment);
  } finally {
    data.dispose();
    disposeSearchState(state);
  }
}

const u32 = (bytes: Uint8Array, offset: number) =>
  new DataView(bytes.buffer, bytes.byteOffset).getUint32(offset, true);

interface EntryJson {
  name: string;
  shape: number[];
  dtype: string;
  byteOffset: number;
  byteLength: number;
}

/** The manifest fields these tests read or corrupt. */
interface ManifestJson {
  format: string;
  version: number;
  config: Record<string, unknown>;
  position: { epoch: number; step: number; order: number[] };
  rngs: Record<string, { words: number[] }>;
  genotypeHistory: { step: number; genotype: { format: string; normal: [string, number][] } }[];
  host?: Record<string, unknown>;
  tensors?: EntryJson[];
}

/** The documented layout, read independently of the decoder. */
function layout(bytes: Uint8Array) {
  const manifestLength = u32(bytes, 12);
  const text = new TextDecoder().decode(bytes.subarray(16, 16 + manifestLength));
  const dataStart = Math.ceil((16 + manifestLength) / 4) * 4;
  return { manifest: JSON.parse(text) as ManifestJson, dataStart };
}

function entry(m: ManifestJson, index: number): EntryJson {
  const e = m.tensors?.at(index);
  if (!e) throw new Error(`no tensor entry ${index}`);
  return e;
}

function firstGenotype(m: ManifestJson) {
  const h = m.genotypeHistory[0];
  if (!h) throw new Error('no genotype history');
  return h;
}

/** A file with manifest bytes `manifest` and the original's data section. */
function withManifestBytes(bytes: Uint8Array, manifest: Uint8Array): Uint8Array {
  const { dataStart } = layout(bytes);
  const start = Math.ceil((16 + manifest.length) / 4) * 4;
  const out = new Uint8Array(start + bytes.length - dataStart);
  out.set(bytes.subarray(0, 16));
  new DataView(out.buffer).setUint32(12, manifest.length, true);
  out.set(manifest, 16);
  out.set(bytes.subarray(dataStart), start);
  return out;
}

function withManifest(bytes: Uint8Array, edit: (m: ManifestJson) => void): Uint8Array {
  const { manifest } = layout(bytes);
  edit(manifest);
  return withManifestBytes(bytes, new TextEncoder().encode(JSON.stringify(manifest)));
}

function patched(bytes: Uint8Array, offset: number, patch: (view: DataView) => void): Uint8Array {
  const out = bytes.slice();
  patch(new DataView(out.buffer, offset));
  return out;
}

describe('the checkpoint file', () => {
  let checkpoint: SearchCheckpoint;
  let good: Uint8Array;
  let shape: ReturnType<typeof tinyData>['shape'];

  beforeAll(async () => {
    checkpoint = await oneStepCheckpoint();
    good = encodeCheckpoint(checkpoint);
    const d = tinyData();
    shape = d.shape;
    d.train.dispose();
    d.val.dispose();
  });

  it('has the documented layout: header, JSON manifest, aligned little-endian float32 data', () => {
    expect(new TextDecoder().decode(good.subarray(0, 8))).toBe('NASLABCK');
    expect(u32(good, 8)).toBe(1);
    const { manifest, dataStart } = layout(good);
    expect(manifest.format).toBe('nas-lab.search-checkpoint');
    expect(manifest.version).toBe(1);
    expect(manifest.config).toEqual(CONFIG);
    expect(manifest.position.order).toHaveLength(32);
    expect(manifest.rngs.augment?.words).toHaveLength(4);
    expect(firstGenotype(manifest).genotype.format).toBe('nas-lab.genotype');
    const entries = manifest.tensors ?? [];
    expect(entries.map((e) => e.name)).toEqual(checkpoint.tensors.map((t) => t.name));
    expect(entries[0]).toMatchObject({ name: 'weights.stem.conv', dtype: 'float32' });
    expect(entries.filter((e) => e.name.startsWith('adam.')).map((e) => e.name)).toEqual([
      'adam.m.normal',
      'adam.v.normal',
      'adam.m.reduce',
      'adam.v.reduce',
    ]);
    const view = new DataView(good.buffer, good.byteOffset);
    for (const [i, e] of entries.entries()) {
      expect((dataStart + e.byteOffset) % 4).toBe(0);
      const values = checkpoint.tensors[i]?.values as Float32Array;
      for (let j = 0; j < values.length; j += 7) {
        expect(view.getFloat32(dataStart + e.byteOffset + 4 * j, true)).toBe(values[j]);
      }
    }
    const last = entry(manifest, -1);
    expect(good.length).toBe(dataStart + last.byteOffset + 4 * last.shape.reduce((a, b) => a * b));
  });

  it('restores the state, then gives every tensor back, leaking none', async () => {
    const baseline = tf.memory().numTensors;
    const state = restoreSearchState(decodeCheckpoint(good), shape);
    const again = await captureCheckpoint(
      state,
      checkpoint.position,
      checkpoint.genotypeHistory,
      {},
    );
    disposeSearchState(state);
    expect(tf.memory().numTensors).toBe(baseline);
    expect(maxAbsDifference(again, checkpoint)).toBe(0);
    expect(again.rngs.search).toEqual(checkpoint.rngs.search);
    expect(again.alphaOptimizerStep).toBe(1);
  });

  it('keeps a pending Box-Muller normal of a random source', () => {
    const noise = Rng.fromSeed(9);
    noise.normal();
    const bytes = encodeCheckpoint({
      ...checkpoint,
      rngs: { ...checkpoint.rngs, noise: noise.snapshot() },
    });
    const restored = restoreRng(decodeCheckpoint(bytes), 'noise');
    expect(restored.normal()).toBe(noise.normal());
    expect(restored.next()).toBe(noise.next());
    expect(() => restoreRng(decodeCheckpoint(bytes), 'missing')).toThrow(
      'the checkpoint has no random state "missing" (it has: search, augment, noise)',
    );
  });

  const cases: [string, () => Uint8Array, string | RegExp][] = [
    [
      'bad magic bytes',
      () => patched(good, 0, (v) => v.setUint8(0, 0x58)),
      /bad magic bytes "XASLABCK": not a NAS Lab search checkpoint/,
    ],
    [
      'another version',
      () => patched(good, 8, (v) => v.setUint32(0, 2, true)),
      'unsupported version 2; this build reads version 1',
    ],
    [
      'a truncated header',
      () => good.slice(0, 10),
      'the file is truncated: 10 bytes, shorter than the 16-byte header',
    ],
    [
      'a truncated manifest',
      () => good.slice(0, 40),
      /the file is truncated: the manifest needs \d+ bytes, 24 follow the header/,
    ],
    [
      'truncated data',
      () => good.slice(0, good.length - 4),
      /tensor "adam\.v\.reduce" needs data bytes \d+–\d+, the file holds \d+: it is truncated/,
    ],
    [
      'bytes after the data',
      () => {
        const out = new Uint8Array(good.length + 8);
        out.set(good);
        return out;
      },
      '8 unexpected bytes follow the last tensor',
    ],
    [
      'a manifest that is not JSON',
      () => withManifestBytes(good, new TextEncoder().encode('{"format": nope')),
      /the manifest is not JSON/,
    ],
    [
      'a manifest that is not UTF-8',
      () => withManifestBytes(good, new Uint8Array([0x7b, 0xff, 0x7d])),
      'the manifest is not valid UTF-8 text',
    ],
    [
      'a manifest that is not an object',
      () => withManifestBytes(good, new TextEncoder().encode('[1]')),
      'the manifest is not a JSON object',
    ],
    [
      'another format',
      () =>
        withManifest(good, (m) => {
          m.format = 'nas-lab.genotype';
        }),
      `the manifest's format is "nas-lab.genotype", expected "nas-lab.search-checkpoint"`,
    ],
    [
      'no tensor table',
      () =>
        withManifest(good, (m) => {
          delete m.tensors;
        }),
      'the manifest has no "tensors" list',
    ],
    [
      'a tensor past the end',
      () =>
        withManifest(good, (m) => {
          entry(m, 3).byteOffset = 1 << 20;
        }),
      /tensor "weights\.[^"]+" needs data bytes 1048576–\d+, the file holds \d+/,
    ],
    [
      'overlapping tensors',
      () =>
        withManifest(good, (m) => {
          entry(m, 1).byteOffset = entry(m, 0).byteOffset + 4;
        }),
      /the bytes of tensors "weights\.stem\.conv" and "weights\.stem\.bn\.gamma" overlap/,
    ],
    [
      'a misaligned tensor',
      () =>
        withManifest(good, (m) => {
          entry(m, 1).byteOffset += 2;
        }),
      /has byteOffset \d+; it must be a non-negative multiple of 4/,
    ],
    [
      'a shape that does not fit the byte length',
      () =>
        withManifest(good, (m) => {
          entry(m, 0).shape = [3, 3, 3, 5];
        }),
      'tensor "weights.stem.conv" has shape [3, 3, 3, 5] (135 float32 values, 540 bytes) but byteLength 648',
    ],
    [
      'another dtype',
      () =>
        withManifest(good, (m) => {
          entry(m, 0).dtype = 'int32';
        }),
      'tensor "weights.stem.conv" has dtype "int32"; only "float32" is supported',
    ],
    [
      'a tensor listed twice',
      () =>
        withManifest(good, (m) => {
          entry(m, 1).name = entry(m, 0).name;
        }),
      'tensor "weights.stem.conv" is listed twice',
    ],
    [
      'a NaN',
      () => {
        const { dataStart } = layout(good);
        return patched(good, dataStart + 8, (v) => v.setFloat32(0, Number.NaN, true));
      },
      'tensor "weights.stem.conv" holds NaN at index 2',
    ],
    [
      'an infinity',
      () => {
        const { dataStart } = layout(good);
        return patched(good, dataStart, (v) => v.setFloat32(0, -Infinity, true));
      },
      'tensor "weights.stem.conv" holds -Infinity at index 0',
    ],
    [
      'an invalid config',
      () =>
        withManifest(good, (m) => {
          m.config.layers = 2;
        }),
      'config: layers must be an integer of at least 3',
    ],
    [
      'a config number given as text',
      () =>
        withManifest(good, (m) => {
          m.config.alphaBeta1 = '0.5';
        }),
      'config.alphaBeta1 must be a number, got "0.5"',
    ],
    [
      'a config setting missing',
      () =>
        withManifest(good, (m) => {
          delete m.config.seed;
        }),
      'config has no "seed"',
    ],
    [
      'an unknown config setting',
      () =>
        withManifest(good, (m) => {
          m.config.dropout = 0.1;
        }),
      'config has an unknown field "dropout"',
    ],
    [
      'an inconsistent step count',
      () =>
        withManifest(good, (m) => {
          m.position.step = 3;
        }),
      'position: step 3 does not match epoch 0, step 1 of 4 (step 1)',
    ],
    [
      'an image order that is no permutation',
      () =>
        withManifest(good, (m) => {
          m.position.order[0] = m.position.order[1] as number;
        }),
      /position: the image order is not a permutation of 0\.\.31: entry 1 is \d+/,
    ],
    [
      'an epoch past the search',
      () =>
        withManifest(good, (m) => {
          m.position.epoch = 3;
        }),
      'position: epoch must be an integer from 0 to 2, got 3',
    ],
    [
      'no search random state',
      () =>
        withManifest(good, (m) => {
          delete m.rngs.search;
        }),
      'rngs has no "search" state',
    ],
    [
      'a random state word above 32 bits',
      () =>
        withManifest(good, (m) => {
          (m.rngs.augment as { words: number[] }).words[2] = 2 ** 32;
        }),
      'rngs.augment.words[2] = 4294967296 exceeds 32 bits',
    ],
    [
      'a genotype with an unknown op',
      () =>
        withManifest(good, (m) => {
          (firstGenotype(m).genotype.normal[0] as [string, number])[0] = 'conv_9x9';
        }),
      /genotypeHistory\[0\]: invalid genotype: normal\[0\] has unknown op "conv_9x9"/,
    ],
    [
      'a genotype of another cell',
      () =>
        withManifest(good, (m) => {
          firstGenotype(m).genotype.normal.push(['max_pool_3x3', 0], ['max_pool_3x3', 1]);
        }),
      'genotypeHistory[0]: the normal cell does not have the 2 nodes of the configuration',
    ],
    [
      'a history past the position',
      () =>
        withManifest(good, (m) => {
          firstGenotype(m).step = 5;
        }),
      /genotypeHistory\[0\]\.step = 5 must exceed the entry before and not exceed the position's step 1/,
    ],
  ];

  for (const [what, make, message] of cases) {
    it(`refuses ${what}`, () => {
      const bytes = make();
      expect(() => decodeCheckpoint(bytes)).toThrow(message);
      expect(() => decodeCheckpoint(bytes)).toThrow(/^invalid search checkpoint: /);
    });
  }

  it('can be looked into without reading its tensors', () => {
    const { tensors, ...manifest } = decodeCheckpoint(good);
    expect(tensors.length).toBeGreaterThan(0);
    expect(peekSearchCheckpoint(good)).toEqual(manifest);
    // The manifest alone is enough: a file cut inside its tensors still shows its settings.
    const cut = good.subarray(0, good.length - 8);
    expect(() => decodeCheckpoint(cut)).toThrow(/invalid search checkpoint/);
    expect(peekSearchCheckpoint(cut).position.step).toBe(manifest.position.step);
    expect(() => peekSearchCheckpoint(new TextEncoder().encode('{"normal": []}'))).toThrow(
      /invalid search checkpoint/,
    );
  });

  it("keeps the host's settings, and refuses bad ones", () => {
    const host = { dataset: 'default', images: 32, imageSize: 8, augment: false };
    expect(decodeCheckpoint(encodeCheckpoint({ ...checkpoint, host })).host).toEqual(host);
    expect(decodeCheckpoint(good).host).toBeUndefined();
    const withHost = encodeCheckpoint({ ...checkpoint, host });
    const bad: [(h: Record<string, unknown>) => void, RegExp][] = [
      [(h) => (h.images = null), /host\.images must be a finite number, a boolean or a string/],
      [(h) => (h['<script>'] = 1), /host has a bad setting name "<script>"/],
      [(h) => (h.dataset = 'x'.repeat(300)), /host\.dataset must be/],
      [
        (h) => {
          for (let i = 0; i < 40; i++) h[`k${i}`] = i;
        },
        /host holds 44 settings, at most 32/,
      ],
    ];
    for (const [edit, message] of bad) {
      const bytes = withManifest(withHost, (m) => edit(m.host as Record<string, unknown>));
      expect(() => decodeCheckpoint(bytes)).toThrow(message);
    }
  });

  it('refuses files above the size limit, and to write them', () => {
    expect(() => decodeCheckpoint(good, { maxBytes: 1000 })).toThrow(
      `invalid search checkpoint: the file takes ${good.length} bytes, above the limit of 1000 bytes`,
    );
    expect(() => encodeCheckpoint(checkpoint, { maxBytes: 1000 })).toThrow(
      `the checkpoint would take ${good.length} bytes, above the limit of 1000 bytes`,
    );
  });

  it('refuses to save a diverged state', () => {
    const tensors = checkpoint.tensors.map((t) => ({ ...t, values: t.values.slice() }));
    (tensors[5]?.values as Float32Array)[1] = Number.NaN;
    expect(() => encodeCheckpoint({ ...checkpoint, tensors })).toThrow(
      `cannot save the checkpoint: tensor "${tensors[5]?.name}" holds NaN at index 1 (the search has diverged)`,
    );
  });

  const restoreCases: [string, () => Uint8Array, string][] = [
    [
      'a tensor the network lacks',
      () =>
        withManifest(good, (m) => {
          entry(m, 0).name = 'weights.stem.conw';
        }),
      'the checkpoint has no tensor "weights.stem.conv", which the network of its configuration needs',
    ],
    [
      'a tensor of another shape',
      () =>
        withManifest(good, (m) => {
          entry(m, 0).shape = [9, 3, 6];
        }),
      'tensor "weights.stem.conv" has shape [9, 3, 6] in the checkpoint; the network of its configuration needs [3, 3, 3, 6]',
    ],
    [
      'a config that builds another network',
      () =>
        withManifest(good, (m) => {
          m.config.channels = 3;
        }),
      'tensor "weights.stem.conv" has shape [3, 3, 3, 6] in the checkpoint; the network of its configuration needs [3, 3, 3, 9]',
    ],
    [
      'another op set',
      () =>
        withManifest(good, (m) => {
          m.config.primitives = (m.config.primitives as string[]).slice(1);
          m.genotypeHistory = [];
        }),
      'tensor "alphas.normal" has shape [5, 8] in the checkpoint; its configuration needs [5, 7]',
    ],
    [
      'a renamed extra tensor',
      () =>
        withManifest(good, (m) => {
          entry(m, -1).name = 'adam.v.other';
        }),
      'the checkpoint has no tensor "adam.v.reduce", which the network of its configuration needs',
    ],
  ];

  for (const [what, make, message] of restoreCases) {
    it(`restores no network from ${what}`, () => {
      const decoded = decodeCheckpoint(make());
      const before = tf.memory().numTensors;
      expect(() => restoreSearchState(decoded, shape)).toThrow(message);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('restores no network for data of another shape', () => {
    expect(() => restoreSearchState(decodeCheckpoint(good), { ...shape, numClasses: 3 })).toThrow(
      'the checkpoint was saved for 8×8×3 images in 2 classes; the data has 8×8×3 images in 3 classes',
    );
  });

  it('survives mutated and truncated files: a valid decode or an Error, never a crash', () => {
    const rng = Rng.fromSeed(2024);
    const { dataStart } = layout(good);
    const text = new TextDecoder().decode(good.subarray(16, dataStart));
    const digitPositions = [...text.matchAll(/\d/g)].map((m) => 16 + (m.index as number));
    const outcomes = { decoded: 0, refused: 0 };
    const started = Date.now();
    for (let trial = 0; trial < 400; trial++) {
      let bytes = good.slice();
      const kind = trial % 4;
      if (kind === 0) {
        bytes = bytes.slice(0, rng.int(bytes.length));
      } else if (kind === 1) {
        for (let k = 0; k <= rng.int(4); k++) bytes[rng.int(bytes.length)] = rng.int(256);
      } else if (kind === 2) {
        for (let k = 0; k <= rng.int(3); k++) bytes[16 + rng.int(dataStart - 16)] = rng.int(256);
      } else {
        // A digit of the manifest changed: still JSON, so the field checks are what refuse it.
        const at = digitPositions[rng.int(digitPositions.length)] as number;
        bytes[at] = 0x30 + rng.int(10);
      }
      try {
        const decoded = decodeCheckpoint(bytes);
        expect(decoded.tensors.length).toBe(checkpoint.tensors.length);
        outcomes.decoded += 1;
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
        expect((e as Error).message).toMatch(/^invalid search checkpoint: /);
        outcomes.refused += 1;
      }
    }
    expect(outcomes.decoded).toBeGreaterThan(10);
    expect(outcomes.refused).toBeGreaterThan(100);
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
