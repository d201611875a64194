/**
 * The CDARTS search run kind on the cpu backend, through the registry: a tiny search reports
 * its warm-up, cycle, evaluation warm-up and joint steps and its epochs in the uniform shape;
 * checkpoints inside a phase and at an epoch's end resume into the very reports of the
 * uninterrupted run (and a tampered random state does not); live rates survive a checkpoint;
 * checkpoints the lab and the command line wrote before the run kinds resume; bad settings are
 * refused by key; and the numbers are the lab job's (as test/fixtures/convLabJobs.json recorded
 * them, with the lab's bytes, before that job was deleted).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  decodeCdartsCheckpoint,
  encodeCdartsCheckpoint,
} from '../../src/nas/cdarts/cdartsCheckpoint';
import type { CdartsSettings } from '../../src/nas/cdarts/cdartsKindInfo';
import { CDARTS_INFO, CDARTS_SCHEMA } from '../../src/nas/cdarts/cdartsKindInfo';
import { runKindForCheckpoint, selectRunKind } from '../../src/nas/runKind/registry';
import type { Run, RunReport, StepReport } from '../../src/nas/runKind/runKind';
import type { Settings } from '../../src/nas/runKind/settingsSchema';
import { defaultSettings } from '../../src/nas/runKind/settingsSchema';
import { Rng } from '../../src/nas/tensor/random';
import * as tf from '../../src/nas/tensor/tf';
import RECORDED from '../fixtures/convLabJobs.json';
import { drain, finiteMetrics, fromBase64, indexOf, testEnv } from '../support/kindRuns';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * 32 synthetic 8×8 images, 16 per half in batches of 8: 2 steps an epoch; a warm-up epoch of 2
 * search-network steps, then a cycle of 2 evaluation-network steps and 2 joint steps.
 */
const TINY: CdartsSettings = {
  ...(defaultSettings(CDARTS_SCHEMA, 'demo') as CdartsSettings),
  dataset: 'synthetic',
  images: 32,
  imageSize: 8,
  batchSize: 8,
  seed: 5,
  // The plain backward, as the recorded lab jobs and their checkpoints computed it (checkpointed
  // cells give the same numbers up to float32 round-off, not bit for bit: test/nas/checkpointed*).
  checkpointCells: false,
  // The running statistics, as the recorded lab jobs evaluated, and as checkpoints written before
  // the setting resume (test/runKind/bnRecalibrationSetting.test.ts shows the training unchanged).
  bnRecalibration: 0,
  // Three candidates (one convolution) keep each step short on the cpu backend.
  ops: ['max_pool_3x3', 'skip_connect', 'sep_conv_3x3'],
};

const kind = () => selectRunKind('search', { space: 'cnn', algorithm: 'cdarts' }).load();
const create = async (): Promise<Run> => (await kind()).create(TINY, testEnv());
const resume = async (bytes: Uint8Array): Promise<Run> =>
  (await runKindForCheckpoint(bytes).load()).resume(bytes, testEnv());

let tinyRun: Promise<RunReport[]> | null = null;
/** The uninterrupted tiny run's reports, computed once. */
function uninterrupted(): Promise<RunReport[]> {
  tinyRun ??= create().then(async (run) => {
    try {
      return await drain(run);
    } finally {
      await run.dispose();
    }
  });
  return tinyRun;
}

const isStep = (n: number) => (r: RunReport) => r.type === 'step' && r.step === n;
const phase = (r: RunReport | undefined) => (r?.detail as { phase?: string } | undefined)?.phase;

async function resumedAfter(
  stop: (r: RunReport) => boolean,
  live: Readonly<Record<string, number>> = {},
  tamper: (bytes: Uint8Array) => Uint8Array = (b) => b,
): Promise<{ reports: RunReport[]; step: number; settings: Settings }> {
  const first = await create();
  await drain(first, stop);
  first.setLive(live);
  const bytes = tamper(await first.checkpoint());
  await first.dispose();
  const run = await resume(bytes);
  const { step, settings } = run;
  const reports = await drain(run);
  await run.dispose();
  expect(reports[0]?.type).toBe('note');
  return { reports: reports.slice(1), step, settings };
}

