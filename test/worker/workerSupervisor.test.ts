import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FromWorker, ToWorker } from '../../src/worker/protocol';
import type { Pong, WorkerControl } from '../../src/worker/workerControl';
import type { WorkerLike } from '../../src/worker/workerSupervisor';
import { superviseLabWorker } from '../../src/worker/workerSupervisor';

/** A worker that records what it is sent and says what the test tells it to. */
class FakeWorker implements WorkerLike {
  readonly received: (ToWorker | WorkerControl)[] = [];
  terminated = false;
  /** Answers pings, as a live worker's event loop does. */
  answersPings = true;
  onmessage: WorkerLike['onmessage'] = null;
  onerror: WorkerLike['onerror'] = null;

  postMessage(message: ToWorker | WorkerControl): void {
    if (this.terminated) return;
    this.received.push(message);
    if (message.type === 'ping' && this.answersPings) this.say({ type: 'pong' });
  }

  terminate(): void {
    this.terminated = true;
  }

  say(message: FromWorker | Pong): void {
    this.onmessage?.({ data: message });
  }

  sent(type: string) {
    return this.received.filter((m) => m.type === type);
  }
}

/** A DARTS search's step report, as the worker posts it. */
function step(n: number): FromWorker {
  return {
    type: 'report',
    kind: 'darts',
    report: {
      type: 'step',
      step: n,
      epoch: 0,
      totalSteps: 100,
      elapsedMs: 1,
      throughput: 1,
      metrics: { trainLoss: 2, trainAccuracy: 0.1, valLoss: 2, weightLr: 0.025 },
    },
  };
}

