/**
 * PC-DARTS as settings of the DARTS run kind, on the cpu backend: the `pc-darts` preset holds
 * the official recipe and `paper` stays DARTS; K must divide the channels and the first alpha
 * epoch must come before the end (refused by key, and on the command line); a tiny PC-DARTS
 * search reports β as alpha groups, takes no alpha step before its first alpha epoch and then
 * moves alphas and β; its checkpoints hold β and their Adam moments and resume into the very
 * reports of the uninterrupted run, with checkpointed cells on and off; and a DARTS checkpoint
 * written before these settings existed still resumes as DARTS.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseRunArgs } from '../../src/cli/runArgs';
import type { DartsSettings } from '../../src/nas/darts/dartsKindInfo';
import { DARTS_SCHEMA, dartsSearchConfig } from '../../src/nas/darts/dartsKindInfo';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/nas/darts/searchCheckpoint';
import { PAPER_SEARCH_CONFIG, validateSearchConfig } from '../../src/nas/darts/searchConfig';
import { runKindForCheckpoint, selectRunKind } from '../../src/nas/runKind/registry';
import type { Run, RunReport, StepReport } from '../../src/nas/runKind/runKind';
import { defaultSettings, validateSettings } from '../../src/nas/runKind/settingsSchema';
import * as tf from '../../src/nas/tensor/tf';
import { drain, finiteMetrics, indexOf, testEnv } from '../support/kindRuns';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** 32 synthetic 8×8 images, batches of 8: 2 steps an epoch; alpha steps from epoch 1 on. */
const TINY_PC: DartsSettings = {
  ...(defaultSettings(DARTS_SCHEMA, 'demo') as DartsSettings),
  dataset: 'synthetic',
  images: 32,
  imageSize: 8,
  batchSize: 8,
  epochs: 2,
  seed: 5,
  channels: 4,
  partialChannels: 2,
  archStartEpoch: 1,
  ops: ['max_pool_3x3', 'skip_connect', 'sep_conv_3x3'],
};

const create = async (settings: DartsSettings): Promise<Run> =>
  (await selectRunKind('search', { space: 'cnn' }).load()).create(settings, testEnv());
const resume = async (bytes: Uint8Array): Promise<Run> =>
  (await runKindForCheckpoint(bytes).load()).resume(bytes, testEnv());

async function whole(settings: DartsSettings): Promise<RunReport[]> {
  const run = await create(settings);
  try {
    return await drain(run);
  } finally {
    await run.dispose();
  }
}

const isStep = (n: number) => (r: RunReport) => r.type === 'step' && r.step === n;
const steps = (reports: readonly RunReport[]) =>
  reports.filter((r): r is StepReport => r.type === 'step');

/** The checkpoint a run of `settings` writes once `stop` accepted a report. */
async function checkpointAfter(
  settings: DartsSettings,
  stop: (r: RunReport) => boolean,
): Promise<Uint8Array> {
  const run = await create(settings);
  await drain(run, stop);
  const bytes = await run.checkpoint();
  await run.dispose();
  return bytes;
}

async function resumedReports(bytes: Uint8Array): Promise<RunReport[]> {
  const run = await resume(bytes);
  const reports = await drain(run);
  await run.dispose();
  return reports.slice(1);
}

describe('PC-DARTS settings of the DARTS search', () => {
  it('pc-darts holds the official recipe; paper stays DARTS', () => {
    const pc = defaultSettings(DARTS_SCHEMA, 'pc-darts') as DartsSettings;
    expect(pc).toMatchObject({
      partialChannels: 4,
      archStartEpoch: 15,
      epochs: 50,
      batchSize: 256,
      channels: 16,
      layers: 8,
      nodes: 4,
      weightLr: 0.1,
      weightLrMin: 0,
      alphaLr: 6e-4,
      images: 0,
      imageSize: 0,
      order: 1,
    });
    const config = validateSearchConfig(dartsSearchConfig(pc));
    expect(config).toMatchObject({ momentum: 0.9, weightDecay: 3e-4, gradClip: 5 });
    expect(config).toMatchObject({ alphaWeightDecay: 1e-3, alphaBeta1: 0.5, alphaBeta2: 0.999 });
    const paper = defaultSettings(DARTS_SCHEMA, 'paper') as DartsSettings;
    expect([paper.partialChannels, paper.archStartEpoch]).toEqual([1, 0]);
    // A DARTS configuration names neither setting: the checkpoints it writes are as before.
    expect(Object.keys(dartsSearchConfig(paper)).sort()).toEqual(
      Object.keys(PAPER_SEARCH_CONFIG).sort(),
    );
  });

  it('refuses a K that does not divide the channels and a first alpha epoch past the end', () => {
    expect(() => validateSettings(DARTS_SCHEMA, { ...TINY_PC, partialChannels: 3 })).toThrow(
      'partialChannels: partial channels K = 3 does not divide the 4 channels',
    );
    expect(() => validateSettings(DARTS_SCHEMA, { ...TINY_PC, archStartEpoch: 2 })).toThrow(
      'archStartEpoch: first alpha epoch must be an integer from 0 to 1',
    );
    expect(() => validateSettings(DARTS_SCHEMA, { ...TINY_PC, partialChannels: 0 })).toThrow(
      'partialChannels is below 1',
    );
  });

  it('takes --partial-channels and --arch-start-epoch on the command line', () => {
    const parse = (args: readonly string[]) => {
      const parsed = parseRunArgs('search', args, []);
      if ('help' in parsed || !('settings' in parsed.start)) throw new Error('expected settings');
      return parsed.start.settings;
    };
    const s = parse(['--preset', 'paper', '--partial-channels', '4', '--arch-start-epoch', '15']);
    expect([s.partialChannels, s.archStartEpoch, s.weightLr]).toEqual([4, 15, 0.025]);
    expect(parse(['--preset', 'pc-darts']).partialChannels).toBe(4);
    expect(() => parse(['--preset', 'paper', '--partial-channels', '5'])).toThrow(
      'does not divide the 16 channels',
    );
  });
});

