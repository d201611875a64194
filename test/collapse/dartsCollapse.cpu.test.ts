/**
 * The collapse monitor inside the DARTS search run kind, on the cpu backend: with `hessianEvery`
 * every measured step reports the eigenvalue and its cost, every step the normal cell's skips;
 * a checkpoint keeps the series and the resumed run continues it; a checkpoint without the
 * monitor's record or settings (written before them) resumes with the monitor off; and DARTS+'s
 * rule, firing in a real run, pauses it (a note with the offered genotype as a file) or stops it
 * (the done report carries that genotype).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DARTS_SCHEMA } from '../../src/nas/darts/dartsKindInfo';
import type { DartsSettings } from '../../src/nas/darts/dartsKindInfo';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/nas/darts/searchCheckpoint';
import { runKindForCheckpoint, selectRunKind } from '../../src/nas/runKind/registry';
import type { NoteReport, Run, RunReport, StepReport } from '../../src/nas/runKind/runKind';
import { defaultSettings, validateSettings } from '../../src/nas/runKind/settingsSchema';
import * as tf from '../../src/nas/tensor/tf';
import { drain, testEnv } from '../support/kindRuns';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** 32 synthetic 8×8 images, batches of 8: 2 steps an epoch, 4 in all; three cheap candidates. */
const TINY: DartsSettings = {
  ...(defaultSettings(DARTS_SCHEMA, 'demo') as DartsSettings),
  dataset: 'synthetic',
  images: 32,
  imageSize: 8,
  batchSize: 8,
  epochs: 2,
  seed: 5,
  ops: ['max_pool_3x3', 'skip_connect', 'avg_pool_3x3'],
  hessianEvery: 2,
};

const create = async (settings: DartsSettings): Promise<Run> =>
  (await selectRunKind('search', { space: 'cnn' }).load()).create(settings, testEnv());
const resume = async (bytes: Uint8Array): Promise<Run> =>
  (await runKindForCheckpoint(bytes).load()).resume(bytes, testEnv());

const steps = (reports: readonly RunReport[]) =>
  reports.filter((r): r is StepReport => r.type === 'step');

const skipsOf = (r: StepReport) =>
  (r.genotype as { normal: [string, number][] }).normal.filter(([op]) => op === 'skip_connect')
    .length;

describe('the collapse monitor in a DARTS search', () => {
  it('reports the eigenvalue where measured, and the skips at every step', async () => {
    const run = await create(TINY);
    const reports = await drain(run);
    await run.dispose();
    const s = steps(reports);
    expect(s.map((r) => r.step)).toEqual([1, 2, 3, 4]);
    // After step indices 0 and 2, and after the last step.
    expect(s.filter((r) => 'hessianEigenvalue' in r.metrics).map((r) => r.step)).toEqual([1, 3, 4]);
    for (const r of s) {
      expect(r.metrics.normalSkips).toBe(skipsOf(r));
      if (r.metrics.hessianEigenvalue !== undefined) {
        expect(Number.isFinite(r.metrics.hessianEigenvalue)).toBe(true);
        expect(r.metrics.hessianCost).toBeGreaterThan(0);
      } else expect(r.metrics.hessianCost).toBeUndefined();
    }
  }, 300_000);

  it('keeps the series in a checkpoint, and the resumed run continues it', async () => {
    const first = await create(TINY);
    const before = steps(await drain(first, (r) => r.type === 'step' && r.step === 2));
    const bytes = await first.checkpoint();
    await first.dispose();
    const saved = decodeCheckpoint(bytes).collapse;
    const measured = before.filter((r) => r.metrics.hessianEigenvalue !== undefined);
    expect(saved?.eigenvalues).toEqual(
      measured.map((r) => ({ step: r.step, value: r.metrics.hessianEigenvalue })),
    );
    const run = await resume(bytes);
    await drain(run, (r) => r.type === 'step' && r.step === 3);
    const again = decodeCheckpoint(await run.checkpoint()).collapse;
    await run.dispose();
    expect(again?.eigenvalues.map((e) => e.step)).toEqual([1, 3]);
    expect(again?.eigenvalues[0]).toEqual(saved?.eigenvalues[0]);
  }, 300_000);

  it('resumes a checkpoint written before the monitor with the monitor off', async () => {
    const first = await create(TINY);
    await drain(first, (r) => r.type === 'step' && r.step === 1);
    const decoded = decodeCheckpoint(await first.checkpoint());
    await first.dispose();
    const { collapse: _collapse, host, ...rest } = decoded;
    const older = Object.fromEntries(
      Object.entries(host ?? {}).filter(([k]) => !/^(hessianEvery|earlyStop)/.test(k)),
    );
    const bytes = encodeCheckpoint({ ...rest, host: older });
    expect(decodeCheckpoint(bytes).collapse).toBeUndefined();
    const run = await resume(bytes);
    expect(run.settings.hessianEvery).toBe(0);
    expect(run.settings.earlyStop).toBe('off');
    const next = steps(await drain(run, (r) => r.type === 'step'));
    await run.dispose();
    expect(next[0]?.metrics.hessianEigenvalue).toBeUndefined();
    expect(next[0]?.metrics.normalSkips).toBe(skipsOf(next[0] as StepReport));
  }, 300_000);

  it("refuses R-DARTS's rule without the eigenvalue", () => {
    expect(() =>
      validateSettings(DARTS_SCHEMA, { ...TINY, earlyStop: 'rdarts', hessianEvery: 0 }),
    ).toThrow(/earlyStop rdarts needs the eigenvalue/);
  });

  // Two candidates, no Hessian: DARTS+'s rule fires where the derived normal cell first holds two
  // skip connections (from epoch 0 on).
  const SKIPS: DartsSettings = {
    ...TINY,
    ops: ['max_pool_3x3', 'skip_connect'],
    hessianEvery: 0,
    earlyStop: 'skips',
    earlyStopStart: 0,
  };

  for (const action of ['pause', 'stop'] as const) {
    it(`DARTS+'s rule fires in a run and makes it ${action}`, async () => {
      const run = await create({ ...SKIPS, earlyStopAction: action });
      const reports = await drain(run);
      const s = steps(reports);
      const firstTwo = s.find((r) => skipsOf(r) >= 2 && r.step < r.totalSteps);
      expect(firstTwo).toBeDefined();
      const at = reports.indexOf(firstTwo as StepReport);
      const note = reports[at + 1] as NoteReport;
      expect(note.type).toBe('note');
      expect(note.text).toContain(`DARTS+'s rule fired at step ${firstTwo?.step}`);
      expect(note.files?.[0]?.path).toBe('early-stop/genotype.json');
      const offered = (note.detail as { earlyStop: { genotype: unknown } }).earlyStop.genotype;
      expect(offered).toEqual(firstTwo?.genotype);
      if (action === 'pause') {
        expect(note.halt).toBe('pause');
        // The run itself goes on when stepped (the host pauses it), and the rule stays quiet.
        expect(
          reports.filter((r) => r.type === 'note' && r.text.includes('rule fired')),
        ).toHaveLength(1);
        expect(reports.at(-1)?.type).toBe('done');
        expect(s.at(-1)?.step).toBe(4);
      } else {
        expect(note.halt).toBeUndefined();
        const done = reports[at + 2];
        expect(done?.type).toBe('done');
        expect(reports).toHaveLength(at + 3);
        expect((done as { detail: { genotype: unknown } }).detail.genotype).toEqual(offered);
        expect(await run.next()).toBeNull();
      }
      await run.dispose();
    }, 300_000);
  }
});
