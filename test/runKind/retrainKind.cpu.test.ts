/**
 * The convolutional retrain run kind on the cpu backend, through the registry: a tiny retrain
 * reports its steps, its epochs with the trained model and its end in the uniform shape;
 * checkpoints mid-epoch and at an epoch's end resume into the very reports of the uninterrupted
 * run (and a tampered random state does not); the live learning rate and a genotype text too
 * long for the checkpoint's settings survive a checkpoint; checkpoints the lab wrote before the
 * run kinds resume; bad settings are refused by key; and the numbers are the lab job's (as
 * test/fixtures/convLabJobs.json recorded them, with the lab's bytes, before that job was
 * deleted).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { genotypeToJson, parseGenotype, stringifyGenotype } from '../../src/nas/genotype/genotype';
import { DARTS_V2 } from '../../src/nas/genotype/publishedGenotypes';
import {
  decodeRetrainCheckpoint,
  encodeRetrainCheckpoint,
} from '../../src/nas/retrain/retrainCheckpoint';
import type { RetrainSettings } from '../../src/nas/retrain/retrainKindInfo';
import { RETRAIN_SCHEMA } from '../../src/nas/retrain/retrainKindInfo';
import { decodeTrainedModel } from '../../src/nas/retrain/trainedModel';
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

/** 16 embedded images of 8×8 in batches of 8 (2 steps an epoch, 4 in all), tested on 8. */
const TINY = {
  ...defaultSettings(RETRAIN_SCHEMA, 'demo'),
  channels: 2,
  batchSize: 8,
  epochs: 2,
  images: 16,
  testImages: 8,
  seed: 3,
  // The plain backward, as the recorded lab jobs and their checkpoints computed it (checkpointed
  // cells give the same numbers up to float32 round-off, not bit for bit: test/nas/checkpointed*).
  checkpointCells: false,
  // The running statistics, as the recorded lab jobs evaluated, and as checkpoints written before
  // the setting resume (test/runKind/bnRecalibrationSetting.test.ts shows the training unchanged).
  bnRecalibration: 0,
} as RetrainSettings;

const kind = () => selectRunKind('retrain', { space: 'cnn' }).load();
const create = async (settings: RetrainSettings = TINY): Promise<Run> =>
  (await kind()).create(settings, testEnv());
const resume = async (bytes: Uint8Array): Promise<Run> =>
  (await runKindForCheckpoint(bytes).load()).resume(bytes, testEnv());

async function whole(settings: RetrainSettings): Promise<RunReport[]> {
  const run = await create(settings);
  try {
    return await drain(run);
  } finally {
    await run.dispose();
  }
}

let tinyRun: Promise<RunReport[]> | null = null;
const uninterrupted = (): Promise<RunReport[]> => (tinyRun ??= whole(TINY));

const isStep = (n: number) => (r: RunReport) => r.type === 'step' && r.step === n;

async function resumedAfter(
  stop: (r: RunReport) => boolean,
  options: {
    readonly settings?: RetrainSettings;
    readonly live?: Readonly<Record<string, number>>;
    readonly tamper?: (bytes: Uint8Array) => Uint8Array;
  } = {},
): Promise<{ reports: RunReport[]; step: number; settings: Settings }> {
  const first = await create(options.settings);
  await drain(first, stop);
  first.setLive(options.live ?? {});
  const bytes = (options.tamper ?? ((b) => b))(await first.checkpoint());
  await first.dispose();
  const run = await resume(bytes);
  const { step, settings } = run;
  const reports = await drain(run);
  await run.dispose();
  expect(reports[0]?.type).toBe('note');
  return { reports: reports.slice(1), step, settings };
}

const tail = (full: readonly RunReport[], stop: (r: RunReport) => boolean) =>
  full.slice(indexOf(full, stop) + 1);

