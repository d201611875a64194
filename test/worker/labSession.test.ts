import { describe, expect, it } from 'vitest';
import { EMBEDDED_DIR, folderSource } from '../../src/cli/folderSource';
import type { FileSource } from '../../src/data/catalog';
import { genotypeToJson } from '../../src/nas/genotype/genotype';
import { DARTS_V2 } from '../../src/nas/genotype/publishedGenotypes';
import { SMALL_RETRAIN_CONFIG } from '../../src/nas/retrain/retrainConfig';
import { SMALL_SEARCH_CONFIG } from '../../src/nas/darts/searchConfig';
import type { FromWorker, LabConfig, RetrainLabConfig } from '../../src/worker/protocol';
import type { AutosaveStore } from '../../src/worker/autosaveStore';
import { memoryAutosaveStore, saveAndPrune } from '../../src/worker/autosaveStore';
import { LabSession } from '../../src/worker/labSession';
import { DEFAULT_LAB_CDARTS } from '../../src/worker/labCdarts';
import { cosineLr } from '../../src/nas/optim/cosineSchedule';
import type { AlphaGroup, RunReport } from '../../src/nas/runKind/runKind';
import * as tf from '../../src/nas/tensor/tf';

const CONFIG: LabConfig = {
  search: {
    ...SMALL_SEARCH_CONFIG,
    layers: 3,
    channels: 2,
    nodes: 2,
    multiplier: 2,
    batchSize: 4,
    epochs: 50,
  },
  data: { dataset: 'synthetic', images: 16, imageSize: 8 },
  backend: 'cpu',
};

const noFiles: () => FileSource = () => ({
  read: async (c) => {
    throw new Error(`no files (${c.join(', ')})`);
  },
});

const RETRAIN: RetrainLabConfig = {
  retrain: { ...SMALL_RETRAIN_CONFIG, channels: 2, layers: 3, batchSize: 8, epochs: 3 },
  data: { dataset: 'synthetic', images: 16, imageSize: 8 },
  testImages: 8,
  backend: 'cpu',
};

/** The reports a run of a registered kind sent, in order. */
function reports(messages: readonly FromWorker[]): RunReport[] {
  return messages.flatMap((m) => (m.type === 'report' ? [m.report] : []));
}

/** The embedded images, as the page serves them. */
const embedded: () => FileSource = () => folderSource(EMBEDDED_DIR);

/** The retrain steps' figures a resumed run must repeat. */
function retrainPoints(messages: readonly FromWorker[]) {
  return messages.flatMap((m) =>
    m.type === 'retrainStep' ? [[m.point.step, m.point.trainLoss, m.point.lr]] : [],
  );
}

