/**
 * A recurrent retrain (`rnn/train.py`) as a run of its kind in the lab's session, in-thread on
 * cpu on the built-in text, started as the page starts it ('startRun', kind `rnn-retrain`): its
 * reports stream steps and epochs, switch to ASGD by the nonmono rule and end with the best
 * epoch's test perplexity, and the page's view reads them; it stops between steps, autosaves
 * under its kind and resumes the autosave at its step, rolls an injected NaN back with its live
 * rate lowered, and reports bad settings and genotypes as errors.
 */
import { describe, expect, it } from 'vitest';
import { folderSource } from '../../src/cli/folderSource';
import { BUILTIN_TEXT_FOLDER } from '../../src/data/builtinText';
import { rnnGenotypeFromJson, rnnGenotypeToJson } from '../../src/nas/rnn/genotype/rnnGenotype';
import { RNN_DARTS_V2 } from '../../src/nas/rnn/genotype/rnnPublishedGenotypes';
import { RNN_RETRAIN_INFO } from '../../src/nas/rnn/retrain/rnnRetrainKindInfo';
import type { RunReport } from '../../src/nas/runKind/runKind';
import type { Settings } from '../../src/nas/runKind/settingsSchema';
import { defaultSettings } from '../../src/nas/runKind/settingsSchema';
import { INITIAL_LAB_STATE, reduceLabBatch } from '../../src/ui/labReducer';
import { asgdFromStep, bestEpochOf, corpusOf } from '../../src/ui/reportDetails';
import { latestGenotype } from '../../src/ui/runTrace';
import type { AutosaveStore } from '../../src/worker/autosaveStore';
import { memoryAutosaveStore } from '../../src/worker/autosaveStore';
import { LabSession } from '../../src/worker/labSession';
import { builtinTextUrl } from '../../src/worker/labText';
import type { FromWorker, StartRunMessage } from '../../src/worker/protocol';

const PAGE_DATA_URL = 'https://lab.example/nas/data/fashion-mnist/';

/**
 * Seconds on cpu: 200 train tokens in 4 columns, segments of about 5 (at most 7). At lr 60 the
 * validation loss rises in the second epoch, so with nonmono 1 the third epoch switches to ASGD
 * and the fourth trains and is evaluated averaged (deterministic: seeded, cpu backend).
 */
const TINY: Settings = {
  ...defaultSettings(RNN_RETRAIN_INFO.schema, 'demo'),
  genotype: 'DARTS_V2',
  nhid: 8,
  bptt: 5,
  maxSeqLenDelta: 2,
  batchSize: 4,
  epochs: 4,
  lr: 60,
  nonmono: 1,
  maxVocabulary: 300,
  trainTokens: 200,
  validTokens: 100,
  testTokens: 100,
};

