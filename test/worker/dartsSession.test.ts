/**
 * The lab's session running a real kind (a tiny DARTS search on cpu, through the generic
 * 'startRun' / 'resumeAutosave' messages) where the toy kind of runSession.test.ts cannot show
 * it: autosave every N steps and at a pause, resumed after a "reload" with the alphas as saved;
 * autosaves the per-kind lab jobs wrote before run kinds ('search', 'cdarts', 'retrain', bytes
 * recorded in test/fixtures/convLabJobs.json) resumed through the registry by their format;
 * rollback on NaN weights and on finite but exploding alphas with every live rate lowered, and a
 * pause at the second divergence; a full storage pruned; a finished retrain's model file
 * evaluated ('evaluateModel') to the figures it ended with.
 */
import { describe, expect, it } from 'vitest';
import { EMBEDDED_DIR, folderSource } from '../../src/cli/folderSource';
import type { FileSource } from '../../src/data/catalog';
import type { DartsSettings } from '../../src/nas/darts/dartsKindInfo';
import { DARTS_SCHEMA } from '../../src/nas/darts/dartsKindInfo';
import { genotypeToJson } from '../../src/nas/genotype/genotype';
import { DARTS_V2 } from '../../src/nas/genotype/publishedGenotypes';
import { RETRAIN_SCHEMA } from '../../src/nas/retrain/retrainKindInfo';
import type { AlphaGroup, RunReport, StepReport } from '../../src/nas/runKind/runKind';
import { defaultSettings } from '../../src/nas/runKind/settingsSchema';
import type { AutosaveStore } from '../../src/worker/autosaveStore';
import { memoryAutosaveStore, saveAndPrune } from '../../src/worker/autosaveStore';
import { LabSession } from '../../src/worker/labSession';
import type { FromWorker, StartRunMessage } from '../../src/worker/protocol';
import RECORDED from '../fixtures/convLabJobs.json';
import { fromBase64 } from '../support/kindRuns';

/** The lab's quick search (the DARTS kind's demo preset) on 16 generated images, 50 epochs. */
const RUN: { readonly kind: string; readonly settings: DartsSettings } = {
  kind: 'darts',
  settings: {
    ...(defaultSettings(DARTS_SCHEMA, 'demo') as DartsSettings),
    epochs: 50,
    dataset: 'synthetic',
    images: 16,
  },
};

function start(extra: Partial<StartRunMessage> = {}): StartRunMessage {
  return { type: 'startRun', ...RUN, backend: 'cpu', dataUrl: '', ...extra };
}

/** The embedded images, as the page serves them (synthetic images need none). */
const embedded: () => FileSource = () => folderSource(EMBEDDED_DIR);

