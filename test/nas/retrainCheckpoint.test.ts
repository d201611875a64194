import { beforeAll, describe, expect, it } from 'vitest';
import { augmentedSource } from '../../src/data/augmentedSource';
import { decodeCheckpoint } from '../../src/nas/darts/searchCheckpoint';
import { DARTS_V2 } from '../../src/nas/genotype/publishedGenotypes';
import { Rng } from '../../src/nas/tensor/random';
import type { RetrainCheckpoint } from '../../src/nas/retrain/retrainCheckpoint';
import {
  captureRetrainCheckpoint,
  decodeRetrainCheckpoint,
  encodeRetrainCheckpoint,
  restoreRetrainRng,
  restoreRetrainState,
} from '../../src/nas/retrain/retrainCheckpoint';
import type { RetrainConfig } from '../../src/nas/retrain/retrainConfig';
import { SMALL_RETRAIN_CONFIG } from '../../src/nas/retrain/retrainConfig';
import type { RetrainEvent, RetrainRun } from '../../src/nas/retrain/retrainLoop';
import { runRetrain } from '../../src/nas/retrain/retrainLoop';
import type { RetrainState } from '../../src/nas/retrain/retrainState';
import { createRetrainState, disposeRetrainState } from '../../src/nas/retrain/retrainState';
import * as tf from '../../src/nas/tensor/tf';
import { decodeTrainedModel } from '../../src/nas/retrain/trainedModel';
import { tinyData } from '../support/tiny';

/**
 * Two epochs of three steps (24 training images in batches of 8), drop path and the auxiliary
 * head on, so that the masks, the head and momentum all shape the result.
 */
const CONFIG: RetrainConfig = {
  ...SMALL_RETRAIN_CONFIG,
  channels: 2,
  layers: 3,
  batchSize: 8,
  epochs: 2,
  lr: 0.05,
  dropPathProb: 0.3,
  auxiliary: true,
  seed: 3,
};
const AUGMENT = { pad: 2, flip: true, cutout: 3 };
const AUGMENT_SEED = 11;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** 24 training images (augmented by `augment`, as the CLI does) and 24 test images. */
function data(augment: Rng) {
  const d = tinyData(48, 8, 2);
  return {
    shape: d.shape,
    splits: { train: augmentedSource(d.train, augment, AUGMENT), test: d.val },
    dispose: () => {
      d.train.dispose();
      d.val.dispose();
    },
  };
}

function comparable(e: RetrainEvent): unknown {
  if (e.type !== 'step') return e;
  const { imagesPerSecond: _ips, elapsedMs: _ms, ...rest } = e;
  return rest;
}

async function capture(state: RetrainState, run: RetrainRun, augment: Rng) {
  return captureRetrainCheckpoint(state, run.position(), {
    rngs: { augment },
    host: { dataset: 'synthetic' },
  });
}

function maxAbsDifference(a: RetrainCheckpoint, b: RetrainCheckpoint): number {
  let max = 0;
  a.tensors.forEach((t, i) => {
    const other = b.tensors[i]?.values as Float32Array;
    for (let j = 0; j < t.values.length; j++) {
      max = Math.max(max, Math.abs((t.values[j] as number) - (other[j] as number)));
    }
  });
  return max;
}

interface Straight {
  readonly saved: Map<string, { bytes: Uint8Array; events: number }>;
  readonly events: unknown[];
  readonly final: RetrainCheckpoint;
}

async function straightRun(saveAfter: Record<string, number>): Promise<Straight> {
  const augment = Rng.fromSeed(AUGMENT_SEED);
  const d = data(augment);
  const state = createRetrainState(CONFIG, DARTS_V2, d.shape);
  const saved = new Map<string, { bytes: Uint8Array; events: number }>();
  const events: unknown[] = [];
  try {
    const run = runRetrain(state, d.splits);
    for await (const e of run) {
      events.push(comparable(e));
      for (const [label, after] of Object.entries(saveAfter)) {
        if (after === events.length) {
          saved.set(label, {
            bytes: encodeRetrainCheckpoint(await capture(state, run, augment)),
            events: events.length,
          });
        }
      }
    }
    return { saved, events, final: await capture(state, run, augment) };
  } finally {
    d.dispose();
    disposeRetrainState(state);
  }
}

/** Decodes, restores and trains to the end; the options break one part of the restore. */
async function resumedRun(
  bytes: Uint8Array,
  broken: { freshAugment?: boolean; zeroMomentum?: boolean } = {},
) {
  const checkpoint = decodeRetrainCheckpoint(bytes);
  const augment = broken.freshAugment
    ? Rng.fromSeed(AUGMENT_SEED)
    : restoreRetrainRng(checkpoint, 'augment');
  const d = data(augment);
  const state = restoreRetrainState(checkpoint, d.shape);
  if (broken.zeroMomentum) {
    for (const b of Object.values(state.optimizer.buffers))
      tf.tidy(() => b.assign(tf.zerosLike(b)));
  }
  const events: RetrainEvent[] = [];
  try {
    const run = runRetrain(state, d.splits, { resume: checkpoint.position });
    for await (const e of run) events.push(e);
    return { checkpoint, events, final: await capture(state, run, augment) };
  } finally {
    d.dispose();
    disposeRetrainState(state);
  }
}