function harness(autosaves: AutosaveStore | null = null) {
  const messages: FromWorker[] = [];
  const urls: string[] = [];
  const session = new LabSession({
    post: (m) => messages.push(m),
    dataSource: (url) => {
      urls.push(url);
      return folderSource(`public/data/${BUILTIN_TEXT_FOLDER}`);
    },
    autosaves,
  });
  const reports = (from = 0): RunReport[] =>
    messages.slice(from).flatMap((m) => (m.type === 'report' ? [m.report] : []));
  const steps = (from = 0) =>
    reports(from).filter((r): r is Extract<RunReport, { type: 'step' }> => r.type === 'step');
  const until = async (predicate: () => boolean, ms = 120_000) => {
    const start = Date.now();
    while (!predicate()) {
      if (Date.now() - start > ms) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { messages, urls, session, reports, steps, until };
}

const retrain = (settings: Settings, extra: Partial<StartRunMessage> = {}): StartRunMessage => ({
  type: 'startRun',
  kind: RNN_RETRAIN_INFO.id,
  settings,
  backend: 'cpu',
  dataUrl: PAGE_DATA_URL,
  autosaveEvery: 0,
  ...extra,
});

type Detail = Readonly<Record<string, unknown>>;
const detail = (r: { readonly detail?: unknown }) => (r.detail ?? {}) as Detail;

describe('recurrent retrain run in the lab session (in-thread on cpu, the built-in text)', () => {
  it('streams steps and epochs, switches to ASGD by the nonmono rule, ends with the best epoch’s test perplexity', async () => {
    const { messages, urls, session, reports, steps, until } = harness();
    await session.handle(retrain(TINY));
    await until(() => messages.some((m) => m.type === 'status' && m.status === 'done'));
    expect(messages.filter((m) => m.type === 'error')).toEqual([]);
    expect(urls).toEqual([builtinTextUrl(PAGE_DATA_URL)]);
    expect(messages.find((m) => m.type === 'runStarted')).toMatchObject({
      kind: 'rnn-retrain',
      step: 0,
      settings: TINY,
    });
    const corpus = detail(reports().find((r) => r.type === 'note') ?? {});
    expect(corpus).toMatchObject({
      note: 'corpus',
      vocabularySize: 300,
      trainTokens: 200,
      validTokens: 100,
      testTokens: 100,
    });
    expect(rnnGenotypeFromJson(corpus.genotype)).toEqual(RNN_DARTS_V2);

    const stepped = steps();
    const epochs = reports().filter((r) => r.type === 'epoch');
    expect(stepped.map((p) => p.step)).toEqual(stepped.map((_, i) => i + 1));
    expect(
      stepped.every((p) => Number.isFinite(p.metrics.trainPerplexity) && p.throughput > 0),
    ).toBe(true);
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1, 2, 3]);
    expect(epochs.map((e) => detail(e).switchedToAsgd)).toEqual([false, false, true, false]);
    expect(epochs.map((e) => detail(e).evaluated)).toEqual([
      'weights',
      'weights',
      'weights',
      'averaged',
    ]);
    const switchStep = epochs[2]!.step;
    const optimizer = (p: RunReport) => detail(p).optimizer;
    expect(stepped.find((p) => optimizer(p) === 'asgd')?.step).toBe(switchStep + 1);
    expect(stepped.every((p) => p.step <= switchStep === (optimizer(p) === 'sgd'))).toBe(true);

    const done = reports().find((r) => r.type === 'done');
    if (done?.type !== 'done') throw new Error('no result');
    const best = epochs.reduce((a, b) =>
      (b.metrics.valPerplexity ?? Infinity) < (a.metrics.valPerplexity ?? Infinity) ? b : a,
    );
    expect(detail(done).bestEpoch).toBe(best.epoch);
    expect(done.metrics.testPerplexity).toBe(best.metrics.testPerplexity);
    expect(done.metrics.bestValPerplexity).toBeCloseTo(best.metrics.valPerplexity ?? NaN, 6);

    // The page's view of it: the genotype, every point, the ASGD switch placed, the result.
    const view = reduceLabBatch(INITIAL_LAB_STATE, messages).runs['rnn:retrain'] ?? null;
    expect(latestGenotype(view)).toEqual(rnnGenotypeToJson(RNN_DARTS_V2));
    expect(corpusOf(view)?.vocabularySize).toBe(300);
    expect(view?.steps).toHaveLength(stepped.length);
    expect(view?.epochs).toHaveLength(4);
    expect(asgdFromStep(view)).toBe(switchStep + 1);
    expect(view?.done?.step).toBe(stepped.length);
    expect(view?.done && bestEpochOf(view.done)).toBe(best.epoch);
  }, 120_000);

  it('stops between steps on request', async () => {
    const { messages, session, steps, until } = harness();
    await session.handle(retrain({ ...TINY, genotype: 'ENAS', epochs: 50 }));
    await until(() => steps().length >= 2);
    await session.handle({ type: 'stop' });
    expect(messages.at(-1)).toEqual({ type: 'status', status: 'stopped' });
    const n = steps().length;
    await new Promise((r) => setTimeout(r, 300));
    expect(steps()).toHaveLength(n);
  }, 60_000);

  it('autosaves under its kind id; a new session resumes the autosave at its step', async () => {
    const store = memoryAutosaveStore();
    const h = harness(store);
    await h.session.handle(retrain({ ...TINY, epochs: 50 }, { autosaveEvery: 3 }));
    await h.until(() => h.messages.some((m) => m.type === 'autosaved'));
    await h.session.handle({ type: 'pause' });
    await h.until(() => h.messages.some((m) => m.type === 'status' && m.status === 'paused'));
    await h.session.flushAutosaves();
    const pausedAt = h.steps().at(-1)?.step ?? 0;
    await h.session.handle({ type: 'stop' });
    expect(await store.list()).toMatchObject([
      { id: 'rnn-retrain', kind: 'rnn-retrain', step: pausedAt },
    ]);

    const after = harness(store);
    await after.session.handle({
      type: 'resumeAutosave',
      id: 'rnn-retrain',
      backend: 'cpu',
      dataUrl: PAGE_DATA_URL,
    });
    expect(after.messages.filter((m) => m.type === 'error')).toEqual([]);
    expect(after.messages.find((m) => m.type === 'runStarted')).toMatchObject({
      kind: 'rnn-retrain',
      step: pausedAt,
      settings: { ...TINY, epochs: 50 },
    });
    // A resumed run saves at once, before its first step (the Save checkpoint button).
    await after.session.handle({ type: 'save' });
    const file = after.messages.find((m) => m.type === 'file');
    expect(file).toMatchObject({ kind: 'checkpoint' });
    await after.session.handle({ type: 'step' });
    await after.until(() => after.steps().length === 1);
    expect(after.steps()[0]?.step).toBe(pausedAt + 1);
    expect(Number.isFinite(after.steps()[0]?.metrics.trainLoss)).toBe(true);
    await after.session.handle({ type: 'stop' });
  }, 120_000);

  it('rolls back an injected NaN with its learning rate lowered, and goes on', async () => {
    const h = harness();
    await h.session.handle(
      retrain({ ...TINY, lr: 20, epochs: 50 }, { autosaveEvery: 2, divergenceLrFactor: 0.5 }),
    );
    await h.until(() => h.steps().length >= 3);
    await h.session.handle({ type: 'injectFault', kind: 'nan' });
    await h.until(() => h.messages.some((m) => m.type === 'diverged'));
    const diverged = h.messages.find((m) => m.type === 'diverged');
    if (diverged?.type !== 'diverged') throw new Error('no divergence');
    expect(diverged.live).toEqual({ lr: 10 });
    expect(diverged.reason).toMatch(/NaN/);
    expect(diverged.rolledBackTo).toBeLessThan(diverged.step);
    expect(diverged.rolledBackTo % 2).toBe(0);
    const at = h.messages.indexOf(diverged);
    await h.until(() => h.steps(at).length >= 2);
    const after = h.steps(at);
    expect(after[0]?.step).toBe(diverged.rolledBackTo + 1);
    expect(after.every((r) => Number.isFinite(r.metrics.trainLoss))).toBe(true);
    // The step's rate is lr × length / bptt: at the lowered lr of 10.
    const first = after[0]!;
    expect(first.metrics.lr).toBeCloseTo((10 * (detail(first).seqLen as number)) / 5, 12);
    // The page's view goes back to the rollback's step and continues from it.
    const view = reduceLabBatch(INITIAL_LAB_STATE, h.messages).runs['rnn:retrain'];
    expect(view?.steps.map((p) => p.step)).toEqual(view?.steps.map((_, i) => i + 1));
    await h.session.handle({ type: 'stop' });
  }, 120_000);

  it('reports bad settings and genotypes as error messages, naming the key', async () => {
    const { messages, session } = harness();
    await session.handle(retrain({ ...TINY, nonmono: 0 }));
    expect(messages.at(-1)).toMatchObject({
      type: 'error',
      message: expect.stringMatching(/nonmono is below 1/),
    });
    await session.handle(retrain({ ...TINY, trainTokens: 8 }));
    expect(messages.at(-1)).toMatchObject({
      type: 'error',
      message: expect.stringMatching(/trainTokens/),
    });
    const gelu = { ...rnnGenotypeToJson(RNN_DARTS_V2), recurrent: [['gelu', 0]] };
    await session.handle(retrain({ ...TINY, genotype: JSON.stringify(gelu) }));
    expect(messages.at(-1)).toMatchObject({
      type: 'error',
      message: expect.stringMatching(/genotype: .*gelu/),
    });
  }, 60_000);
});