describe('CDARTS run kind (cpu)', () => {
  it('is the kind of its checkpoints, in the core format', async () => {
    const run = await create();
    const bytes = await run.checkpoint();
    await run.dispose();
    expect(runKindForCheckpoint(bytes).info).toBe(CDARTS_INFO);
    expect(decodeCdartsCheckpoint(bytes).config.searchLayers).toBe(TINY.layers);
  });

  it('reports each phase, the cycle, the epochs and NNI exports, with finite figures', async () => {
    const reports = await uninterrupted();
    expect(reports.map((r) => (r.type === 'step' ? phase(r) : r.type))).toEqual([
      'note',
      'searchWarmup',
      'searchWarmup',
      'epoch',
      'note',
      'evalWarmup',
      'evalWarmup',
      'joint',
      'joint',
      'epoch',
      'done',
    ]);
    expect(reports.every(finiteMetrics)).toBe(true);
    const steps = reports.filter((r): r is StepReport => r.type === 'step');
    expect(steps.map((s) => [s.step, s.totalSteps])).toEqual([1, 2, 3, 4, 5, 6].map((n) => [n, 6]));
    const keys = (s: StepReport | undefined) => Object.keys(s?.metrics ?? {}).sort();
    expect(keys(steps[0])).toEqual(['trainAccuracy', 'trainLoss']);
    expect(keys(steps[2])).toEqual(['evalAccuracy', 'evalLoss']);
    expect(keys(steps[4])).toEqual([
      'alphaObjective',
      'distillationLoss',
      'evalAccuracy',
      'evalLoss',
      'penalty',
      'trainAccuracy',
      'trainLoss',
      'valAccuracy',
      'valLoss',
    ]);
    expect(steps.map((s) => s.alphaMaxAbs !== undefined)).toEqual([
      false,
      false,
      false,
      false,
      true,
      true,
    ]);
    expect(steps.map((s) => s.files?.map((f) => f.path) ?? [])).toEqual([
      [],
      [],
      [],
      [],
      ['genotype.json'],
      ['genotype.json'],
    ]);
    for (const s of steps) expect(s.alphas?.map((g) => g.name)).toEqual(['normal', 'reduce']);
    expect(reports[4]?.type === 'note' && reports[4].text).toMatch(/cycle at epoch 2/);
    const [warm, cycle] = reports.filter((r) => r.type === 'epoch');
    expect(Object.keys(warm?.type === 'epoch' ? warm.metrics : {}).sort()).toEqual([
      'valAccuracy',
      'valLoss',
    ]);
    expect(cycle?.type === 'epoch' && cycle.metrics.evalLoss).toBeGreaterThan(0);
    expect(cycle?.type === 'epoch' && cycle.files?.map((f) => f.path)).toEqual([
      'genotype.json',
      'nni/epoch_1.json',
    ]);
  });

  it('resumes inside a phase, at an epoch boundary and after a joint step, bit for bit', async () => {
    const full = await uninterrupted();
    for (const n of [3, 5]) {
      const at = await resumedAfter(isStep(n));
      expect(at.step).toBe(n);
      expect(at.settings).toEqual(TINY);
      expect(at.reports).toEqual(full.slice(indexOf(full, isStep(n)) + 1));
    }
    const boundary = await resumedAfter((r) => r.type === 'epoch');
    expect(boundary.reports).toEqual(full.slice(indexOf(full, (r) => r.type === 'epoch') + 1));
  });

  it('resumes into other reports when the random state is not the saved one', async () => {
    const full = await uninterrupted();
    const tampered = await resumedAfter(isStep(4), {}, (bytes) => {
      const c = decodeCdartsCheckpoint(bytes);
      return encodeCdartsCheckpoint({ ...c, rng: Rng.fromSeed(99).snapshot() });
    });
    expect(tampered.reports).not.toEqual(full.slice(indexOf(full, isStep(4)) + 1));
  });

  it('keeps live rates across a checkpoint', async () => {
    const live = { weightLr: 0.05, nasnetLr: 0.04, alphaLr: 0.01 };
    const straight = await create();
    await drain(straight, isStep(4));
    straight.setLive(live);
    expect(() => straight.setLive({ lossT: 3 })).toThrow('lossT cannot change');
    const rest = await drain(straight);
    await straight.dispose();
    const resumed = await resumedAfter(isStep(4), live);
    expect(resumed.settings).toEqual({ ...TINY, ...live });
    expect(resumed.reports).toEqual(rest);
    const full = await uninterrupted();
    expect(rest).not.toEqual(full.slice(indexOf(full, isStep(4)) + 1));
  });

  it('resumes a checkpoint the lab wrote before the run kinds', async () => {
    const full = await uninterrupted();
    const saved = fromBase64(RECORDED.cdarts.checkpointAfterThreeAdvances);
    const old = decodeCdartsCheckpoint(saved);
    expect([old.host, old.hostRngs]).toEqual([
      { dataset: 'synthetic', images: 32, imageSize: 8 },
      undefined,
    ]);
    expect(old.position.step).toBe(2);
    const run = await resume(saved);
    expect(run.settings).toEqual(TINY);
    const reports = await drain(run);
    await run.dispose();
    expect(reports.slice(1)).toEqual(full.slice(indexOf(full, (r) => r.type === 'epoch') + 1));
  });

  it('reads old data settings or none, and refuses a configuration it cannot set', async () => {
    const full = await uninterrupted();
    const first = await create();
    await drain(first, isStep(5));
    const c = decodeCdartsCheckpoint(await first.checkpoint());
    await first.dispose();
    // Stored settings from before the weight decay setting: the trainer default they ran at.
    const { weightDecay: _unset, ...older } = c.host ?? {};
    const filled = await resume(encodeCdartsCheckpoint({ ...c, host: older }));
    expect(filled.settings).toEqual(TINY);
    expect(TINY.weightDecay).toBe(3e-4);
    await filled.dispose();
    const host = { dataset: 'synthetic', images: 0, imageSize: 0 };
    const run = await resume(encodeCdartsCheckpoint({ ...c, host }));
    expect(run.settings).toEqual({ ...TINY, images: 0, imageSize: 0 });
    await run.dispose();
    const odd = encodeCdartsCheckpoint({ ...c, host, config: { ...c.config, gradClip: 1 } });
    await expect(resume(odd)).rejects.toThrow('differs from what its settings make in gradClip');
    // No host settings: the data is read from the file's shape and the samplers' orders.
    const bare = await resume(encodeCdartsCheckpoint({ ...c, host: undefined }));
    expect(bare.settings).toEqual(TINY);
    const reports = await drain(bare);
    await bare.dispose();
    expect(reports.slice(1)).toEqual(full.slice(indexOf(full, isStep(5)) + 1));
  });

  it('refuses bad settings, naming the key', async () => {
    const k = await kind();
    const cases: [Partial<CdartsSettings>, string][] = [
      [{ warmupEpochs: 2 }, 'warmupEpochs: warm-up epochs (2) must be fewer than the epochs (2)'],
      [{ imageSize: 4 }, 'imageSize: image size 4x4 leaves a 1x1 map'],
      [{ nasnetLr: 0 }, 'nasnetLr: evaluation weight learning rate (nasnetLr) must be a positive'],
      [{ interactiveType: 'l2' }, 'interactiveType is not one of kl, smoothl1'],
      [{ evalLayers: 2 }, 'evalLayers is below 3'],
    ];
    for (const [change, message] of cases) {
      await expect(k.create({ ...TINY, ...change }, testEnv())).rejects.toThrow(message);
    }
  });

  it('makes the numbers of the lab job it replaces (recorded)', async () => {
    const reports = await uninterrupted();
    const now = reports.flatMap((r) => {
      if (r.type === 'epoch') return [[r.metrics.valLoss, r.metrics.evalLoss ?? null]];
      if (r.type !== 'step') return [];
      return [
        [
          phase(r),
          r.metrics.trainLoss ?? null,
          r.metrics.evalLoss ?? null,
          r.metrics.alphaObjective ?? null,
          r.metrics.distillationLoss ?? null,
          phase(r) === 'joint' ? r.alphas?.[0]?.softmax : null,
          phase(r) === 'joint' ? r.genotype : null,
        ],
      ];
    });
    expect(now.length).toBe(8);
    expect(now).toEqual(RECORDED.cdarts.numbers);
  });

  it('diverges on request in any phase', async () => {
    const run = await create();
    await drain(run, isStep(2));
    run.injectFault?.('nan');
    const rest = await drain(run, isStep(3));
    const step = rest.at(-1);
    expect(phase(step)).toBe('evalWarmup');
    expect(step?.type === 'step' && step.metrics.evalLoss).toBeNaN();
    await run.dispose();
  });
});
