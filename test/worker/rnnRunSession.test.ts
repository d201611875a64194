/**
 * A recurrent search as a run of its kind in the lab's session (in-thread on cpu, the built-in
 * text): it gets autosave and divergence rollback through the one path every kind takes, with
 * no code of its own in the worker: its autosave resumes at the saved step, and a NaN injected
 * into its weights rolls back to the last good checkpoint with its live rates lowered; it runs
 * at character level, and second order when its settings ask.
 */
import { describe, expect, it } from 'vitest';
import { folderSource } from '../../src/cli/folderSource';
import { BUILTIN_TEXT_FOLDER } from '../../src/data/builtinText';
import { runKinds } from '../../src/nas/runKind/registry';
import type { RunReport } from '../../src/nas/runKind/runKind';
import type { Settings } from '../../src/nas/runKind/settingsSchema';
import { defaultSettings } from '../../src/nas/runKind/settingsSchema';
import type { AutosaveStore } from '../../src/worker/autosaveStore';
import { memoryAutosaveStore } from '../../src/worker/autosaveStore';
import { LabSession } from '../../src/worker/labSession';
import type { FromWorker, StartRunMessage } from '../../src/worker/protocol';
import { TOY_ENTRY } from '../support/toyRunKind';

/**
 * The registry's recurrent search kind. Until its kind is on this branch the tests below are
 * skipped (they ran against the kind's branch before it landed); afterwards they always run.
 */
const ENTRY = runKinds().find((e) => e.info.command === 'search' && e.info.select.space === 'rnn');
const INFO = (ENTRY ?? TOY_ENTRY).info;
const LAB_PRESET = INFO.schema.presets.includes('lab') ? 'lab' : undefined;

/** Seconds on cpu: a small softmax, a short text, short segments. */
const TINY: Settings = {
  ...defaultSettings(INFO.schema, LAB_PRESET),
  nhid: 8,
  bptt: 5,
  batchSize: 4,
  epochs: 3,
  trainTokens: 400,
  validTokens: 100,
  maxVocabulary: 300,
};

const PAGE_DATA_URL = 'https://lab.example/nas/data/fashion-mnist/';

const start = (extra: Partial<StartRunMessage> = {}): StartRunMessage => ({
  type: 'startRun',
  kind: INFO.id,
  settings: TINY,
  backend: 'cpu',
  dataUrl: PAGE_DATA_URL,
  ...extra,
});