function harness(options: { silenceLimitMs?: number; pingEveryMs?: number } = {}) {
  const workers: FakeWorker[] = [];
  const seen: FromWorker[] = [];
  const client = superviseLabWorker({
    createWorker: () => {
      const w = new FakeWorker();
      workers.push(w);
      return w;
    },
    onMessage: (m) => seen.push(m),
    pingEveryMs: options.pingEveryMs ?? 1_000,
    silenceLimitMs: options.silenceLimitMs ?? 10_000,
    silenceFactor: 4,
  });
  const current = () => workers.at(-1) as FakeWorker;
  /** A search that runs, autosaves at step `saved` and goes on to `upTo`. */
  const runSearch = (saved: number, upTo: number) => {
    client.send({
      type: 'startRun',
      kind: 'darts',
      settings: {},
      backend: 'cpu',
      autosaveEvery: 2,
      dataUrl: 'http://lab/data/',
    });
    const w = current();
    w.say({ type: 'status', status: 'loading' });
    w.say({ type: 'backend', backend: 'cpu', reason: 'cpu was requested' });
    w.say({ type: 'status', status: 'running' });
    for (let n = 1; n <= upTo; n++) {
      w.say(step(n));
      if (n === saved) w.say({ type: 'autosaved', step: n, savedAt: 1000 + n });
    }
  };
  /** The new worker lists, restores and (if asked) resumes, as LabSession does. */
  const answerRecovery = (w: FakeWorker, saved: number) => {
    w.say({
      type: 'autosaves',
      items: [{ id: 'darts', kind: 'darts', step: saved, savedAt: 1000 + saved, sizeBytes: 10 }],
    });
    w.say({ type: 'status', status: 'loading' });
    w.say({ type: 'backend', backend: 'cpu', reason: 'cpu was requested' });
    w.say({ type: 'runStarted', kind: 'darts', settings: {}, step: saved });
    w.say({ type: 'status', status: 'paused' });
  };
  return { workers, seen, client, current, runSearch, answerRecovery };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('worker supervisor (fake worker)', () => {
  it('restarts a worker that threw at its top level and resumes the run from its autosave', () => {
    const { workers, seen, client, current, runSearch, answerRecovery } = harness();
    runSearch(4, 5);
    client.send({ type: 'setLive', values: { weightLr: 0.01 } });
    client.send({ type: 'setLive', values: { alphaLr: 0.002 } });
    const first = current();
    first.onerror?.({ message: 'Uncaught Error: boom' });
    expect(first.terminated).toBe(true);
    expect(workers.length).toBe(2);
    const second = current();
    expect(second.received).toEqual([{ type: 'listAutosaves' }]);
    expect(seen.at(-1)).toEqual({ type: 'status', status: 'loading' });
    answerRecovery(second, 4);
    expect(second.sent('resumeAutosave')).toEqual([
      {
        type: 'resumeAutosave',
        id: 'darts',
        backend: 'cpu',
        dataUrl: 'http://lab/data/',
        autosaveEvery: 2,
      },
    ]);
    // The rates the user set, then Resume, since the run was running.
    expect(second.received.slice(-2)).toEqual([
      { type: 'setLive', values: { weightLr: 0.01, alphaLr: 0.002 } },
      { type: 'resume' },
    ]);
    const recovered = seen.find((m) => m.type === 'recovered');
    expect(recovered).toEqual({
      type: 'recovered',
      reason:
        "the lab's worker stopped (an uncaught error: Uncaught Error: boom) and was restarted",
      backend: 'cpu',
      resumedAt: 4,
    });
    // The restore is the supervisor's business: the page's charts are kept, not reset.
    expect(seen.some((m) => m.type === 'runStarted' || m.type === 'autosaves')).toBe(false);
    // A late message of the dead worker is ignored; the new one's go through.
    first.say(step(6));
    second.say(step(5));
    expect(
      seen.flatMap((m) => (m.type === 'report' && m.report.type === 'step' ? [m.report.step] : [])),
    ).toEqual([1, 2, 3, 4, 5, 5]);
    client.send({ type: 'pause' });
    expect(second.received.at(-1)).toEqual({ type: 'pause' });
    client.dispose();
    expect(second.terminated).toBe(true);
  });

  it('leaves a paused run paused after the restart', () => {
    const { current, runSearch, answerRecovery } = harness();
    runSearch(2, 3);
    current().say({ type: 'status', status: 'paused' });
    current().onerror?.({ message: 'x' });
    answerRecovery(current(), 2);
    expect(current().sent('resume')).toEqual([]);
    expect(current().sent('resumeAutosave').length).toBe(1);
  });

  it('takes a worker silent past the limit for dead, and allows silence as long as its steps', () => {
    const { workers, seen, current, runSearch, answerRecovery } = harness({
      silenceLimitMs: 10_000,
      pingEveryMs: 1_000,
    });
    runSearch(2, 2);
    const first = current();
    // Pings answered: alive however long it runs.
    vi.advanceTimersByTime(60_000);
    expect(workers.length).toBe(1);
    // A step of 8 s without a word (the cpu backend computes it without yielding).
    first.answersPings = false;
    vi.advanceTimersByTime(8_000);
    first.answersPings = true;
    first.say(step(3));
    // Now 4 × 8 s = 32 s of silence is allowed, more than the 10 s floor.
    first.answersPings = false;
    vi.advanceTimersByTime(30_000);
    expect(workers.length).toBe(1);
    vi.advanceTimersByTime(4_000);
    expect(workers.length).toBe(2);
    expect(first.terminated).toBe(true);
    answerRecovery(current(), 2);
    expect(seen.find((m) => m.type === 'recovered')).toMatchObject({
      reason: expect.stringMatching(/^the lab's worker stopped \(it did not answer for 33 s\)/),
      resumedAt: 2,
    });
  });

  it('says so when there is nothing to resume from, and the new worker takes commands', () => {
    const { workers, seen, client, current, runSearch } = harness();
    runSearch(0, 1);
    current().onerror?.({ message: 'x' });
    expect(seen.slice(-2)).toEqual([
      {
        type: 'error',
        message:
          "The lab's worker stopped (an uncaught error: x) and was restarted; the DARTS search had not autosaved yet, so it cannot resume. Start it again.",
      },
      { type: 'status', status: 'failed' },
    ]);
    expect(current().received).toEqual([]);
    client.send({ type: 'listAutosaves' });
    expect(workers[1]?.received).toEqual([{ type: 'listAutosaves' }]);
  });

  it('gives up when the restarted worker dies again before the run went on', () => {
    const { workers, seen, current, runSearch, answerRecovery } = harness();
    runSearch(2, 3);
    current().onerror?.({ message: 'x' });
    answerRecovery(current(), 2);
    current().onerror?.({ message: 'y' });
    expect(workers.length).toBe(3);
    expect(seen.at(-2)).toMatchObject({
      type: 'error',
      message: expect.stringMatching(
        /stopped again before the DARTS search went on; .* Reload the page/,
      ),
    });
    expect(current().sent('listAutosaves')).toEqual([]);
  });

  it('restarts again once the restarted run has made progress', () => {
    const { workers, current, runSearch, answerRecovery } = harness();
    runSearch(2, 3);
    current().onerror?.({ message: 'x' });
    answerRecovery(current(), 2);
    current().say({ type: 'status', status: 'running' });
    current().say(step(3));
    current().say({ type: 'autosaved', step: 4, savedAt: 2000 });
    current().onerror?.({ message: 'y' });
    expect(workers.length).toBe(3);
    expect(current().sent('listAutosaves').length).toBe(1);
    current().say({
      type: 'autosaves',
      items: [{ id: 'darts', kind: 'darts', step: 4, savedAt: 2000, sizeBytes: 10 }],
    });
    expect(current().sent('resumeAutosave').length).toBe(1);
  });

  it('refuses to resume an autosave that is not this run’s', () => {
    const { seen, current, runSearch } = harness();
    runSearch(2, 3);
    current().onerror?.({ message: 'x' });
    // Storage was cleared meanwhile, or holds another run's autosave.
    current().say({
      type: 'autosaves',
      items: [{ id: 'search', step: 9, savedAt: 5, sizeBytes: 10 }],
    });
    expect(current().sent('resumeAutosave')).toEqual([]);
    expect(seen.at(-2)).toMatchObject({
      type: 'error',
      message: expect.stringMatching(/no longer in the browser's storage/),
    });
  });

  it("resumes a retrain from the retrain's autosave, not the newer search one", () => {
    const { seen, client, current } = harness();
    client.send({
      type: 'startRun',
      kind: 'retrain',
      settings: {},
      backend: 'cpu',
      autosaveEvery: 3,
      dataUrl: 'http://lab/data/',
    });
    current().say({ type: 'status', status: 'running' });
    current().say({ type: 'autosaved', step: 3, savedAt: 50 });
    current().onerror?.({ message: 'x' });
    current().say({
      type: 'autosaves',
      items: [
        { id: 'search', kind: 'search', step: 9, savedAt: 90, sizeBytes: 10 },
        { id: 'retrain', kind: 'retrain', step: 3, savedAt: 50, sizeBytes: 10 },
      ],
    });
    expect(current().sent('resumeAutosave')).toEqual([
      {
        type: 'resumeAutosave',
        id: 'retrain',
        backend: 'cpu',
        dataUrl: 'http://lab/data/',
        autosaveEvery: 3,
      },
    ]);
    current().say({ type: 'runStarted', kind: 'retrain', settings: {}, step: 3 });
    expect(seen.some((m) => m.type === 'runStarted')).toBe(false);
    expect(seen.at(-1)).toMatchObject({ type: 'recovered', resumedAt: 3 });
    expect(current().received.at(-1)).toEqual({ type: 'resume' });
  });

  it('does not restart a worker that dies without a word twice (its script cannot load)', () => {
    const { workers, seen, current } = harness();
    current().onerror?.({ message: 'blocked by policy' });
    expect(workers.length).toBe(2);
    current().onerror?.({ message: 'blocked by policy' });
    expect(workers.length).toBe(2);
    expect(workers.every((w) => w.terminated)).toBe(true);
    expect(seen.slice(-2)).toEqual([
      {
        type: 'error',
        message:
          "The lab's worker cannot start (an uncaught error: blocked by policy); reload the page.",
      },
      { type: 'status', status: 'failed' },
    ]);
    // No timer brings it back, nor repeats the message.
    const said = seen.length;
    vi.advanceTimersByTime(600_000);
    expect(workers.length).toBe(2);
    expect(seen.length).toBe(said);
  });

  it('reports a death while idle, and a CDARTS search resumed from its autosave', () => {
    const { seen, client, current } = harness();
    current().onerror?.({ message: 'x' });
    expect(seen.slice(-3)).toEqual([
      {
        type: 'error',
        message:
          "The lab's worker stopped (an uncaught error: x) and was restarted; nothing was running.",
      },
      { type: 'status', status: 'failed' },
      { type: 'status', status: 'idle' },
    ]);
    client.send({
      type: 'startRun',
      kind: 'cdarts',
      settings: {},
      backend: 'cpu',
      autosaveEvery: 2,
      dataUrl: '',
    });
    current().say({ type: 'status', status: 'running' });
    current().onerror?.({ message: 'x' });
    expect(seen.at(-2)).toMatchObject({
      message: expect.stringMatching(/the CDARTS search had not autosaved yet/),
    });
    client.send({
      type: 'startRun',
      kind: 'cdarts',
      settings: {},
      backend: 'cpu',
      autosaveEvery: 2,
      dataUrl: '',
    });
    current().say({ type: 'status', status: 'running' });
    current().say({ type: 'autosaved', step: 2, savedAt: 7 });
    current().onerror?.({ message: 'x' });
    current().say({
      type: 'autosaves',
      items: [
        { id: 'search', kind: 'search', step: 4, savedAt: 9, sizeBytes: 1 },
        { id: 'cdarts', kind: 'cdarts', step: 2, savedAt: 7, sizeBytes: 1 },
      ],
    });
    expect(current().sent('resumeAutosave')).toMatchObject([{ id: 'cdarts' }]);
  });

  it('resumes a run of a kind from the autosave under its id, with its live settings again', () => {
    const { seen, client, current } = harness();
    client.send({
      type: 'startRun',
      kind: 'toy',
      settings: { steps: 9 },
      backend: 'cpu',
      dataUrl: 'http://lab/data/',
      autosaveEvery: 3,
    });
    client.send({ type: 'setLive', values: { rate: 0.25 } });
    client.send({ type: 'setLive', values: { other: 2 } });
    const first = current();
    first.say({ type: 'status', status: 'running' });
    const report = (n: number): FromWorker => ({
      type: 'report',
      kind: 'toy',
      report: {
        type: 'step',
        step: n,
        epoch: 0,
        totalSteps: 9,
        elapsedMs: 0,
        throughput: 1,
        metrics: { trainLoss: 1 },
      },
    });
    for (let n = 1; n <= 4; n++) first.say(report(n));
    first.say({ type: 'autosaved', step: 3, savedAt: 30 });
    first.onerror?.({ message: 'x' });
    const second = current();
    second.say({
      type: 'autosaves',
      items: [
        { id: 'search', kind: 'search', step: 8, savedAt: 40, sizeBytes: 1 },
        { id: 'toy', kind: 'toy', step: 3, savedAt: 30, sizeBytes: 1 },
      ],
    });
    expect(second.sent('resumeAutosave')).toEqual([
      {
        type: 'resumeAutosave',
        id: 'toy',
        backend: 'cpu',
        dataUrl: 'http://lab/data/',
        autosaveEvery: 3,
      },
    ]);
    second.say({ type: 'runStarted', kind: 'toy', settings: { steps: 9 }, step: 3 });
    expect(second.received.slice(-2)).toEqual([
      { type: 'setLive', values: { rate: 0.25, other: 2 } },
      { type: 'resume' },
    ]);
    expect(seen.find((m) => m.type === 'recovered')).toMatchObject({ resumedAt: 3 });
    // The resumed run's steps are progress: a later death restarts it again.
    second.say({ type: 'status', status: 'running' });
    second.say(report(4));
    second.say({ type: 'autosaved', step: 6, savedAt: 60 });
    second.onerror?.({ message: 'y' });
    current().say({
      type: 'autosaves',
      items: [{ id: 'toy', kind: 'toy', step: 6, savedAt: 60, sizeBytes: 1 }],
    });
    expect(current().sent('resumeAutosave')).toMatchObject([{ id: 'toy' }]);
  });

  it('learns the kind of a run resumed from a file when the worker names it', () => {
    const { seen, client, current } = harness();
    client.send({ type: 'resumeRun', bytes: new ArrayBuffer(4), backend: 'cpu', dataUrl: '' });
    current().say({ type: 'runStarted', kind: 'toy', settings: {}, step: 5 });
    current().say({ type: 'status', status: 'paused' });
    current().say({ type: 'autosaved', step: 5, savedAt: 50 });
    current().onerror?.({ message: 'x' });
    current().say({
      type: 'autosaves',
      items: [
        { id: 'search', kind: 'search', step: 5, savedAt: 55, sizeBytes: 1 },
        { id: 'toy', kind: 'toy', step: 5, savedAt: 50, sizeBytes: 1 },
      ],
    });
    expect(current().sent('resumeAutosave')).toMatchObject([{ id: 'toy' }]);
    expect(seen.some((m) => m.type === 'error')).toBe(false);
  });
});
