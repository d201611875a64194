/**
 * The lab's session runs any registered kind through one path: the test-only toy kind
 * (test/support/toyRunKind.ts, no tfjs), registered here and nowhere else, is started, paused,
 * stepped, saved, resumed, autosaved, rolled back after a divergence and recovered after a lost
 * device by the same messages every kind uses ('startRun', 'resumeRun', 'setLive').
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileSource } from '../../src/data/catalog';
import { encodeContainer } from '../../src/nas/io/checkpointFormat';
import { registerRunKind } from '../../src/nas/runKind/registry';
import type { RunReport } from '../../src/nas/runKind/runKind';
import { defaultSettings } from '../../src/nas/runKind/settingsSchema';
import * as tf from '../../src/nas/tensor/tf';
import type { AutosaveStore } from '../../src/worker/autosaveStore';
import { memoryAutosaveStore } from '../../src/worker/autosaveStore';
import { LabSession } from '../../src/worker/labSession';
import type { FromWorker, StartRunMessage } from '../../src/worker/protocol';
import { labRunEnv, reportForPage } from '../../src/worker/runJob';
import { TOY_ENTRY, TOY_SCHEMA } from '../support/toyRunKind';

let unregister: () => void = () => undefined;
beforeAll(() => {
  unregister = registerRunKind(TOY_ENTRY);
});
afterAll(() => unregister());

const TOY = defaultSettings(TOY_SCHEMA);

function start(changes: Record<string, unknown>, extra: Partial<StartRunMessage> = {}) {
  return {
    type: 'startRun',
    kind: 'toy',
    settings: { ...TOY, ...changes },
    backend: 'cpu',
    dataUrl: 'http://lab.test/data/fashion-mnist/',
    ...extra,
  } as StartRunMessage;
}

const noFiles: () => FileSource = () => ({
  read: async (c) => {
    throw new Error(`no files (${c.join(', ')})`);
  },
});

function harness(autosaves: AutosaveStore | null = null) {
  const messages: FromWorker[] = [];
  const session = new LabSession({ post: (m) => messages.push(m), dataSource: noFiles, autosaves });
  const reports = (from = 0): RunReport[] =>
    messages.slice(from).flatMap((m) => (m.type === 'report' ? [m.report] : []));
  const steps = (from = 0) =>
    reports(from).flatMap((r) => (r.type === 'step' ? [[r.step, r.metrics.trainLoss]] : []));
  const status = (s: string) => messages.some((m) => m.type === 'status' && m.status === s);
  const until = async (predicate: () => boolean, ms = 20_000) => {
    const t0 = Date.now();
    while (!predicate()) {
      if (Date.now() - t0 > ms) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  return { messages, session, reports, steps, status, until };
}

/**
 * The toy's reports when nothing interrupts it. Runs that are compared with it take 150 steps at
 * most: its checkpoint holds the loss as a float32, exact for 8 · 0.5^k up to k = 152.
 */
async function straightRun(steps: number) {
  const h = harness();
  await h.session.handle(start({ steps }));
  await h.until(() => h.status('done'));
  return h;
}

