/**
 * The DARTS search run kind on the cpu backend, through the registry: a tiny search reports its
 * steps, epochs and end in the uniform shape; a checkpoint taken mid-epoch or at an epoch's end
 * resumes into the very reports the uninterrupted run gives (and a tampered random state does
 * not); live rates survive a checkpoint; checkpoints the lab and the command line wrote before
 * the run kinds resume; bad settings are refused by key; and the numbers are the lab job's (as
 * test/fixtures/convLabJobs.json recorded them, with the lab's bytes, before that job was deleted).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DARTS_SCHEMA } from '../../src/nas/darts/dartsKindInfo';
import type { DartsSettings } from '../../src/nas/darts/dartsKindInfo';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/nas/darts/searchCheckpoint';
import { genotypeFromJson } from '../../src/nas/genotype/genotype';
import { cosineLr } from '../../src/nas/optim/cosineSchedule';
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

/** 32 synthetic 8×8 images: 16 per half, batches of 8, 2 steps an epoch, 4 in all. */
const TINY: DartsSettings = {
  ...(defaultSettings(DARTS_SCHEMA, 'demo') as DartsSettings),
  dataset: 'synthetic',
  images: 32,
  imageSize: 8,
  batchSize: 8,
  epochs: 2,
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

const kind = () => selectRunKind('search', { space: 'cnn' }).load();
const create = async (settings: DartsSettings = TINY): Promise<Run> =>
  (await kind()).create(settings, testEnv());
const resume = async (bytes: Uint8Array): Promise<Run> =>
  (await runKindForCheckpoint(bytes).load()).resume(bytes, testEnv());

/** The uninterrupted tiny run's reports, computed once. */
let tinyRun: Promise<RunReport[]> | null = null;
const uninterrupted = (): Promise<RunReport[]> => (tinyRun ??= whole());

async function whole(settings: DartsSettings = TINY): Promise<RunReport[]> {
  const run = await create(settings);
  try {
    return await drain(run);
  } finally {
    await run.dispose();
  }
}

const isStep = (n: number) => (r: RunReport) => r.type === 'step' && r.step === n;

/** The reports after a checkpoint taken once `stop` accepted one, resumed; and the run's settings. */
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

describe('DARTS run kind (cpu)', () => {
  it('is the cnn space default and the kind of its checkpoints', async () => {
    expect(selectRunKind('search', { space: 'cnn' }).info.id).toBe('darts');
    const run = await create();
    expect(runKindForCheckpoint(await run.checkpoint()).info.id).toBe('darts');
    await run.dispose();
  });

  it('reports a note, steps, epochs and the end, with finite figures and the genotype', async () => {
    const reports = await uninterrupted();
    expect(reports.map((r) => r.type)).toEqual([
      'note',
      'step',
      'step',
      'epoch',
      'step',
      'step',
      'epoch',
      'done',
    ]);
    expect(reports.every(finiteMetrics)).toBe(true);
    const steps = reports.filter((r): r is StepReport => r.type === 'step');
    expect(steps.map((s) => [s.step, s.epoch, s.totalSteps])).toEqual([
      [1, 0, 4],
      [2, 0, 4],
      [3, 1, 4],
      [4, 1, 4],
    ]);
    for (const s of steps) {
      // The collapse monitor's skip count at every step; its eigenvalue only with hessianEvery.
      expect(Object.keys(s.metrics).sort()).toEqual([
        'normalSkips',
        'trainAccuracy',
        'trainLoss',
        'valLoss',
        'weightLr',
      ]);
      expect(s.alphas?.map((g) => g.name)).toEqual(['normal', 'reduce']);
      for (const g of s.alphas ?? []) {
        expect(g.ops).toEqual(TINY.ops);
        expect(g.softmax.length).toBe(5);
        for (const row of g.softmax) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      }
      expect(Number.isFinite(s.alphaMaxAbs)).toBe(true);
      expect(genotypeFromJson(s.genotype).normal.length).toBe(4);
      expect(s.files?.map((f) => f.path)).toEqual(['genotype.json']);
    }
    const epoch = reports[3];
    expect(epoch?.type === 'epoch' && Object.keys(epoch.metrics).sort()).toEqual([
      'valAccuracy',
      'valLoss',
    ]);
    const done = reports.at(-1);
    expect(done?.type === 'done' && done.step).toBe(4);
    expect(done?.type === 'done' && done.files?.[0]?.data).toBe(steps[3]?.files?.[0]?.data);
  });

  it('resumes mid-epoch and at an epoch boundary into the reports of the uninterrupted run', async () => {
    const full = await uninterrupted();
    const mid = await resumedAfter(isStep(1));
    expect(mid.step).toBe(1);
    expect(mid.settings).toEqual(TINY);
    expect(mid.reports).toEqual(full.slice(indexOf(full, isStep(1)) + 1));
    const boundary = await resumedAfter((r) => r.type === 'epoch');
    expect(boundary.reports).toEqual(full.slice(indexOf(full, (r) => r.type === 'epoch') + 1));
  });

  it('resumes into other reports when the random state is not the saved one', async () => {
    const full = await uninterrupted();
    const tampered = await resumedAfter(isStep(2), {}, (bytes) => {
      const c = decodeCheckpoint(bytes);
      const rngs = { ...c.rngs, search: Rng.fromSeed(99).snapshot() };
      return encodeCheckpoint({ ...c, rngs });
    });
    // The next epoch's image order comes from the search generator.
    expect(tampered.reports).not.toEqual(full.slice(indexOf(full, isStep(2)) + 1));
  });

  it('keeps live rates across a checkpoint, and refuses settings that are not live', async () => {
    const straight = await create();
    await drain(straight, isStep(2));
    straight.setLive({ weightLr: 0.05, alphaLr: 0.01 });
    expect(() => straight.setLive({ epochs: 3 })).toThrow('epochs cannot change');
    expect(() => straight.setLive({ weightLr: -1 })).toThrow('weightLr is below 0');
    const rest = await drain(straight);
    await straight.dispose();
    const resumed = await resumedAfter(isStep(2), { weightLr: 0.05, alphaLr: 0.01 });
    expect(resumed.settings).toEqual({ ...TINY, weightLr: 0.05, alphaLr: 0.01 });
    expect(resumed.reports).toEqual(rest);
    const next = rest.find((r) => r.type === 'step');
    expect(next?.type === 'step' && next.metrics.weightLr).toBe(cosineLr(1, 2, 0.05, 0.001));
  });

  it('resumes a checkpoint the lab wrote before the run kinds (data settings only)', async () => {
    const full = await uninterrupted();
    const saved = fromBase64(RECORDED.darts.checkpointAfterStep1);
    expect(decodeCheckpoint(saved).host).toEqual({
      dataset: 'synthetic',
      images: 32,
      imageSize: 8,
    });
    const run = await resume(saved);
    expect(run.settings).toEqual(TINY);
    const reports = await drain(run);
    await run.dispose();
    expect(reports.slice(1)).toEqual(full.slice(indexOf(full, isStep(1)) + 1));
  });

  it("reads the command line's old data settings, and a file without any", async () => {
    const full = await uninterrupted();
    const first = await create();
    await drain(first, isStep(3));
    const c = decodeCheckpoint(await first.checkpoint());
    await first.dispose();
    const host = { dataset: 'synthetic', images: 0, imageSize: 0 };
    const cli = await resume(encodeCheckpoint({ ...c, host }));
    expect(cli.settings).toEqual({ ...TINY, images: 0, imageSize: 0 });
    await cli.dispose();
    const foreign = encodeCheckpoint({ ...c, host: { dataset: 'imagenet', images: 0 } });
    await expect(resume(foreign)).rejects.toThrow('"imagenet" is not one this build has');
    // No host settings: the data is read from the file's shape and counts.
    const bare = await resume(encodeCheckpoint({ ...c, host: undefined }));
    expect(bare.settings).toEqual(TINY);
    const reports = await drain(bare);
    await bare.dispose();
    expect(reports.slice(1)).toEqual(full.slice(indexOf(full, isStep(3)) + 1));
  });

  it('refuses bad settings, naming the key', async () => {
    const k = await kind();
    const cases: [Partial<DartsSettings>, string][] = [
      [{ batchSize: 0 }, 'batchSize is below 1'],
      [{ ops: ['none'] }, 'ops: op set holds only "none"'],
      [{ weightLr: 0 }, 'weightLr: weight learning rate must be a positive number'],
      [{ imageSize: 10 }, 'imageSize: image size 10x10 must be a multiple of 4'],
      [{ batchSize: 32 }, 'batchSize 32 is larger than half of the 32 images'],
      [{ dataset: 'imagenet' }, 'dataset is not one of default'],
    ];
    for (const [change, message] of cases) {
      await expect(k.create({ ...TINY, ...change }, testEnv())).rejects.toThrow(message);
    }
  });

  it('makes the numbers of the lab job it replaces, first and second order (recorded)', async () => {
    const recorded = [RECORDED.darts.firstOrder, RECORDED.darts.secondOrder];
    for (const [i, settings] of [
      TINY,
      { ...TINY, order: 2, epochs: 1 } as DartsSettings,
    ].entries()) {
      const reports = settings === TINY ? await uninterrupted() : await whole(settings);
      const now = reports.flatMap((r) =>
        r.type === 'step'
          ? [
              [
                r.metrics.trainLoss,
                r.metrics.trainAccuracy,
                r.metrics.valLoss,
                r.metrics.weightLr,
                r.alphaMaxAbs,
                r.alphas?.[0]?.softmax,
                r.alphas?.[1]?.softmax,
                r.genotype,
              ],
            ]
          : r.type === 'epoch'
            ? [[r.metrics.valLoss, r.metrics.valAccuracy]]
            : [],
      );
      expect(now.length).toBe(settings.epochs * 3);
      expect(now).toEqual(recorded[i]);
    }
  });

  it('reads the embedded dataset through the host, as the lab does', async () => {
    const settings = { ...TINY, dataset: 'default', images: 32, imageSize: 8 } as DartsSettings;
    const env = testEnv();
    const run = await (await kind()).create(settings, env);
    const [note, step] = await drain(run, isStep(1));
    await run.dispose();
    expect(env.requests).toEqual([{ dataset: 'default' }]);
    expect(note?.type === 'note' && note.text).toMatch(/32 images of 8x8x1 \(16 for weights/);
    expect(step?.type === 'step' && step.metrics.trainLoss).toBe(
      RECORDED.darts.embeddedFirstTrainLoss,
    );
  });

  it('diverges on request: NaN weights, then exploding alphas', async () => {
    const run = await create();
    await drain(run, isStep(1));
    run.injectFault?.('nan');
    const [nan] = await drain(run, isStep(2));
    expect(nan?.type === 'step' && nan.metrics.trainLoss).toBeNaN();
    await run.dispose();
    const other = await create();
    other.injectFault?.('explodeAlphas');
    const [, huge] = await drain(other, isStep(1));
    expect(huge?.type === 'step' && (huge.alphaMaxAbs ?? 0) > 100).toBe(true);
    await other.dispose();
  });
});
