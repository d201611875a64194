import { beforeAll, describe, expect, it } from 'vitest';
import type { CdartsCheckpoint } from '../../src/nas/cdarts/cdartsCheckpoint';
import {
  captureCdartsCheckpoint,
  decodeCdartsCheckpoint,
  encodeCdartsCheckpoint,
  restoreCdartsHostRng,
  restoreCdartsState,
} from '../../src/nas/cdarts/cdartsCheckpoint';
import { validateCdartsConfig } from '../../src/nas/cdarts/cdartsConfig';
import type { CdartsEvent, CdartsRun } from '../../src/nas/cdarts/cdartsLoop';
import { runCdarts } from '../../src/nas/cdarts/cdartsLoop';
import type { CdartsState } from '../../src/nas/cdarts/cdartsState';
import { createCdartsState, disposeCdartsState } from '../../src/nas/cdarts/cdartsState';
import { decodeCheckpoint } from '../../src/nas/darts/searchCheckpoint';
import { Rng } from '../../src/nas/tensor/random';
import * as tf from '../../src/nas/tensor/tf';
import { tinyData } from '../support/tiny';
import { TINY_CDARTS } from '../support/tinyCdarts';

/** Warm-up, then two cycles with a cut at the second: the genotype and the pool change. */
const CONFIG = validateCdartsConfig({
  ...TINY_CDARTS,
  epochs: 3,
  evalWarmupEpochs: 1,
  alphaLr: 0.3,
  cutSchedule: [{ epoch: 2, cutNum: 1 }],
});

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const data = () => tinyData(32, 8, 2);

function comparable(e: CdartsEvent): unknown {
  if (e.type !== 'step') return e;
  const { imagesPerSecond: _ips, elapsedMs: _ms, ...rest } = e;
  return rest;
}

const capture = (state: CdartsState, run: CdartsRun) =>
  captureCdartsCheckpoint(state, run.position());

/** Tensors by name, so that pools grown in another order still compare; Infinity if sets differ. */
function maxAbsDifference(a: CdartsCheckpoint, b: CdartsCheckpoint): number {
  const other = new Map(b.tensors.map((t) => [t.name, t.values]));
  const names = (c: CdartsCheckpoint) =>
    c.tensors
      .map((t) => t.name)
      .sort()
      .join(',');
  if (names(a) !== names(b)) return Number.POSITIVE_INFINITY;
  let max = 0;
  for (const t of a.tensors) {
    const o = other.get(t.name) as Float32Array;
    for (let j = 0; j < t.values.length; j++) {
      max = Math.max(max, Math.abs((t.values[j] as number) - (o[j] as number)));
    }
  }
  return max;
}

async function straightRun(saveAfter: Record<string, number>) {
  const d = data();
  const state = createCdartsState(CONFIG, d.shape);
  const saved = new Map<string, { bytes: Uint8Array; events: number }>();
  const events: unknown[] = [];
  try {
    const run = runCdarts(state, d);
    for await (const e of run) {
      events.push(comparable(e));
      for (const [label, after] of Object.entries(saveAfter)) {
        if (after === events.length) {
          saved.set(label, {
            bytes: encodeCdartsCheckpoint(await capture(state, run)),
            events: events.length,
          });
        }
      }
    }
    return { saved, events, final: await capture(state, run) };
  } finally {
    disposeCdartsState(state);
    d.train.dispose();
    d.val.dispose();
  }
}

async function resumedRun(bytes: Uint8Array, forgetRandomState = false) {
  const checkpoint = decodeCdartsCheckpoint(bytes);
  const d = data();
  const state = restoreCdartsState(checkpoint, d.shape);
  if (forgetRandomState) state.rng.load(Rng.fromSeed(CONFIG.seed).snapshot());
  const events: CdartsEvent[] = [];
  try {
    const run = runCdarts(state, d, { resume: checkpoint.position });
    for await (const e of run) events.push(e);
    return { events, final: await capture(state, run) };
  } finally {
    disposeCdartsState(state);
    d.train.dispose();
    d.val.dispose();
  }
}