describe('resuming a retrain from a checkpoint (cpu)', () => {
  // Events of the straight run: steps 1–3, epoch 0, steps 4–6, epoch 1, done.
  const points = { midEpoch: 2, beforeTest: 3, epochBoundary: 4 };
  let straight: Straight;

  beforeAll(async () => {
    straight = await straightRun(points);
  });

  for (const label of Object.keys(points)) {
    it(`continues bit for bit from a checkpoint taken ${label}`, async () => {
      const saved = straight.saved.get(label);
      if (!saved) throw new Error(`no checkpoint ${label}`);
      const before = tf.memory().numTensors;
      const resumed = await resumedRun(saved.bytes);
      expect(tf.memory().numTensors).toBe(before);
      // The same events from the checkpoint on: steps, learning rates, losses, test results.
      expect(resumed.events.map(comparable)).toEqual(straight.events.slice(saved.events));
      // Weights, BatchNorm statistics and momentum buffers, bitwise.
      expect(maxAbsDifference(resumed.final, straight.final)).toBe(0);
      expect(resumed.final.rngs).toEqual(straight.final.rngs);
      expect({ ...resumed.final.position, elapsedMs: 0 }).toEqual({
        ...straight.final.position,
        elapsedMs: 0,
      });
    });
  }

  it('saves the position with the epoch order and the last test result', () => {
    const mid = decodeRetrainCheckpoint(straight.saved.get('midEpoch')?.bytes as Uint8Array);
    expect(mid.position).toMatchObject({ epoch: 0, stepInEpoch: 2, step: 2, summary: null });
    expect([...(mid.position.order as Int32Array)].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 24 }, (_, i) => i),
    );
    const boundary = decodeRetrainCheckpoint(
      straight.saved.get('epochBoundary')?.bytes as Uint8Array,
    );
    const test = straight.events[3] as { testLoss: number; testAccuracy: number };
    expect(boundary.position).toMatchObject({
      epoch: 1,
      stepInEpoch: 0,
      step: 3,
      order: null,
      summary: { epochs: 1, testLoss: test.testLoss, testAccuracy: test.testAccuracy },
    });
    expect(boundary.host).toEqual({ dataset: 'synthetic' });
    expect(boundary.tensors.some((t) => t.name.startsWith('sgd.momentum.auxiliary.'))).toBe(true);
  });

  it('diverges when the momentum or the augmentation state is not restored', async () => {
    const saved = straight.saved.get('midEpoch');
    if (!saved) throw new Error('no checkpoint');
    const noMomentum = await resumedRun(saved.bytes, { zeroMomentum: true });
    expect(maxAbsDifference(noMomentum.final, straight.final)).toBeGreaterThan(1e-4);
    const freshAugment = await resumedRun(saved.bytes, { freshAugment: true });
    expect(maxAbsDifference(freshAugment.final, straight.final)).toBeGreaterThan(1e-4);
  });

  it('refuses other files and bad positions, naming what is wrong', () => {
    const good = straight.saved.get('midEpoch')?.bytes as Uint8Array;
    // Neither a search checkpoint nor a model file reads it as theirs, nor it theirs.
    expect(() => decodeCheckpoint(good)).toThrow(/format is "nas-lab.retrain-checkpoint"/);
    expect(() => decodeTrainedModel(good)).toThrow(/invalid trained model: .*format/);
    expect(() => decodeRetrainCheckpoint(good.subarray(0, 40))).toThrow(
      /^invalid retrain checkpoint: the file is truncated/,
    );
    expect(() => decodeRetrainCheckpoint(new TextEncoder().encode('{"a": 1}'))).toThrow(
      /^invalid retrain checkpoint: not a NAS Lab file/,
    );
    const manifestLength = new DataView(good.buffer, good.byteOffset).getUint32(12, true);
    const text = new TextDecoder().decode(good.subarray(16, 16 + manifestLength));
    const edited = (edit: (m: Record<string, Record<string, unknown>>) => void) => {
      const m = JSON.parse(text) as Record<string, Record<string, unknown>>;
      edit(m);
      const bytes = new TextEncoder().encode(JSON.stringify(m));
      const dataStart = Math.ceil((16 + manifestLength) / 4) * 4;
      const start = Math.ceil((16 + bytes.length) / 4) * 4;
      const out = new Uint8Array(start + good.length - dataStart);
      out.set(good.subarray(0, 16));
      new DataView(out.buffer).setUint32(12, bytes.length, true);
      out.set(bytes, 16);
      out.set(good.subarray(dataStart), start);
      return out;
    };
    const cases: [string, (m: Record<string, Record<string, unknown>>) => void, RegExp][] = [
      ['a step off its epoch', (m) => void (m.position!.step = 5), /step 5 does not match/],
      [
        'a test result of the wrong epoch',
        (m) => void (m.position!.summary = { epochs: 1, testLoss: 1, testAccuracy: 0.5 }),
        /0 epochs are finished, but the test result is of 1/,
      ],
      ['no retrain random state', (m) => void delete m.rngs!.retrain, /rngs has no "retrain"/],
      ['a bad order', (m) => void ((m.position!.order as number[])[0] = 99), /not a permutation/],
      ['an unknown field', (m) => void (m.position!.extra = 1), /unknown field "extra"/],
      ['a bad config', (m) => void (m.config!.layers = 0), /invalid retrain checkpoint: config/],
      [
        'another genotype',
        (m) => void (m.genotype = { ...m.genotype, normal: [['sep_conv_3x3', 0]] }),
        /invalid retrain checkpoint: /,
      ],
    ];
    for (const [what, edit, message] of cases) {
      expect(() => decodeRetrainCheckpoint(edited(edit)), what).toThrow(message);
    }
  });
});