describe('the lab session runs a registered kind (the toy)', () => {
  it('starts from settings, reports every step and the end, and says what it started', async () => {
    const h = harness();
    await h.session.handle(start({ steps: 3 }));
    await h.until(() => h.status('done'));
    expect(h.messages.filter((m) => m.type === 'runStarted')).toEqual([
      { type: 'runStarted', kind: 'toy', settings: { ...TOY, steps: 3 }, step: 0 },
    ]);
    expect(h.messages.find((m) => m.type === 'backend')).toMatchObject({ backend: 'cpu' });
    expect(h.steps()).toEqual([
      [1, 4],
      [2, 2],
      [3, 1],
    ]);
    // Step reports come without their files; the run's end with its figures.
    expect(h.reports().filter((r) => r.type === 'step' && r.files !== undefined)).toEqual([]);
    expect(h.reports().at(-1)).toEqual({ type: 'done', step: 3, metrics: { finalLoss: 1 } });
    expect(h.messages.filter((m) => m.type === 'report').every((m) => m.kind === 'toy')).toBe(true);
    expect(h.messages.at(-1)).toEqual({ type: 'status', status: 'done' });
  });

  it('refuses invalid settings and unknown kinds, naming what is wrong, and stays usable', async () => {
    const h = harness();
    const errors = () => h.messages.flatMap((m) => (m.type === 'error' ? [m.message] : []));
    await h.session.handle(start({ steps: 5000 }));
    await h.session.handle(start({ flavour: 'sour', rate: 'fast' }));
    await h.session.handle({ ...start({}), settings: { steps: 3 } });
    await h.session.handle(start({ colour: 'red' }));
    await h.session.handle(start({ steps: 13 }));
    await h.session.handle({ ...start({}), kind: 'nope' });
    expect(errors()).toEqual([
      'The Toy run could not start: invalid Toy run settings: steps is above 1000',
      'The Toy run could not start: invalid Toy run settings: rate is not a number; flavour is not one of plain, spicy',
      'The Toy run could not start: invalid Toy run settings: startLoss is missing; rate is missing; flavour is missing; shapes is missing; loud is missing',
      'The Toy run could not start: invalid Toy run settings: colour is not a setting of this kind',
      'The Toy run could not start: invalid Toy run settings: steps must not be 13',
      expect.stringMatching(/^The run could not start: unknown run kind "nope": use .*toy/),
    ]);
    expect(h.reports()).toEqual([]);
    await h.session.handle(start({ steps: 2 }));
    await h.until(() => h.status('done'));
    expect(h.steps()).toEqual([
      [1, 4],
      [2, 2],
    ]);
  });

  it('pauses after the step under way, steps one at a time, takes live rates, stops', async () => {
    const h = harness();
    await h.session.handle(start({ steps: 1000 }));
    await h.until(() => h.steps().length >= 2);
    await h.session.handle({ type: 'pause' });
    await h.until(() => h.status('paused'));
    const paused = h.steps().length;
    await new Promise((r) => setTimeout(r, 100));
    expect(h.steps().length).toBe(paused);
    await h.session.handle({ type: 'step' });
    await h.until(() => h.steps().length === paused + 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(h.steps().length).toBe(paused + 1);
    // A live setting applies from the next step: the loss shrinks by the new rate.
    await h.session.handle({ type: 'setLive', values: { rate: 0.25 } });
    await h.session.handle({ type: 'step' });
    await h.until(() => h.steps().length === paused + 2);
    const [before, after] = h
      .steps()
      .slice(-2)
      .map((s) => s[1] as number);
    expect(after).toBe((before as number) * 0.25);
    await h.session.handle({ type: 'resume' });
    await h.until(() => h.steps().length >= paused + 5);
    await h.session.handle({ type: 'stop' });
    expect(h.messages.at(-1)).toEqual({ type: 'status', status: 'stopped' });
    const stopped = h.steps().length;
    await new Promise((r) => setTimeout(r, 50));
    expect(h.steps().length).toBe(stopped);
    // A setting that is not live is refused by name.
    await h.session.handle(start({ steps: 1000 }));
    await h.session.handle({ type: 'setLive', values: { steps: 5 } });
    expect(h.messages.at(-1)).toEqual({
      type: 'error',
      message: 'The setting did not change: steps cannot change while a Toy run runs',
    });
  });

  it('saves a checkpoint; a fresh session resumes it paused and goes on as the uninterrupted run', async () => {
    const straight = await straightRun(150);
    const h = harness();
    await h.session.handle(start({ steps: 150 }));
    await h.until(() => h.steps().length >= 5);
    await h.session.handle({ type: 'pause' });
    await h.until(() => h.status('paused'));
    await h.session.handle({ type: 'save' });
    const file = h.messages.find((m) => m.type === 'file');
    if (file?.type !== 'file') throw new Error('no file');
    const saved = h.steps().length;
    expect(file).toMatchObject({
      kind: 'checkpoint',
      name: `nas-lab-toy-step-${saved}.naslab`,
    });
    await h.session.handle({ type: 'stop' });

    const after = harness();
    await after.session.handle({
      type: 'resumeRun',
      bytes: file.bytes,
      backend: 'cpu',
      dataUrl: '',
    });
    expect(after.messages.find((m) => m.type === 'runStarted')).toEqual({
      type: 'runStarted',
      kind: 'toy',
      settings: { ...TOY, steps: 150 },
      step: saved,
    });
    expect(after.messages.at(-1)).toEqual({ type: 'status', status: 'paused' });
    await after.session.handle({ type: 'resume' });
    await after.until(() => after.status('done'));
    expect(after.steps()).toEqual(straight.steps().slice(saved));
    expect(after.reports().at(-1)).toEqual(straight.reports().at(-1));

    // Bytes that are no run's checkpoint are refused, naming what they are.
    const model = encodeContainer({ manifest: { format: 'nas-lab.trained-model' }, tensors: [] });
    await after.session.handle({
      type: 'resumeRun',
      bytes: model.slice().buffer,
      backend: 'cpu',
      dataUrl: '',
    });
    expect(after.messages.at(-1)).toMatchObject({
      type: 'error',
      message: expect.stringMatching(
        /^The checkpoint could not be loaded: this file is a "nas-lab.trained-model", not a checkpoint/,
      ),
    });
  });

  it('rolls back a NaN to the last good checkpoint with every live rate lowered; a second pauses', async () => {
    const h = harness();
    await h.session.handle(start({ steps: 1000 }, { autosaveEvery: 4, divergenceLrFactor: 0.5 }));
    await h.until(() => h.steps().length >= 6);
    await h.session.handle({ type: 'injectFault', kind: 'nan' });
    await h.until(() => h.messages.some((m) => m.type === 'diverged'));
    const diverged = h.messages.find((m) => m.type === 'diverged');
    if (diverged?.type !== 'diverged') throw new Error('no divergence');
    expect(diverged).toMatchObject({ reason: 'the loss is NaN', live: { rate: 0.25 } });
    expect(diverged.rolledBackTo % 4).toBe(0);
    expect(diverged.rolledBackTo).toBeLessThan(diverged.step);
    const nan = h.steps().find(([step]) => step === diverged.step);
    expect(nan?.[1]).toBeNaN();
    // It goes on from the checkpoint's loss at the lowered rate: 8 · 0.5^k · 0.25^j.
    const at = h.messages.indexOf(diverged);
    await h.until(() => h.steps(at).length >= 3);
    const good = 8 * 0.5 ** diverged.rolledBackTo;
    expect(h.steps(at).slice(0, 3)).toEqual([
      [diverged.rolledBackTo + 1, good * 0.25],
      [diverged.rolledBackTo + 2, good * 0.25 ** 2],
      [diverged.rolledBackTo + 3, good * 0.25 ** 3],
    ]);
    await h.session.handle({ type: 'injectFault', kind: 'nan' });
    await h.until(() => h.status('paused'));
    expect(h.messages.filter((m) => m.type === 'error').at(-1)).toMatchObject({
      message: expect.stringMatching(
        /^the Toy run diverged again at step \d+ \(the loss is NaN\) after a rollback; it is paused/,
      ),
    });
    expect(h.messages.filter((m) => m.type === 'diverged')).toHaveLength(1);
    await h.session.handle({ type: 'stop' });
  });

  it('autosaves under the kind id; after a "reload" the autosave resumes where it stopped', async () => {
    const straight = await straightRun(150);
    const store = memoryAutosaveStore();
    const h = harness(store);
    await h.session.handle(start({ steps: 150 }, { autosaveEvery: 4 }));
    await h.until(() => h.messages.filter((m) => m.type === 'autosaved').length >= 2);
    await h.session.handle({ type: 'pause' });
    await h.until(() => h.status('paused'));
    await h.session.flushAutosaves();
    const pausedAt = h.steps().length;
    const saves = h.messages.flatMap((m) => (m.type === 'autosaved' ? [m.step] : []));
    expect(saves.slice(0, 2)).toEqual([4, 8]);
    expect(saves.at(-1)).toBe(pausedAt);
    await h.session.handle({ type: 'stop' });
    const entry = await store.get('toy');

    const after = harness(store);
    await after.session.handle({ type: 'listAutosaves' });
    expect(after.messages.find((m) => m.type === 'autosaves')).toMatchObject({
      items: [{ id: 'toy', kind: 'toy', step: pausedAt }],
    });
    await after.session.handle({ type: 'resumeAutosave', id: 'toy', backend: 'cpu', dataUrl: '' });
    expect(after.messages.find((m) => m.type === 'runStarted')).toMatchObject({
      kind: 'toy',
      step: pausedAt,
    });
    await after.session.handle({ type: 'step' });
    await after.until(() => after.steps().length === 1);
    expect(after.steps()).toEqual(straight.steps().slice(pausedAt, pausedAt + 1));
    await after.session.handle({ type: 'stop' });

    // An autosave stored under an older job's name resumes by its bytes' format.
    if (!entry) throw new Error('no autosave');
    await store.put({ ...entry, id: 'search', kind: 'search' });
    const old = harness(store);
    await old.session.handle({ type: 'resumeAutosave', id: 'search', backend: 'cpu', dataUrl: '' });
    expect(old.messages.find((m) => m.type === 'runStarted')).toMatchObject({
      kind: 'toy',
      step: pausedAt,
    });
    await old.session.handle({ type: 'stop' });
  });

  it('goes on from the last good checkpoint when the device is lost, on a recreated backend', async () => {
    const straight = await straightRun(150);
    const h = harness(memoryAutosaveStore());
    await h.session.handle(start({ steps: 150 }, { autosaveEvery: 3 }));
    await h.until(() => h.messages.some((m) => m.type === 'autosaved'));
    // The cpu backend has no GPU device: the hook destroys this stand-in for one, and the
    // recovery replaces the cpu backend's instance, as it would a lost WebGPU one.
    let destroyed = false;
    Object.assign(tf.backend(), { device: { destroy: () => (destroyed = true) } });
    await h.session.handle({ type: 'injectFault', kind: 'deviceLoss' });
    expect(destroyed).toBe(true);
    const recovered = h.messages.find((m) => m.type === 'recovered');
    if (recovered?.type !== 'recovered') throw new Error('not recovered');
    expect(recovered.backend).toBe('cpu');
    expect(recovered.resumedAt % 3).toBe(0);
    expect(recovered.resumedAt).toBeGreaterThan(0);
    const at = h.messages.indexOf(recovered);
    await h.until(() => h.status('done'));
    expect(h.steps(at)).toEqual(straight.steps().slice(recovered.resumedAt));
    expect(h.messages.some((m) => m.type === 'error')).toBe(false);
  });
});

describe('what the lab gives a kind', () => {
  it('sends the page only a finished run’s files, as bytes of their own', () => {
    const data = Uint8Array.of(1, 2, 3);
    const files = [
      { path: 'model.nas', data },
      { path: 'genotype.json', data: '{}' },
    ];
    const step: RunReport = {
      type: 'step',
      step: 1,
      epoch: 0,
      totalSteps: 2,
      elapsedMs: 0,
      throughput: 1,
      metrics: { trainLoss: 1 },
      files,
    };
    expect(reportForPage(step)).not.toHaveProperty('files');
    expect(reportForPage({ type: 'epoch', epoch: 0, step: 1, metrics: {}, files })).toEqual({
      type: 'epoch',
      epoch: 0,
      step: 1,
      metrics: {},
    });
    const done = reportForPage({ type: 'done', step: 2, metrics: {}, files });
    if (done.type !== 'done') throw new Error('not done');
    expect(done.files).toEqual(files);
    expect(done.files?.[0]?.data).not.toBe(data);
    expect((done.files?.[0]?.data as Uint8Array).buffer).not.toBe(data.buffer);
  });

  it('reads the embedded images and the built-in text next to them, and nothing else', async () => {
    const asked: string[] = [];
    const env = labRunEnv((url) => {
      asked.push(url);
      return noFiles();
    }, 'http://lab.test/app/data/fashion-mnist/');
    env.files({ dataset: 'default' });
    env.files({ dataset: 'builtin-text' });
    expect(asked).toEqual([
      'http://lab.test/app/data/fashion-mnist/',
      'http://lab.test/app/data/austen-pride/',
    ]);
    await expect(env.files({ dataset: 'synthetic' }).read(['x'])).rejects.toThrow(
      'synthetic data is generated and reads no files (x)',
    );
    expect(() => env.files({ dataset: 'cifar10' })).toThrow(
      "the lab has only its built-in data (default images, builtin-text); cifar10 needs the command line's --data-dir",
    );
    expect(() => env.files({ dataset: 'default', dir: '/data' })).toThrow(
      'the lab reads no folders (/data); the command line does',
    );
  });
});