describe('resuming a CDARTS search from a checkpoint (cpu)', () => {
  // Events: warm-up steps 1–2, epoch 0 (3), cycle 1 (4), eval warm-up 5–6, joint 7–8, epoch 1
  // (9), cycle 2 (10), eval warm-up 11–12, joint 13–14, epoch 2 (15), done.
  const points = { warmup: 1, afterCycle: 4, midJoint: 7, secondCycle: 10, lateJoint: 13 };
  let straight: Awaited<ReturnType<typeof straightRun>>;

  beforeAll(async () => {
    straight = await straightRun(points);
  }, 300_000);

  for (const label of Object.keys(points)) {
    it(`continues bit for bit from a checkpoint taken ${label}`, async () => {
      const saved = straight.saved.get(label);
      if (!saved) throw new Error(`no checkpoint ${label}`);
      const before = tf.memory().numTensors;
      const resumed = await resumedRun(saved.bytes);
      expect(tf.memory().numTensors).toBe(before);
      expect(resumed.events.map(comparable)).toEqual(straight.events.slice(saved.events));
      // Both networks, the pool (unused entries too), momentum, alphas, Adam (measured: 0).
      expect(maxAbsDifference(resumed.final, straight.final)).toBe(0);
      expect(resumed.final.rng).toEqual(straight.final.rng);
      expect(resumed.final.cut).toEqual(straight.final.cut);
    });
  }

  it('keeps the pool beyond the followed genotype, and the cut masks', () => {
    const late = decodeCdartsCheckpoint(straight.saved.get('lateJoint')?.bytes as Uint8Array);
    expect(late.cut.normal.every((row) => row.filter(Boolean).length === 1)).toBe(true);
    expect(late.tensors.some((t) => t.name.startsWith('pool.momentum.cells.'))).toBe(true);
    expect(late.position).toMatchObject({ epoch: 2, phase: 'joint', stepInPhase: 1 });
  });

  it('diverges when the random state is not restored', async () => {
    const saved = straight.saved.get('afterCycle');
    if (!saved) throw new Error('no checkpoint');
    const resumed = await resumedRun(saved.bytes, true);
    expect(resumed.events.map(comparable)).not.toEqual(straight.events.slice(saved.events));
    expect(maxAbsDifference(resumed.final, straight.final)).toBeGreaterThan(1e-4);
  });

  it('refuses other files and broken ones, naming what is wrong', () => {
    const good = straight.saved.get('midJoint')?.bytes as Uint8Array;
    expect(() => decodeCheckpoint(good)).toThrow(/format is "nas-lab.cdarts-checkpoint"/);
    expect(() => decodeCdartsCheckpoint(good.subarray(0, 30))).toThrow(
      /^invalid CDARTS checkpoint: the file: the file is truncated/,
    );
    const d = data();
    try {
      const checkpoint = decodeCdartsCheckpoint(good);
      const before = tf.memory().numTensors;
      const dropped = checkpoint.tensors.filter((t) => !t.name.startsWith('pool.value.cells.1.'));
      expect(() => restoreCdartsState({ ...checkpoint, tensors: dropped }, d.shape)).toThrow(
        /^invalid CDARTS checkpoint: the evaluation network's pool lacks tensors/,
      );
      const noAdam = checkpoint.tensors.filter((t) => t.name !== 'adam.m.normal');
      expect(() => restoreCdartsState({ ...checkpoint, tensors: noAdam }, d.shape)).toThrow(
        'invalid CDARTS checkpoint: the file has no tensor "adam.m.normal", which the state needs',
      );
      const extra = { name: 'extra.tensor', shape: [1], values: new Float32Array(1) };
      expect(() =>
        restoreCdartsState({ ...checkpoint, tensors: [...checkpoint.tensors, extra] }, d.shape),
      ).toThrow(
        'invalid CDARTS checkpoint: the file holds tensor "extra.tensor", which the state does not have',
      );
      // A refused restore leaves nothing behind.
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      d.train.dispose();
      d.val.dispose();
    }
  });

  it("carries the host's random states (the CLI's augmentation), and still reads files without", () => {
    const bytes = straight.saved.get('midJoint')?.bytes as Uint8Array;
    const plain = decodeCdartsCheckpoint(bytes);
    expect(plain.hostRngs).toBeUndefined();
    expect(() => restoreCdartsHostRng(plain, 'augment')).toThrow(
      /^invalid CDARTS checkpoint: it has no random state "augment" \(it holds no host random states/,
    );
    const augment = Rng.fromSeed(7);
    augment.next();
    augment.normal();
    const withRngs = decodeCdartsCheckpoint(
      encodeCdartsCheckpoint({ ...plain, hostRngs: { augment: augment.snapshot() } }),
    );
    const restored = restoreCdartsHostRng(withRngs, 'augment');
    // The restored source draws what the saved one goes on to draw, normals' spare included.
    expect([restored.normal(), restored.next(), restored.next()]).toEqual([
      augment.normal(),
      augment.next(),
      augment.next(),
    ]);
    expect(() => restoreCdartsHostRng(withRngs, 'other')).toThrow(/\(it has: augment\)/);
    expect(() =>
      decodeCdartsCheckpoint(
        encodeCdartsCheckpoint({ ...plain, hostRngs: { 'a b': augment.snapshot() } }),
      ),
    ).toThrow(/hostRngs has a bad name "a b"/);
  });
});
