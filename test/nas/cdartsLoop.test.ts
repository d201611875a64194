import { beforeAll, describe, expect, it } from 'vitest';
import type { CdartsConfig } from '../../src/nas/cdarts/cdartsConfig';
import { regularizationDecay, validateCdartsConfig } from '../../src/nas/cdarts/cdartsConfig';
import type { CdartsEvent, JointStepEvent } from '../../src/nas/cdarts/cdartsLoop';
import type { CdartsPosition } from '../../src/nas/cdarts/cdartsPosition';
import { runCdarts } from '../../src/nas/cdarts/cdartsLoop';
import { createCdartsState, disposeCdartsState } from '../../src/nas/cdarts/cdartsState';
import * as tf from '../../src/nas/tensor/tf';
import { tinyData } from '../support/tiny';
import { TINY_CDARTS } from '../support/tinyCdarts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** 16 images per half: 2 steps per epoch at batch 8. */
function data() {
  return tinyData(32, 8, 2);
}

interface Collected {
  readonly events: CdartsEvent[];
  /** Live tensors at each event. */
  readonly tensors: number[];
  readonly position: CdartsPosition;
  readonly alphas: number[];
}

async function collect(
  config: CdartsConfig,
  options: { stopAfter?: number; resumeAfter?: number } = {},
): Promise<Collected> {
  const before = tf.memory().numTensors;
  const d = data();
  const state = createCdartsState(config, d.shape);
  const events: CdartsEvent[] = [];
  const tensors: number[] = [];
  let position: CdartsPosition;
  try {
    let run = runCdarts(state, d);
    for await (const e of run) {
      events.push(e);
      tensors.push(tf.memory().numTensors);
      if (events.length === options.resumeAfter) break;
    }
    if (options.resumeAfter !== undefined) {
      run = runCdarts(state, d, { resume: run.position() });
      for await (const e of run) events.push(e);
    }
    position = run.position();
    const alphas = [...(await state.alphas.normal.data()), ...(await state.alphas.reduce.data())];
    return { events, tensors, position, alphas };
  } finally {
    disposeCdartsState(state);
    d.train.dispose();
    d.val.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }
}

function shape(e: CdartsEvent): string {
  switch (e.type) {
    case 'step':
      return `${e.epoch}:${e.phase}:${e.stepInPhase}/${e.stepsInPhase}`;
    case 'cycle':
    case 'epoch':
      return `${e.epoch}:${e.type}`;
    case 'done':
      return 'done';
  }
}