describe('retrain run kind (cpu)', () => {
  it('is the kind of its checkpoints, in the core format', async () => {
    const run = await create();
    const bytes = await run.checkpoint();
    await run.dispose();
    expect(runKindForCheckpoint(bytes).info.id).toBe('retrain');
    expect(decodeRetrainCheckpoint(bytes).config.channels).toBe(TINY.channels);
  });

  it('reports steps, epochs with the model, and the end with the model and genotype', async () => {
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
    expect(reports[0]?.type === 'note' && reports[0].text).toMatch(
      /retraining DARTS_V2 on default: 16 training and 8 test images of 8x8x1/,
    );
    expect(reports.every(finiteMetrics)).toBe(true);
    const steps = reports.filter((r): r is StepReport => r.type === 'step');
    expect(steps.map((s) => [s.step, s.epoch, s.totalSteps])).toEqual([
      [1, 0, 4],
      [2, 0, 4],
      [3, 1, 4],
      [4, 1, 4],
    ]);
    expect(Object.keys(steps[0]?.metrics ?? {}).sort()).toEqual([
      'dropPathProb',
      'lr',
      'trainAccuracy',
      'trainLoss',
    ]);
    const epochs = reports.filter((r) => r.type === 'epoch');
    const model = (r: RunReport | undefined) =>
      r?.type === 'epoch' || r?.type === 'done' ? r.files?.[0] : undefined;
    for (const [i, e] of epochs.entries()) {
      const file = model(e);
      expect(file?.path).toBe('model.nas');
      const decoded = decodeTrainedModel(file?.data as Uint8Array);
      expect(decoded.training.epochs).toBe(i + 1);
      expect(e.type === 'epoch' && decoded.training.testAccuracy).toBe(
        e.type === 'epoch' && e.metrics.testAccuracy,
      );
    }
    const done = reports.at(-1);
    expect(done?.type === 'done' && done.files?.map((f) => f.path)).toEqual([
      'model.nas',
      'genotype.json',
    ]);
    expect(model(done)?.data).toEqual(model(epochs[1])?.data);
    const written = done?.type === 'done' ? done.files?.[1]?.data : undefined;
    expect(typeof written === 'string' && parseGenotype(written)).toEqual(DARTS_V2);
  });

  it('resumes mid-epoch and at an epoch boundary into the reports of the uninterrupted run', async () => {
    const full = await uninterrupted();
    const mid = await resumedAfter(isStep(1));
    expect([mid.step, mid.settings]).toEqual([1, TINY]);
    expect(mid.reports).toEqual(tail(full, isStep(1)));
    const boundary = await resumedAfter((r) => r.type === 'epoch');
    expect(boundary.reports).toEqual(tail(full, (r) => r.type === 'epoch'));
  });

  it('resumes into other reports when the random state is not the saved one', async () => {
    const full = await uninterrupted();
    const tampered = await resumedAfter(isStep(2), {
      tamper: (bytes) => {
        const c = decodeRetrainCheckpoint(bytes);
        const rngs = { ...c.rngs, retrain: Rng.fromSeed(99).snapshot() };
        return encodeRetrainCheckpoint({ ...c, rngs });
      },
    });
    expect(tampered.reports).not.toEqual(tail(full, isStep(2)));
  });

  it('keeps the live learning rate and a long genotype text across a checkpoint', async () => {
    const text = stringifyGenotype(DARTS_V2);
    expect(text.length).toBeGreaterThan(256);
    const settings = { ...TINY, genotype: text };
    const straight = await create(settings);
    await drain(straight, isStep(1));
    straight.setLive({ lr: 0.05 });
    expect(() => straight.setLive({ lrMin: 0 })).toThrow('lrMin cannot change');
    const rest = await drain(straight);
    await straight.dispose();
    const resumed = await resumedAfter(isStep(1), { settings, live: { lr: 0.05 } });
    // The text was too long to store: the checkpoint's genotype as JSON stands for it.
    expect(resumed.settings).toEqual({
      ...TINY,
      lr: 0.05,
      genotype: JSON.stringify(genotypeToJson(DARTS_V2)),
    });
    expect(resumed.reports).toEqual(rest);
    expect(rest).not.toEqual(tail(await uninterrupted(), isStep(1)));
  });

  it('resumes an autosave the lab wrote before the run kinds', async () => {
    const full = await uninterrupted();
    const bytes = fromBase64(RECORDED.retrain.autosaveAfterStep1);
    expect(decodeRetrainCheckpoint(bytes).host).toEqual({
      dataset: 'default',
      images: 16,
      imageSize: 8,
      testImages: 8,
      backend: 'cpu',
    });
    const run = await resume(bytes);
    expect(run.settings).toEqual({ ...TINY, genotype: JSON.stringify(genotypeToJson(DARTS_V2)) });
    const reports = await drain(run);
    await run.dispose();
    expect(reports.slice(1)).toEqual(tail(full, isStep(1)));
  });

  it('resumes a file without host settings on the data its shape names', async () => {
    const full = await uninterrupted();
    const first = await create();
    await drain(first, isStep(3));
    const c = decodeRetrainCheckpoint(await first.checkpoint());
    await first.dispose();
    const run = await resume(encodeRetrainCheckpoint({ ...c, host: undefined }));
    expect(run.settings).toEqual({ ...TINY, genotype: JSON.stringify(genotypeToJson(DARTS_V2)) });
    const reports = await drain(run);
    await run.dispose();
    expect(reports.slice(1)).toEqual(tail(full, isStep(3)));
  });

  it('refuses bad settings, naming the key', async () => {
    const k = await kind();
    const cases: [Partial<RetrainSettings>, string][] = [
      [{ lrMin: 0.1 }, 'lrMin: minimum learning rate 0.1 exceeds the learning rate 0.025'],
      [{ genotype: 'DARTS_V3' }, 'genotype: not a published genotype (NASNet'],
      [{ dropPathProb: 1 }, 'dropPathProb: drop path probability must be in [0, 1)'],
      [{ images: 4 }, 'images 4 is fewer than batchSize 8'],
      [{ imageSize: 6 }, 'imageSize: image size 6x6 must be a multiple of 4'],
      [{ auxiliary: 'yes' as unknown as boolean }, 'auxiliary is not true or false'],
    ];
    for (const [change, message] of cases) {
      await expect(k.create({ ...TINY, ...change }, testEnv())).rejects.toThrow(message);
    }
  });

  it('makes the numbers of the lab job it replaces (recorded)', async () => {
    const now = (await uninterrupted()).flatMap((r) =>
      r.type === 'step'
        ? [[r.metrics.trainLoss, r.metrics.trainAccuracy, r.metrics.lr, r.metrics.dropPathProb]]
        : r.type === 'epoch' || r.type === 'done'
          ? [[r.metrics.testLoss]]
          : [],
    );
    expect(now.length).toBe(7);
    expect(now).toEqual(RECORDED.retrain.numbers);
  });

  it('diverges on request, and has no alphas to explode', async () => {
    const run = await create();
    await drain(run, isStep(1));
    expect(() => run.injectFault?.('explodeAlphas')).toThrow('a retrain has no alphas');
    run.injectFault?.('nan');
    const [nan] = await drain(run, isStep(2));
    expect(nan?.type === 'step' && nan.metrics.trainLoss).toBeNaN();
    await run.dispose();
  });
});