describe('PC-DARTS search run (cpu)', () => {
  let full: Promise<RunReport[]> | null = null;
  const uninterrupted = () => (full ??= whole(TINY_PC));

  it('reports β as alpha groups, no alpha step before the first alpha epoch, then moves both', async () => {
    const reports = await uninterrupted();
    expect(reports.every(finiteMetrics)).toBe(true);
    const note = reports[0];
    const opening =
      note?.type === 'note' ? (note.detail as { alphas: StepReport['alphas'] }) : null;
    const [s1, s2, s3, s4] = steps(reports);
    if (!s1 || !s2 || !s3 || !s4) throw new Error('expected four steps');
    expect(s1.alphas?.map((g) => g.name)).toEqual([
      'normal',
      'reduce',
      'normalEdges',
      'reduceEdges',
    ]);
    for (const g of (s1.alphas ?? []).slice(2)) {
      expect(g.softmax.length).toBe(5);
      // The first node's two edges, and the second's three, each sum to one.
      const w = g.softmax.map((row) => row[0] as number);
      expect(w[0]! + w[1]!).toBeCloseTo(1, 5);
      expect(w[2]! + w[3]! + w[4]!).toBeCloseTo(1, 5);
    }
    // Epoch 0: weight steps only (no alpha loss, the architecture where it began).
    for (const s of [s1, s2]) {
      expect(Object.keys(s.metrics)).not.toContain('valLoss');
      expect(s.alphas).toEqual(opening?.alphas);
    }
    // Epoch 1: alpha steps move the alphas and the β.
    expect(Object.keys(s3.metrics)).toContain('valLoss');
    expect(s3.alphas?.[0]).not.toEqual(s2.alphas?.[0]);
    expect(s3.alphas?.[2]).not.toEqual(s2.alphas?.[2]);
    expect(s3.alphas?.[3]).not.toEqual(s2.alphas?.[3]);
    // The genotype (report and file) carries the β the step reported.
    const edgeWeights = (s4.genotype as { edge_weights: { normal: number[] } }).edge_weights;
    expect(edgeWeights.normal).toEqual(s4.alphas?.[2]?.softmax.map((row) => row[0]));
    const file = s4.files?.find((f) => f.path === 'genotype.json')?.data as string;
    expect(JSON.parse(file).edge_weights).toEqual(
      (s4.genotype as { edge_weights: unknown }).edge_weights,
    );
    const done = reports.at(-1);
    expect(done?.type === 'done' && done.files?.[0]?.data).toBe(file);
  });

  it('checkpoints β and their moments, and resumes before and after the first alpha epoch bit for bit', async () => {
    const reports = await uninterrupted();
    const early = await checkpointAfter(TINY_PC, isStep(1));
    const names = decodeCheckpoint(early).tensors.map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'betas.normal',
        'betas.reduce',
        'adam.m.betaNormal',
        'adam.v.betaReduce',
      ]),
    );
    expect(decodeCheckpoint(early).config).toMatchObject({ partialChannels: 2, archStartEpoch: 1 });
    expect(await resumedReports(early)).toEqual(reports.slice(indexOf(reports, isStep(1)) + 1));
    const late = await checkpointAfter(TINY_PC, isStep(3));
    expect(await resumedReports(late)).toEqual(reports.slice(indexOf(reports, isStep(3)) + 1));
  });

  it('resumes bit for bit with checkpointed cells off too, close to the checkpointed run', async () => {
    const plain = { ...TINY_PC, checkpointCells: false };
    const reports = await whole(plain);
    const bytes = await checkpointAfter(plain, isStep(3));
    expect(await resumedReports(bytes)).toEqual(reports.slice(indexOf(reports, isStep(3)) + 1));
    const checkpointed = steps(await uninterrupted());
    steps(reports).forEach((s, i) => {
      const other = checkpointed[i] as StepReport;
      for (const key of Object.keys(s.metrics)) {
        expect(s.metrics[key]).toBeCloseTo(other.metrics[key] as number, 4);
      }
    });
  });

  it('resumes a DARTS checkpoint whose settings predate PC-DARTS as DARTS', async () => {
    const darts: DartsSettings = { ...TINY_PC, partialChannels: 1, archStartEpoch: 0 };
    const reports = await whole(darts);
    const c = decodeCheckpoint(await checkpointAfter(darts, isStep(2)));
    expect(c.tensors.some((t) => t.name.startsWith('betas.'))).toBe(false);
    const host = Object.fromEntries(
      Object.entries(c.host ?? {}).filter(
        ([k]) => k !== 'partialChannels' && k !== 'archStartEpoch',
      ),
    );
    const run = await resume(encodeCheckpoint({ ...c, host }));
    expect([run.settings.partialChannels, run.settings.archStartEpoch]).toEqual([1, 0]);
    const rest = await drain(run);
    await run.dispose();
    expect(rest.slice(1)).toEqual(reports.slice(indexOf(reports, isStep(2)) + 1));
  });
});