function harness(autosaves: AutosaveStore | null = null) {
  const messages: FromWorker[] = [];
  const session = new LabSession({
    post: (m) => messages.push(m),
    dataSource: embedded,
    autosaves,
  });
  const reports = (from = 0): RunReport[] =>
    messages.slice(from).flatMap((m) => (m.type === 'report' ? [m.report] : []));
  const steps = (from = 0): StepReport[] =>
    reports(from).filter((r): r is StepReport => r.type === 'step');
  const status = (s: string) => messages.some((m) => m.type === 'status' && m.status === s);
  const until = async (predicate: () => boolean, ms = 60_000) => {
    const t0 = Date.now();
    while (!predicate()) {
      if (Date.now() - t0 > ms) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { messages, session, reports, steps, status, until };
}

describe('a DARTS search in the lab session (in-thread on cpu)', () => {
  it('autosaves every N steps and at pause; after a "reload" it resumes from the autosave', async () => {
    const store = memoryAutosaveStore();
    const h = harness(store);
    await h.session.handle(start({ autosaveEvery: 2 }));
    await h.until(() => h.messages.filter((m) => m.type === 'autosaved').length >= 2);
    await h.session.handle({ type: 'pause' });
    await h.until(() => h.status('paused'));
    await h.session.flushAutosaves();
    const saves = h.messages.flatMap((m) => (m.type === 'autosaved' ? [m.step] : []));
    const pausedAt = h.steps().length;
    // Every 2 steps, and once more at the pause unless it fell on one.
    expect(saves.slice(0, 2)).toEqual([2, 4]);
    expect(saves.at(-1)).toBe(pausedAt);
    const atSave = h.steps().find((r) => r.step === pausedAt);
    await h.session.handle({ type: 'stop' });

    // A new session over the same storage, as after a reload.
    const after = harness(store);
    await after.session.handle({ type: 'listAutosaves' });
    const list = after.messages.find((m) => m.type === 'autosaves');
    if (list?.type !== 'autosaves') throw new Error('no list');
    expect(list.items.map((i) => [i.kind, i.step])).toEqual([['darts', pausedAt]]);
    await after.session.handle({
      type: 'resumeAutosave',
      id: list.items[0]?.id ?? '',
      backend: 'cpu',
      dataUrl: '',
    });
    const restored = after.messages.find((m) => m.type === 'runStarted');
    expect(restored?.type === 'runStarted' && [restored.kind, restored.step]).toEqual([
      'darts',
      pausedAt,
    ]);
    await after.session.handle({ type: 'step' });
    await after.until(() => after.steps().length >= 1);
    const [note] = after.reports();
    // It opens with where it stands: the alphas as they were at the autosave.
    const alphas = (note?.detail as { alphas?: AlphaGroup[] } | undefined)?.alphas ?? [];
    expect(alphas.map((g) => g.softmax)).toEqual(atSave?.alphas?.map((g) => g.softmax));
    expect(after.steps()[0]?.step).toBe(pausedAt + 1);
    await after.session.handle({ type: 'stop' });
    await after.session.handle({ type: 'discardAutosaves' });
    expect(await store.list()).toEqual([]);
  });

  it('resumes the autosaves the per-kind lab jobs wrote, through the kind their bytes name', async () => {
    const old = [
      ['search', RECORDED.darts.checkpointAfterStep1, 'darts', 1],
      ['cdarts', RECORDED.cdarts.checkpointAfterThreeAdvances, 'cdarts', 2],
      ['retrain', RECORDED.retrain.autosaveAfterStep1, 'retrain', 1],
    ] as const;
    for (const [kind, base64, id, step] of old) {
      const store = memoryAutosaveStore();
      await store.put({ id: kind, kind, step, savedAt: 1, bytes: fromBase64(base64) });
      const h = harness(store);
      await h.session.handle({ type: 'resumeAutosave', id: kind, backend: 'cpu', dataUrl: '' });
      const restored = h.messages.find((m) => m.type === 'runStarted');
      expect(restored?.type === 'runStarted' && [restored.kind, restored.step]).toEqual([id, step]);
      expect(h.status('paused')).toBe(true);
      await h.session.handle({ type: 'step' });
      await h.until(() => h.steps().length >= 1);
      expect(h.steps()[0]?.step).toBe(step + 1);
      await h.session.handle({ type: 'stop' });
    }
  });

  it('prunes the oldest autosaves when storage is full, and says so when even that fails', async () => {
    const store = memoryAutosaveStore({ quotaBytes: 100 });
    const entry = (id: string, savedAt: number, size: number) => ({
      id,
      kind: 'darts',
      step: savedAt,
      savedAt,
      bytes: new Uint8Array(size),
    });
    await saveAndPrune(store, entry('a', 1, 40));
    await saveAndPrune(store, entry('b', 2, 40), 3);
    expect((await store.list()).map((e) => e.id)).toEqual(['b', 'a']);
    // 40 + 40 + 60 > 100: the older ones go, the new one is written.
    await saveAndPrune(store, entry('c', 3, 60), 3);
    expect((await store.list()).map((e) => e.id)).toEqual(['c']);
    await expect(saveAndPrune(store, entry('d', 4, 200))).rejects.toThrow(
      /autosave failed: the browser's storage is full even after removing older autosaves/,
    );
  });

  for (const fault of ['nan', 'explodeAlphas'] as const) {
    it(`rolls back ${fault === 'nan' ? 'NaN weights' : 'finite but exploding alphas'} with lower rates; a second divergence pauses`, async () => {
      const h = harness();
      await h.session.handle(start({ autosaveEvery: 2, divergenceLrFactor: 0.5 }));
      await h.until(() => h.steps().length >= 3);
      await h.session.handle({ type: 'injectFault', kind: fault });
      await h.until(() => h.messages.some((m) => m.type === 'diverged'));
      const diverged = h.messages.find((m) => m.type === 'diverged');
      if (diverged?.type !== 'diverged') throw new Error('no divergence');
      expect(diverged.rolledBackTo % 2).toBe(0);
      expect(diverged.rolledBackTo).toBeLessThan(diverged.step);
      expect(diverged.live?.weightLr).toBeCloseTo(RUN.settings.weightLr * 0.5, 12);
      expect(diverged.live?.alphaLr).toBeCloseTo(RUN.settings.alphaLr * 0.5, 12);
      const bad = h.steps().find((r) => r.step === diverged.step);
      if (fault === 'nan') {
        expect(diverged.reason).toMatch(/NaN/);
      } else {
        // Only max |α| shows it: the step that exploded had finite losses.
        expect(Number.isFinite(bad?.metrics.trainLoss)).toBe(true);
        expect(Number.isFinite(bad?.metrics.valLoss)).toBe(true);
        expect(bad?.alphaMaxAbs).toBeGreaterThan(1e5);
        expect(diverged.reason).toMatch(
          /^the alphas exploded: max \|α\| = .* above the limit 100$/,
        );
      }
      // It goes on from the rollback point with finite figures and the lowered rate.
      const at = h.messages.indexOf(diverged);
      await h.until(() => h.steps(at).length >= 2);
      const after = h.steps(at);
      expect(after[0]?.step).toBe(diverged.rolledBackTo + 1);
      for (const r of after) {
        expect([r.metrics.trainLoss, r.metrics.valLoss].every(Number.isFinite)).toBe(true);
        expect(r.alphaMaxAbs).toBeLessThan(1);
      }
      expect(after[0]?.metrics.weightLr).toBeLessThanOrEqual(RUN.settings.weightLr * 0.5);
      // A second divergence pauses the run with a message.
      await h.session.handle({ type: 'injectFault', kind: fault });
      await h.until(() => h.status('paused'));
      expect(h.messages.filter((m) => m.type === 'error').at(-1)).toMatchObject({
        message: expect.stringMatching(/diverged again at step \d+ .* paused/),
      });
      expect(h.messages.filter((m) => m.type === 'diverged').length).toBe(1);
      await h.session.handle({ type: 'stop' });
    });
  }
});

describe('a finished retrain in the lab session (in-thread on cpu)', () => {
  it('ends with its model file, which evaluateModel scores on the embedded test images', async () => {
    const h = harness();
    const settings = {
      ...defaultSettings(RETRAIN_SCHEMA, 'demo'),
      channels: 2,
      batchSize: 8,
      epochs: 1,
      images: 16,
      testImages: 8,
      seed: 3,
      // The model file holds the running statistics: evaluating it gives the figures of a run
      // that tested with them (recalibrated ones are that report's only, docs/DECISIONS.md).
      bnRecalibration: 0,
    };
    await h.session.handle({
      type: 'startRun',
      kind: 'retrain',
      settings,
      backend: 'cpu',
      dataUrl: '',
    });
    await h.until(() => h.status('done'));
    const done = h.reports().find((r) => r.type === 'done');
    // The run's files come with its end: the trained model among them.
    const model = done?.type === 'done' ? done.files?.find((f) => f.path.endsWith('.nas')) : null;
    if (!(model?.data instanceof Uint8Array)) throw new Error('no model file');
    await h.session.handle({
      type: 'evaluateModel',
      bytes: model.data.slice().buffer,
      testImages: 8,
      backend: 'cpu',
      dataUrl: '',
    });
    const evaluated = h.messages.at(-2);
    if (evaluated?.type !== 'evaluated')
      throw new Error(`not evaluated: ${JSON.stringify(evaluated)}`);
    expect(evaluated.testImages).toBe(8);
    expect(evaluated.genotype).toEqual(genotypeToJson(DARTS_V2));
    // The same weights on the same 8 test images: the figures the run ended with.
    expect(evaluated.testAccuracy).toBe(done?.metrics.testAccuracy);
    expect(evaluated.testLoss).toBeCloseTo(done?.metrics.testLoss as number, 5);
    expect(h.messages.at(-1)).toMatchObject({ type: 'status', status: 'done' });

    // Files that are not what the action takes are refused in words for that action, while
    // nothing runs: no "search stopped" where no search ran.
    const errorAfter = async (message: Parameters<typeof h.session.handle>[0]) => {
      const from = h.messages.length;
      await h.session.handle(message);
      return h.messages.slice(from).flatMap((m) => (m.type === 'error' ? [m.message] : []));
    };
    expect(
      await errorAfter({
        type: 'evaluateModel',
        bytes: new Uint8Array([1, 2, 3, 4]).buffer,
        testImages: 8,
        backend: 'cpu',
        dataUrl: '',
      }),
    ).toEqual([expect.stringMatching(/^This file is not a NAS Lab trained model: \S/)]);
    expect(
      await errorAfter({
        type: 'resumeRun',
        bytes: model.data.slice().buffer,
        backend: 'cpu',
        dataUrl: '',
      }),
    ).toEqual([
      expect.stringMatching(
        /^The checkpoint could not be loaded: this file is a "nas-lab.trained-model", not a checkpoint/,
      ),
    ]);
  });
});