describe('CDARTS search loop (cpu)', () => {
  it('warms up the search network, then cycles: follow, evaluation warm-up, joint steps', async () => {
    const { events, tensors, position, alphas } = await collect(TINY_CDARTS);
    // The last joint step streams max |α| of the alphas the run ends with (nothing moves them after).
    const lastJoint = events.filter((e) => e.type === 'step' && e.phase === 'joint').at(-1);
    expect(lastJoint?.type === 'step' && lastJoint.phase === 'joint' && lastJoint.alphaMaxAbs).toBe(
      Math.max(...alphas.map(Math.abs)),
    );
    expect(events.map(shape)).toEqual([
      '0:searchWarmup:1/2',
      '0:searchWarmup:2/2',
      '0:epoch',
      '1:cycle',
      '1:evalWarmup:1/2',
      '1:evalWarmup:2/2',
      '1:joint:1/2',
      '1:joint:2/2',
      '1:epoch',
      '2:cycle',
      '2:evalWarmup:1/2',
      '2:evalWarmup:2/2',
      '2:joint:1/2',
      '2:joint:2/2',
      '2:epoch',
      'done',
    ]);
    expect(events.flatMap((e) => (e.type === 'step' ? [e.step] : []))).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    expect(position.epoch).toBe(3);

    // No tensor is lost within a cycle (the weight pool grows only when the genotype changes).
    const within = (epoch: number) =>
      tensors.filter((_, i) => {
        const e = events[i] as CdartsEvent;
        return e.type === 'step' && e.epoch === epoch && e.phase === 'joint';
      });
    for (const epoch of [1, 2]) expect(new Set(within(epoch)).size).toBe(1);

    const joints = events.filter(
      (e): e is JointStepEvent => e.type === 'step' && e.phase === 'joint',
    );
    for (const j of joints) {
      for (const v of [
        j.search.valLoss,
        j.search.trainLoss,
        j.eval.valLoss,
        j.distillationLoss,
        j.penalty,
        j.alphaObjective,
      ]) {
        expect(Number.isFinite(v)).toBe(true);
      }
      expect(j.distillationLoss).toBeGreaterThan(0);
      expect(j.regDecay).toBe(regularizationDecay(TINY_CDARTS, j.epoch));
      // The objective the alphas descend: (CE + CE) / loss_alpha + distillation + reg.
      expect(j.alphaObjective).toBeCloseTo(
        (j.search.valLoss + j.eval.valLoss) / TINY_CDARTS.lossAlpha +
          j.distillationLoss +
          j.regDecay * j.penalty,
        4,
      );
      for (const row of [...j.alphaSoftmax.normal, ...j.alphaSoftmax.reduce]) {
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      }
    }
    // The regularizer decays: 5 in the first cycle, 5 · (1 − 1 / (2 · 0.667)) in the second.
    expect(joints[0]?.regDecay).toBe(5);
    expect(joints[3]?.regDecay).toBeCloseTo(5 * (1 - 1 / (2 * 0.667)), 10);

    // The evaluation network follows the search network's genotype at every cycle.
    events.forEach((e, i) => {
      if (e.type !== 'cycle') return;
      const previous = events[i - 1];
      if (previous?.type !== 'epoch') throw new Error('a cycle follows an epoch');
      expect(e.genotype).toEqual(previous.genotype);
      const epochEnd = events.find((x) => x.type === 'epoch' && x.epoch === e.epoch);
      expect(epochEnd?.type === 'epoch' && epochEnd.evalGenotype).toEqual(e.genotype);
    });
    const epochs = events.filter((e) => e.type === 'epoch');
    expect(epochs.map((e) => e.type === 'epoch' && e.eval !== null)).toEqual([false, true, true]);
    // The search network learns the synthetic task during the warm-up and the cycles.
    const warm = events.filter((e) => e.type === 'step' && e.phase === 'searchWarmup');
    const first =
      warm[0]?.type === 'step' && warm[0].phase === 'searchWarmup' ? warm[0].trainLoss : 0;
    const last = joints.at(-1)?.search.trainLoss ?? Infinity;
    expect(last).toBeLessThan(first);
  });

  it('cuts choices on schedule and resumes from a position exactly', async () => {
    const config = validateCdartsConfig({
      ...TINY_CDARTS,
      epochs: 2,
      evalWarmupEpochs: 0,
      cutSchedule: [{ epoch: 1, cutNum: 2 }],
    });
    const whole = await collect(config);
    // Stop after the first joint step (events: 2 warm-up steps, epoch, cycle, joint) and resume.
    const resumed = await collect(config, { resumeAfter: 5 });
    expect(resumed.events.map(shape)).toEqual(whole.events.map(shape));
    expect(resumed.events.map(shape)).toEqual([
      '0:searchWarmup:1/2',
      '0:searchWarmup:2/2',
      '0:epoch',
      '1:cycle',
      '1:joint:1/2',
      '1:joint:2/2',
      '1:epoch',
      'done',
    ]);
    const numbers = (events: CdartsEvent[]) =>
      events.flatMap((e) =>
        e.type === 'step' && e.phase === 'joint'
          ? [e.search.valLoss, e.eval.valLoss, e.distillationLoss, e.search.trainLoss]
          : [],
      );
    expect(numbers(resumed.events)).toEqual(numbers(whole.events));
    expect(resumed.alphas).toEqual(whole.alphas);

    const cycle = whole.events.find((e) => e.type === 'cycle');
    expect(cycle?.type === 'cycle' && cycle.cutNum).toBe(2);
    for (const e of whole.events) {
      if (e.type !== 'step' || e.phase !== 'joint') continue;
      for (const row of [...e.alphaSoftmax.normal, ...e.alphaSoftmax.reduce]) {
        expect(row.filter((p) => p === 0).length).toBe(2);
        expect(row.every(Number.isFinite)).toBe(true);
      }
    }
    expect(whole.alphas.every(Number.isFinite)).toBe(true);
  });

  it('rejects a batch larger than a half and an impossible position', async () => {
    await expect(collect({ ...TINY_CDARTS, batchSize: 32 })).rejects.toThrow(
      /batch size 32 is larger than the weight-training split \(16 images\)/,
    );
    const d = data();
    const state = createCdartsState(TINY_CDARTS, d.shape);
    try {
      const run = runCdarts(state, d, {
        resume: {
          epoch: 0,
          phase: 'joint',
          stepInPhase: 0,
          step: 0,
          train: { order: null, offset: 0 },
          val: { order: null, offset: 0 },
          elapsedMs: 0,
        },
      });
      await expect(run.next()).rejects.toThrow(/epoch 0 has no phase "joint"/);
    } finally {
      disposeCdartsState(state);
      d.train.dispose();
      d.val.dispose();
    }
  });
});