function harness(autosaves: AutosaveStore | null = null) {
  const messages: FromWorker[] = [];
  const session = new LabSession({
    post: (m) => messages.push(m),
    dataSource: () => folderSource(`public/data/${BUILTIN_TEXT_FOLDER}`),
    autosaves,
  });
  const steps = (from = 0) =>
    messages
      .slice(from)
      .flatMap((m) =>
        m.type === 'report' && m.report.type === 'step' ? [m.report] : [],
      ) as Extract<RunReport, { type: 'step' }>[];
  const until = async (predicate: () => boolean, ms = 120_000) => {
    const t0 = Date.now();
    while (!predicate()) {
      if (Date.now() - t0 > ms) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { messages, session, steps, until };
}

describe.runIf(ENTRY)('a recurrent search run in the lab session (cpu, the built-in text)', () => {
  it('autosaves under its kind id; a new session resumes the autosave at its step', async () => {
    const store = memoryAutosaveStore();
    const h = harness(store);
    await h.session.handle(start({ autosaveEvery: 2 }));
    await h.until(() => h.messages.some((m) => m.type === 'autosaved'));
    await h.session.handle({ type: 'pause' });
    await h.until(() => h.messages.some((m) => m.type === 'status' && m.status === 'paused'));
    await h.session.flushAutosaves();
    const pausedAt = h.steps().at(-1)?.step ?? 0;
    await h.session.handle({ type: 'stop' });
    const saved = await store.list();
    expect(saved).toMatchObject([{ id: INFO.id, kind: INFO.id, step: pausedAt }]);

    const after = harness(store);
    await after.session.handle({
      type: 'resumeAutosave',
      id: INFO.id,
      backend: 'cpu',
      dataUrl: PAGE_DATA_URL,
    });
    expect(after.messages.filter((m) => m.type === 'error')).toEqual([]);
    expect(after.messages.find((m) => m.type === 'runStarted')).toMatchObject({
      kind: INFO.id,
      step: pausedAt,
    });
    // Before any step, the run says where it stands: its opening note follows runStarted.
    const started = after.messages.findIndex((m) => m.type === 'runStarted');
    const opening = after.messages.slice(started + 1).find((m) => m.type === 'report');
    expect(opening).toMatchObject({ kind: INFO.id, report: { type: 'note' } });
    // A resumed run saves at once, before its first step (the Save checkpoint button).
    await after.session.handle({ type: 'save' });
    expect(after.messages.filter((m) => m.type === 'error')).toEqual([]);
    expect(after.messages.find((m) => m.type === 'file')).toMatchObject({
      kind: 'checkpoint',
      name: `nas-lab-${INFO.id}-step-${pausedAt}.naslab`,
    });
    await after.session.handle({ type: 'step' });
    await after.until(() => after.steps().length === 1);
    expect(after.steps()[0]?.step).toBe(pausedAt + 1);
    expect(Number.isFinite(after.steps()[0]?.metrics.trainLoss)).toBe(true);
    await after.session.handle({ type: 'stop' });
  });

  it('rolls back an injected NaN with every live rate lowered, and goes on', async () => {
    const h = harness();
    await h.session.handle(start({ autosaveEvery: 2, divergenceLrFactor: 0.5 }));
    await h.until(() => h.steps().length >= 3);
    await h.session.handle({ type: 'injectFault', kind: 'nan' });
    await h.until(() => h.messages.some((m) => m.type === 'diverged'));
    const diverged = h.messages.find((m) => m.type === 'diverged');
    if (diverged?.type !== 'diverged') throw new Error('no divergence');
    const live = INFO.schema.fields.filter((f) => f.live).map((f) => f.key);
    expect(Object.keys(diverged.live ?? {}).sort()).toEqual([...live].sort());
    for (const key of live) {
      expect(diverged.live?.[key]).toBeCloseTo((TINY[key] as number) * 0.5, 12);
    }
    expect(diverged.reason).toMatch(/NaN/);
    expect(diverged.rolledBackTo).toBeLessThan(diverged.step);
    const at = h.messages.indexOf(diverged);
    await h.until(() => h.steps(at).length >= 2);
    const after = h.steps(at);
    expect(after[0]?.step).toBe(diverged.rolledBackTo + 1);
    expect(after.every((r) => Number.isFinite(r.metrics.trainLoss))).toBe(true);
    expect(after[0]?.metrics.lr).toBeCloseTo((TINY.lr as number) * 0.5, 12);
    await h.session.handle({ type: 'stop' });
  });

  it('runs to done at character level through the built-in text, an epoch report per epoch', async () => {
    const h = harness();
    await h.session.handle(
      start({ settings: { ...TINY, level: 'char', epochs: 1, trainTokens: 100 } }),
    );
    await h.until(() => h.messages.some((m) => m.type === 'status' && m.status === 'done'));
    const reports = h.messages.flatMap((m) => (m.type === 'report' ? [m.report] : []));
    const note = reports.find((r) => r.type === 'note');
    expect(note?.type === 'note' && note.detail).toMatchObject({ note: 'corpus', level: 'char' });
    // Letters, digits, punctuation, <eos>, <unk>: far fewer than the word vocabulary.
    const vocabulary = (note?.type === 'note' && note.detail) as { vocabularySize?: number };
    expect(vocabulary.vocabularySize).toBeLessThan(120);
    const epochs = reports.filter((r) => r.type === 'epoch');
    expect(epochs).toHaveLength(1);
    expect(epochs[0]?.step).toBe(h.steps().length);
  });

  it('runs a second-order (unrolled) search when the settings ask for it', async () => {
    const firstSteps = async (order: number) => {
      const h = harness();
      await h.session.handle(start({ settings: { ...TINY, epochs: 1, trainTokens: 100, order } }));
      await h.until(() => h.steps().length >= 2);
      await h.session.handle({ type: 'stop' });
      return h.steps().slice(0, 2);
    };
    const first = await firstSteps(1);
    const second = await firstSteps(2);
    // Same seed and data: only the alpha gradient differs. The unrolled step scores the alpha
    // segment at the virtual weights w' and moves the alphas by another gradient.
    for (const r of second) expect(Number.isFinite(r.metrics.valLoss)).toBe(true);
    expect(second[0]?.metrics.valLoss).not.toBeCloseTo(first[0]?.metrics.valLoss as number, 6);
    expect(second[1]?.alphas?.[0]?.softmax.flat()).not.toEqual(
      first[1]?.alphas?.[0]?.softmax.flat(),
    );
    // The same order twice gives the same steps (the difference is the order's, not noise).
    const again = await firstSteps(2);
    expect(again[1]?.alphas?.[0]?.softmax).toEqual(second[1]?.alphas?.[0]?.softmax);
  });
});