function harness(autosaves: AutosaveStore | null = null, dataSource = noFiles) {
  const messages: FromWorker[] = [];
  const session = new LabSession({ post: (m) => messages.push(m), dataSource, autosaves });
  const steps = () => messages.filter((m) => m.type === 'step').length;
  const until = async (predicate: () => boolean, ms = 60_000) => {
    const start = Date.now();
    while (!predicate()) {
      if (Date.now() - start > ms) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { messages, session, steps, until };
}

describe('search session (the worker engine, in-thread on cpu)', () => {
  it('starts, reports the backend, streams steps; pause holds, step advances one, stop ends', async () => {
    const { messages, session, steps, until } = harness();
    await session.handle({ type: 'start', config: CONFIG, dataUrl: '' });
    expect(messages.find((m) => m.type === 'backend')).toMatchObject({
      backend: 'cpu',
      reason: 'cpu was requested',
    });
    await until(() => steps() >= 2);
    await session.handle({ type: 'pause' });
    await until(() => messages.some((m) => m.type === 'status' && m.status === 'paused'));
    // 'paused' comes after the step under way: from then on the counter must not move.
    const paused = steps();
    await new Promise((r) => setTimeout(r, 1500));
    expect(steps()).toBe(paused);
    await session.handle({ type: 'step' });
    await until(() => steps() === paused + 1);
    await new Promise((r) => setTimeout(r, 1000));
    expect(steps()).toBe(paused + 1);
    await session.handle({ type: 'setRates', alphaLr: 0.01, weightLr: 0.05 });
    await session.handle({ type: 'resume' });
    await until(() => steps() >= paused + 3);
    const last = messages.filter((m) => m.type === 'step').at(-1);
    if (last?.type !== 'step') throw new Error('no step');
    expect(last.point.weightLr).toBeGreaterThan(0.04);
    expect(last.point.genotype.normal.length).toBe(4);
    await session.handle({ type: 'stop' });
    expect(messages.at(-1)).toEqual({ type: 'status', status: 'stopped' });
    const stopped = steps();
    await new Promise((r) => setTimeout(r, 500));
    expect(steps()).toBe(stopped);
  });

  it('reports a bad configuration as an error message and stays usable', async () => {
    const { messages, session, steps, until } = harness();
    await session.handle({
      type: 'start',
      dataUrl: '',
      config: { ...CONFIG, search: { ...CONFIG.search, nodes: 0 } },
    });
    expect(messages).toContainEqual({
      type: 'error',
      message: 'node count (nodes) must be an integer of at least 1, got 0',
    });
    await session.handle({
      type: 'start',
      dataUrl: '',
      config: { ...CONFIG, data: { ...CONFIG.data, imageSize: 6 } },
    });
    expect(messages.at(-1)).toMatchObject({
      type: 'error',
      message: expect.stringMatching(/image size 6x6 must be a multiple of 4/),
    });
    await session.handle({
      type: 'start',
      dataUrl: '',
      config: { ...CONFIG, data: { ...CONFIG.data, dataset: 'default' } },
    });
    expect(messages.at(-1)).toMatchObject({
      type: 'error',
      message: expect.stringMatching(/no files/),
    });
    await session.handle({ type: 'start', config: CONFIG, dataUrl: '' });
    await until(() => steps() >= 1);
    await session.handle({ type: 'stop' });
  });

  it('retrains a genotype: steps, a test evaluation per epoch, the final test accuracy', async () => {
    const { messages, session, until } = harness();
    const config: RetrainLabConfig = {
      retrain: { ...SMALL_RETRAIN_CONFIG, channels: 2, layers: 3, batchSize: 8, epochs: 2 },
      data: { dataset: 'synthetic', images: 16, imageSize: 8 },
      testImages: 8,
      backend: 'cpu',
    };
    await session.handle({
      type: 'retrain',
      config,
      genotype: genotypeToJson(DARTS_V2),
      dataUrl: '',
    });
    await until(() => messages.some((m) => m.type === 'status' && m.status === 'done'));
    const steps = messages.filter((m) => m.type === 'retrainStep');
    const epochs = messages.filter((m) => m.type === 'retrainEpoch');
    const done = messages.find((m) => m.type === 'retrainDone');
    expect(steps.length).toBe(4);
    expect(epochs.map((m) => m.type === 'retrainEpoch' && m.point.step)).toEqual([2, 4]);
    const lastEpoch = epochs.at(-1);
    if (lastEpoch?.type !== 'retrainEpoch' || done?.type !== 'retrainDone')
      throw new Error('no end');
    expect(done.testAccuracy).toBe(lastEpoch.point.testAccuracy);
    // The finished retrain offers its model file; it cannot be evaluated on synthetic data here.
    const model = messages.find((m) => m.type === 'file');
    if (model?.type !== 'file') throw new Error('no model file');
    expect(model).toMatchObject({
      kind: 'model',
      purpose: 'keep',
      name: 'nas-lab-model-epoch-2.nas',
    });
    await session.handle({
      type: 'evaluateModel',
      bytes: model.bytes,
      testImages: 8,
      backend: 'cpu',
      dataUrl: '',
    });
    expect(messages.at(-1)).toMatchObject({
      type: 'error',
      message: expect.stringMatching(/trained on synthetic images/),
    });
    // A genotype with an op the evaluation network does not know is refused by name.
    await session.handle({
      type: 'retrain',
      config,
      genotype: {
        ...genotypeToJson(DARTS_V2),
        normal: [
          ['conv_9x9', 0],
          ['sep_conv_3x3', 1],
        ],
      },
      dataUrl: '',
    });
    expect(messages.at(-1)).toMatchObject({
      type: 'error',
      message: expect.stringMatching(/conv_9x9/),
    });
  });

  it('saves a search checkpoint between steps and resumes from it, paused at the saved step', async () => {
    const { messages, session, steps, until } = harness();
    await session.handle({ type: 'start', config: CONFIG, dataUrl: '' });
    await until(() => steps() >= 2);
    await session.handle({ type: 'pause' });
    await until(() => messages.some((m) => m.type === 'status' && m.status === 'paused'));
    await session.handle({ type: 'save' });
    const file = messages.find((m) => m.type === 'file');
    if (file?.type !== 'file') throw new Error('no file');
    const saved = steps();
    expect(file.kind).toBe('checkpoint');
    expect(file.name).toBe(`nas-lab-search-step-${saved}.naslab`);
    const lastSaved = messages.filter((m) => m.type === 'step').at(-1);
    if (lastSaved?.type !== 'step') throw new Error('no step');
    await session.handle({ type: 'stop' });

    const after = harness();
    await after.session.handle({
      type: 'loadCheckpoint',
      bytes: file.bytes,
      backend: 'cpu',
      dataUrl: '',
    });
    const restored = after.messages.find((m) => m.type === 'restored');
    if (restored?.type !== 'restored') throw new Error('not restored');
    expect(restored.step).toBe(saved);
    expect(restored.config.search).toEqual(CONFIG.search);
    expect(restored.config.data).toEqual(CONFIG.data);
    expect(restored.genotypeHistory.at(-1)?.genotype).toEqual(lastSaved.point.genotype);
    expect(after.messages.at(-1)).toEqual({ type: 'status', status: 'paused' });
    await after.session.handle({ type: 'step' });
    await after.until(() => after.steps() === 1);
    const next = after.messages.find((m) => m.type === 'step');
    expect(next?.type === 'step' && next.point.step).toBe(saved + 1);
    await after.session.handle({ type: 'stop' });

    // A file that is not a checkpoint is refused by name; the session stays usable.
    await after.session.handle({
      type: 'loadCheckpoint',
      bytes: new TextEncoder().encode('{"normal": []}').buffer,
      backend: 'cpu',
      dataUrl: '',
    });
    expect(after.messages.at(-1)).toMatchObject({
      type: 'error',
      message: expect.stringMatching(/invalid search checkpoint/),
    });
  });

  it('autosaves every N steps and at pause; after a "reload" it resumes from the autosave', async () => {
    const store = memoryAutosaveStore();
    const { messages, session, steps, until } = harness(store);
    await session.handle({ type: 'start', config: CONFIG, dataUrl: '', autosaveEvery: 2 });
    await until(() => messages.filter((m) => m.type === 'autosaved').length >= 2);
    await session.handle({ type: 'pause' });
    await until(() => messages.some((m) => m.type === 'status' && m.status === 'paused'));
    await session.flushAutosaves();
    const saves = messages.filter((m) => m.type === 'autosaved');
    const pausedAt = steps();
    const last = saves.at(-1);
    if (last?.type !== 'autosaved') throw new Error('no autosave');
    // Every 2 steps, and once more at the pause unless it fell on one.
    expect(saves.slice(0, 2).map((m) => m.type === 'autosaved' && m.step)).toEqual([2, 4]);
    expect(last.step).toBe(pausedAt);
    const atSave = messages.find((m) => m.type === 'step' && m.point.step === last.step);
    if (atSave?.type !== 'step') throw new Error('no step at the autosave');
    await session.handle({ type: 'stop' });

    // A new session over the same storage, as after a reload.
    const after = harness(store);
    await after.session.handle({ type: 'listAutosaves' });
    const list = after.messages.find((m) => m.type === 'autosaves');
    if (list?.type !== 'autosaves') throw new Error('no list');
    expect(list.items.map((i) => i.step)).toEqual([pausedAt]);
    await after.session.handle({
      type: 'resumeAutosave',
      id: list.items[0]?.id ?? '',
      backend: 'cpu',
      dataUrl: '',
    });
    // A search checkpoint: the DARTS run kind resumes it, paused where it was saved.
    const restored = after.messages.find((m) => m.type === 'runStarted');
    if (restored?.type !== 'runStarted') throw new Error('not restored');
    expect([restored.kind, restored.step]).toEqual(['darts', pausedAt]);
    await after.session.handle({ type: 'step' });
    await after.until(() => reports(after.messages).some((r) => r.type === 'step'));
    const [note, ...rest] = reports(after.messages);
    const next = rest.find((r) => r.type === 'step');
    // It opens with where it stands: the alphas as they were at the autosave.
    const alphas = (note?.detail as { alphas?: AlphaGroup[] } | undefined)?.alphas ?? [];
    expect(alphas.map((g) => g.softmax)).toEqual([
      atSave.point.alphaSoftmax.normal,
      atSave.point.alphaSoftmax.reduce,
    ]);
    expect(next?.type === 'step' && next.step).toBe(pausedAt + 1);
    await after.session.handle({ type: 'stop' });
    await after.session.handle({ type: 'discardAutosaves' });
    expect(await store.list()).toEqual([]);
  });

  it('autosaves a retrain; after a "reload" it resumes it and ends as the uninterrupted one', async () => {
    // The embedded images: the retrain kind that resumes the autosave reads them as the job did.
    const config: RetrainLabConfig = {
      retrain: { ...SMALL_RETRAIN_CONFIG, channels: 2, layers: 3, batchSize: 8, epochs: 3 },
      data: { dataset: 'default', images: 16, imageSize: 8 },
      testImages: 8,
      backend: 'cpu',
    };
    const genotype = genotypeToJson(DARTS_V2);
    const done = (h: ReturnType<typeof harness>) =>
      h.until(() => h.messages.some((m) => m.type === 'status' && m.status === 'done'));
    const straight = harness(null, embedded);
    await straight.session.handle({ type: 'retrain', config, genotype, dataUrl: '' });
    await done(straight);

    const store = memoryAutosaveStore();
    const first = harness(store, embedded);
    await first.session.handle({
      type: 'retrain',
      config,
      genotype,
      dataUrl: '',
      autosaveEvery: 2,
    });
    await first.until(() => first.messages.some((m) => m.type === 'autosaved'));
    await first.session.handle({ type: 'pause' });
    await first.until(() =>
      first.messages.some((m) => m.type === 'status' && m.status === 'paused'),
    );
    await first.session.flushAutosaves();
    const pausedAt = first.messages.filter((m) => m.type === 'retrainStep').length;
    await first.session.handle({ type: 'stop' });
    expect(pausedAt).toBeLessThan(6);

    const after = harness(store, embedded);
    await after.session.handle({ type: 'listAutosaves' });
    const list = after.messages.find((m) => m.type === 'autosaves');
    if (list?.type !== 'autosaves') throw new Error('no list');
    expect(list.items.map((i) => [i.kind, i.step])).toEqual([['retrain', pausedAt]]);
    await after.session.handle({
      type: 'resumeAutosave',
      id: list.items[0]?.id ?? '',
      backend: 'cpu',
      dataUrl: '',
    });
    // A retrain checkpoint: the retrain run kind resumes it, with the job's settings.
    expect(after.messages.find((m) => m.type === 'runStarted')).toMatchObject({
      kind: 'retrain',
      step: pausedAt,
      settings: {
        genotype: JSON.stringify(genotype),
        channels: 2,
        layers: 3,
        batchSize: 8,
        epochs: 3,
        ...config.data,
        testImages: 8,
      },
    });
    expect(after.messages.at(-1)).toEqual({ type: 'status', status: 'paused' });
    await after.session.handle({ type: 'resume' });
    await done(after);
    const old = (h: ReturnType<typeof harness>) =>
      h.messages.flatMap((m) =>
        m.type === 'retrainStep' ? [[m.point.step, m.point.trainLoss, m.point.lr]] : [],
      );
    const resumed = reports(after.messages);
    const steps = resumed.flatMap((r) =>
      r.type === 'step' ? [[r.step, r.metrics.trainLoss, r.metrics.lr]] : [],
    );
    // The resumed retrain takes the uninterrupted one's steps from the autosave on, exactly.
    expect(steps).toEqual(old(straight).slice(pausedAt));
    const result = straight.messages.find((m) => m.type === 'retrainDone');
    const end = resumed.at(-1);
    expect(end?.type === 'done' && [end.metrics.testLoss, end.metrics.testAccuracy]).toEqual(
      result?.type === 'retrainDone' && [result.testLoss, result.testAccuracy],
    );
    // Its model file is the same as the uninterrupted retrain's.
    const file = straight.messages.find((m) => m.type === 'file');
    const model = end?.type === 'done' ? end.files?.find((f) => f.path === 'model.nas') : null;
    expect(model?.data).toEqual(file?.type === 'file' ? new Uint8Array(file.bytes) : null);
  });

  it('prunes the oldest autosaves when storage is full, and says so when even that fails', async () => {
    const store = memoryAutosaveStore({ quotaBytes: 100 });
    const entry = (id: string, savedAt: number, size: number) => ({
      id,
      kind: 'search' as const,
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

  it('runs a CDARTS search: warm-up, then joint steps with both networks and the distillation loss', async () => {
    const { messages, session, until } = harness();
    await session.handle({
      type: 'start',
      dataUrl: '',
      config: {
        ...CONFIG,
        algorithm: 'cdarts',
        search: { ...CONFIG.search, epochs: 2 },
        data: { dataset: 'synthetic', images: 16, imageSize: 8 },
      },
    });
    await until(() => messages.some((m) => m.type === 'status' && m.status === 'done'), 120_000);
    const steps = messages.flatMap((m) => (m.type === 'step' ? [m.point] : []));
    const phases = steps.map((p) => p.cdarts?.phase);
    // 8 alpha-half images, batch 4: 2 steps per epoch; epoch 0 warms up, epoch 1 is a cycle.
    expect(phases).toEqual([
      'searchWarmup',
      'searchWarmup',
      'evalWarmup',
      'evalWarmup',
      'joint',
      'joint',
    ]);
    expect(steps.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(steps.every((p) => p.totalSteps === 6)).toBe(true);
    const joint = steps.at(-1);
    expect(Number.isFinite(joint?.cdarts?.distillationLoss)).toBe(true);
    expect(Number.isFinite(joint?.cdarts?.evalLoss)).toBe(true);
    expect(joint?.cdarts?.evalGenotype?.normal.length).toBe(4);
    expect(Number.isNaN(steps[0]?.cdarts?.evalLoss)).toBe(true);
    const epochs = messages.flatMap((m) => (m.type === 'epoch' ? [m.point] : []));
    expect(epochs.map((e) => e.evalValAccuracy === null)).toEqual([true, false]);
  });

  it('autosaves a CDARTS search; after a "reload" it resumes and takes the same steps', async () => {
    const config: LabConfig = {
      ...CONFIG,
      algorithm: 'cdarts',
      search: { ...CONFIG.search, epochs: 4 },
    };
    const done = (h: ReturnType<typeof harness>) =>
      h.until(() => h.messages.some((m) => m.type === 'status' && m.status === 'done'), 120_000);
    const points = (h: ReturnType<typeof harness>) =>
      h.messages.flatMap((m) =>
        m.type === 'step'
          ? [[m.point.step, m.point.cdarts?.phase, m.point.trainLoss, m.point.cdarts?.evalLoss]]
          : [],
      );
    const straight = harness();
    await straight.session.handle({ type: 'start', config, dataUrl: '' });
    await done(straight);

    const store = memoryAutosaveStore();
    const first = harness(store);
    await first.session.handle({ type: 'start', config, dataUrl: '', autosaveEvery: 3 });
    await first.until(() => first.messages.some((m) => m.type === 'autosaved'));
    await first.session.handle({ type: 'pause' });
    await first.until(() =>
      first.messages.some((m) => m.type === 'status' && m.status === 'paused'),
    );
    await first.session.flushAutosaves();
    const pausedAt = first.steps();
    // Save checkpoint downloads the same kind of file, and Load checkpoint takes it back.
    await first.session.handle({ type: 'save' });
    const file = first.messages.find((m) => m.type === 'file');
    if (file?.type !== 'file') throw new Error('no file');
    expect(file.name).toBe(`nas-lab-cdarts-step-${pausedAt}.naslab`);
    await first.session.handle({ type: 'stop' });
    const loaded = harness();
    await loaded.session.handle({
      type: 'loadCheckpoint',
      bytes: file.bytes,
      backend: 'cpu',
      dataUrl: '',
    });
    expect(loaded.messages.find((m) => m.type === 'restored')).toMatchObject({
      step: pausedAt,
      config: { algorithm: 'cdarts' },
    });
    await loaded.session.handle({ type: 'stop' });

    const after = harness(store);
    await after.session.handle({ type: 'listAutosaves' });
    const list = after.messages.find((m) => m.type === 'autosaves');
    if (list?.type !== 'autosaves') throw new Error('no list');
    expect(list.items.map((i) => [i.kind, i.step])).toEqual([['cdarts', pausedAt]]);
    await after.session.handle({
      type: 'resumeAutosave',
      id: 'cdarts',
      backend: 'cpu',
      dataUrl: '',
    });
    // A CDARTS checkpoint: the CDARTS run kind resumes it, with the lab's settings as started.
    const restored = after.messages.find((m) => m.type === 'runStarted');
    if (restored?.type !== 'runStarted') throw new Error('not restored');
    expect([restored.kind, restored.step]).toEqual(['cdarts', pausedAt]);
    expect(restored.settings).toMatchObject({ ...DEFAULT_LAB_CDARTS, ...config.data, epochs: 4 });
    await after.session.handle({ type: 'resume' });
    await done(after);
    const resumed = reports(after.messages).flatMap((r) => {
      if (r.type !== 'step') return [];
      const phase = (r.detail as { phase?: string } | undefined)?.phase;
      const evalLoss = r.metrics.evalLoss ?? Number.NaN;
      return [[r.step, phase, r.metrics.trainLoss ?? Number.NaN, evalLoss]];
    });
    expect(resumed).toEqual(points(straight).slice(pausedAt));
  });

  it('rolls back a diverged search with lower learning rates; a second divergence pauses it', async () => {
    const { messages, session, steps, until } = harness();
    await session.handle({
      type: 'start',
      config: CONFIG,
      dataUrl: '',
      autosaveEvery: 2,
      divergenceLrFactor: 0.5,
    });
    await until(() => steps() >= 3);
    await session.handle({ type: 'injectFault', kind: 'nan' });
    await until(() => messages.some((m) => m.type === 'diverged'));
    const diverged = messages.find((m) => m.type === 'diverged');
    if (diverged?.type !== 'diverged') throw new Error('no divergence');
    expect(diverged.rolledBackTo % 2).toBe(0);
    expect(diverged.rolledBackTo).toBeLessThan(diverged.step);
    expect(diverged.weightLr).toBeCloseTo(CONFIG.search.weightLr * 0.5, 12);
    expect(diverged.alphaLr).toBeCloseTo(CONFIG.search.alphaLr * 0.5, 12);
    // It goes on from the rollback point with finite losses and the lowered rate.
    const at = messages.indexOf(diverged);
    await until(() => messages.slice(at).filter((m) => m.type === 'step').length >= 2);
    const after = messages.slice(at).flatMap((m) => (m.type === 'step' ? [m.point] : []));
    expect(after[0]?.step).toBe(diverged.rolledBackTo + 1);
    expect(after.every((p) => Number.isFinite(p.trainLoss) && Number.isFinite(p.valLoss))).toBe(
      true,
    );
    expect(after[0]?.weightLr).toBeLessThanOrEqual(CONFIG.search.weightLr * 0.5);
    // A second divergence pauses the run with a message.
    await session.handle({ type: 'injectFault', kind: 'nan' });
    await until(() => messages.some((m) => m.type === 'status' && m.status === 'paused'));
    expect(messages.filter((m) => m.type === 'error').at(-1)).toMatchObject({
      message: expect.stringMatching(/diverged again at step \d+ .* paused/),
    });
    expect(messages.filter((m) => m.type === 'diverged').length).toBe(1);
    await session.handle({ type: 'stop' });
  });

  it('takes finite but exploding alphas for divergence: a rollback, then a pause', async () => {
    const { messages, session, steps, until } = harness();
    await session.handle({ type: 'start', config: CONFIG, dataUrl: '', autosaveEvery: 2 });
    await until(() => steps() >= 3);
    await session.handle({ type: 'injectFault', kind: 'explodeAlphas' });
    await until(() => messages.some((m) => m.type === 'diverged'));
    const diverged = messages.find((m) => m.type === 'diverged');
    if (diverged?.type !== 'diverged') throw new Error('no divergence');
    // Only max |α| shows it: the step that exploded had finite losses and softmax.
    const exploded = messages.find((m) => m.type === 'step' && m.point.step === diverged.step);
    if (exploded?.type !== 'step') throw new Error('no step at the divergence');
    expect(Number.isFinite(exploded.point.trainLoss)).toBe(true);
    expect(Number.isFinite(exploded.point.valLoss)).toBe(true);
    expect(exploded.point.alphaMaxAbs).toBeGreaterThan(1e5);
    expect(diverged.reason).toMatch(/^the alphas exploded: max \|α\| = .* above the limit 100$/);
    expect(diverged.rolledBackTo).toBeLessThan(diverged.step);
    const at = messages.indexOf(diverged);
    await until(() => messages.slice(at).filter((m) => m.type === 'step').length >= 1);
    const after = messages.slice(at).flatMap((m) => (m.type === 'step' ? [m.point] : []));
    expect(after[0]?.step).toBe(diverged.rolledBackTo + 1);
    expect(after[0]?.alphaMaxAbs).toBeLessThan(1);
    await session.handle({ type: 'injectFault', kind: 'explodeAlphas' });
    await until(() => messages.some((m) => m.type === 'status' && m.status === 'paused'));
    expect(messages.filter((m) => m.type === 'error').at(-1)).toMatchObject({
      message: expect.stringMatching(
        /diverged again at step \d+ \(the alphas exploded: .*\) .* paused/,
      ),
    });
    await session.handle({ type: 'stop' });
  });

  it('a retrain whose device is lost resumes from its last autosave on a recreated backend', async () => {
    const genotype = genotypeToJson(DARTS_V2);
    const isDone = (h: ReturnType<typeof harness>) => () =>
      h.messages.some((m) => m.type === 'status' && m.status === 'done');
    const straight = harness();
    await straight.session.handle({ type: 'retrain', config: RETRAIN, genotype, dataUrl: '' });
    await straight.until(isDone(straight));

    const { messages, session, until } = harness(memoryAutosaveStore());
    await session.handle({
      type: 'retrain',
      config: RETRAIN,
      genotype,
      dataUrl: '',
      autosaveEvery: 2,
    });
    await until(() => messages.some((m) => m.type === 'autosaved'));
    // The cpu backend has no GPU device; the hook destroys this stand-in for one, and the
    // recovery then replaces the cpu backend's instance, as it would a lost WebGPU one.
    let destroyed = false;
    Object.assign(tf.backend(), { device: { destroy: () => (destroyed = true) } });
    await session.handle({ type: 'injectFault', kind: 'deviceLoss' });
    expect(destroyed).toBe(true);
    const recovered = messages.find((m) => m.type === 'recovered');
    if (recovered?.type !== 'recovered') throw new Error('not recovered');
    expect(recovered.backend).toBe('cpu');
    expect(recovered.resumedAt % 2).toBe(0);
    expect(recovered.resumedAt).toBeGreaterThan(0);
    expect(messages.some((m) => m.type === 'error')).toBe(false);
    await until(() => messages.some((m) => m.type === 'status' && m.status === 'done'));
    // From the autosave on, the steps are the uninterrupted run's, bit for bit, and it ends.
    const at = messages.indexOf(recovered);
    expect(retrainPoints(messages.slice(at))).toEqual(
      retrainPoints(straight.messages).slice(recovered.resumedAt),
    );
    expect(messages.find((m) => m.type === 'retrainDone')).toEqual(
      straight.messages.find((m) => m.type === 'retrainDone'),
    );
  });

  it('rolls back a diverged retrain with a lowered peak rate; a second divergence pauses it', async () => {
    const { messages, session, until } = harness();
    const genotype = genotypeToJson(DARTS_V2);
    const config = { ...RETRAIN, retrain: { ...RETRAIN.retrain, epochs: 20 } };
    await session.handle({
      type: 'retrain',
      config,
      genotype,
      dataUrl: '',
      autosaveEvery: 2,
      divergenceLrFactor: 0.25,
    });
    const retrainSteps = () => messages.filter((m) => m.type === 'retrainStep').length;
    await until(() => retrainSteps() >= 3);
    await session.handle({ type: 'injectFault', kind: 'nan' });
    await until(() => messages.some((m) => m.type === 'diverged'));
    const diverged = messages.find((m) => m.type === 'diverged');
    if (diverged?.type !== 'diverged') throw new Error('no divergence');
    expect(diverged.reason).toBe('the training loss is NaN');
    expect(diverged.rolledBackTo % 2).toBe(0);
    expect(diverged.rolledBackTo).toBeLessThan(diverged.step);
    const r = config.retrain;
    expect(diverged.weightLr).toBeCloseTo(r.lr * 0.25, 12);
    expect(diverged.alphaLr).toBeUndefined();
    const at = messages.indexOf(diverged);
    await until(() => messages.slice(at).filter((m) => m.type === 'retrainStep').length >= 2);
    const after = messages.slice(at).flatMap((m) => (m.type === 'retrainStep' ? [m.point] : []));
    expect(after[0]?.step).toBe(diverged.rolledBackTo + 1);
    expect(after.every((p) => Number.isFinite(p.trainLoss))).toBe(true);
    // The cosine schedule goes on from the lowered peak.
    for (const p of after) {
      expect(p.lr).toBeCloseTo(cosineLr(p.epoch, r.epochs, r.lr * 0.25, r.lrMin), 12);
    }
    await session.handle({ type: 'injectFault', kind: 'nan' });
    await until(() => messages.some((m) => m.type === 'status' && m.status === 'paused'));
    expect(messages.filter((m) => m.type === 'error').at(-1)).toMatchObject({
      message: expect.stringMatching(/^the retrain diverged again at step \d+ .* paused/),
    });
    expect(messages.filter((m) => m.type === 'diverged').length).toBe(1);
    await session.handle({ type: 'stop' });
  });

  it('rolls back a diverged CDARTS search with all its rates lowered; a second divergence pauses it', async () => {
    const config: LabConfig = {
      ...CONFIG,
      algorithm: 'cdarts',
      search: { ...CONFIG.search, epochs: 50 },
    };
    const losses = (h: ReturnType<typeof harness>, from = 0) =>
      new Map(
        h.messages
          .slice(from)
          .flatMap((m) =>
            m.type === 'step'
              ? [[m.point.step, [m.point.trainLoss, m.point.cdarts?.evalLoss]]]
              : [],
          ),
      );
    const { messages, session, steps, until } = harness();
    await session.handle({
      type: 'start',
      config,
      dataUrl: '',
      autosaveEvery: 2,
      divergenceLrFactor: 0.5,
    });
    await until(() => steps() >= 3, 120_000);
    await session.handle({ type: 'injectFault', kind: 'nan' });
    await until(() => messages.some((m) => m.type === 'diverged'), 120_000);
    const diverged = messages.find((m) => m.type === 'diverged');
    if (diverged?.type !== 'diverged') throw new Error('no divergence');
    expect(diverged.reason).toMatch(/loss is NaN/);
    expect(diverged.rolledBackTo % 2).toBe(0);
    expect(diverged.rolledBackTo).toBeLessThan(diverged.step);
    const cdarts = DEFAULT_LAB_CDARTS;
    expect(diverged.weightLr).toBeCloseTo(config.search.weightLr * 0.5, 12);
    expect(diverged.alphaLr).toBeCloseTo(config.search.alphaLr * 0.5, 12);
    expect(diverged.nasnetLr).toBeCloseTo(cdarts.nasnetLr * 0.5, 12);
    const at = messages.indexOf(diverged);
    await until(() => messages.slice(at).filter((m) => m.type === 'step').length >= 2, 120_000);
    const after = messages.slice(at).flatMap((m) => (m.type === 'step' ? [m.point] : []));
    expect(after[0]?.step).toBe(diverged.rolledBackTo + 1);
    // The first step after the rollback is the untouched run's (its state came back whole); the
    // next one differs, since the first was taken at the lowered rates.
    const good = diverged.rolledBackTo;
    // The same run left alone, for the steps after the rollback to be compared with.
    const straight = harness();
    await straight.session.handle({ type: 'start', config, dataUrl: '' });
    await straight.until(() => straight.steps() >= good + 2, 120_000);
    await straight.session.handle({ type: 'stop' });
    const ours = losses({ messages, session, steps, until }, at);
    const theirs = losses(straight);
    expect(ours.get(good + 1)).toEqual(theirs.get(good + 1));
    expect(ours.get(good + 2)).not.toEqual(theirs.get(good + 2));
    expect(
      after.every((p) =>
        [p.trainLoss, p.cdarts?.evalLoss].some((v) => v !== undefined && Number.isFinite(v)),
      ),
    ).toBe(true);
    await session.handle({ type: 'injectFault', kind: 'nan' });
    await until(() => messages.some((m) => m.type === 'status' && m.status === 'paused'), 120_000);
    expect(messages.filter((m) => m.type === 'error').at(-1)).toMatchObject({
      message: expect.stringMatching(/^the search diverged again at step \d+ .* paused/),
    });
    expect(messages.filter((m) => m.type === 'diverged').length).toBe(1);
    await session.handle({ type: 'stop' });
  });
});
