/**
 * The page's watch over the lab's worker. A worker that dies — an uncaught error at its top
 * level, or silence past the heartbeat's limit (hung, or terminated under us) — is replaced by
 * a fresh one, and the run it held resumes from its last autosave in IndexedDB (which the new
 * worker reads itself: the store lives in the worker's origin, as the page's). The user is told
 * through a 'recovered' message, or an error when there is nothing to resume from.
 */
import { findRunKind } from '../nas/runKind/registry';
import { sentenceCase } from './errorMessages';
import type { FromWorker, RunStatus, ToWorker } from './protocol';
import type { Pong, WorkerControl } from './workerControl';

/** What the supervisor needs of a Worker (a fake in tests). */
export interface WorkerLike {
  postMessage(message: ToWorker | WorkerControl): void;
  terminate(): void;
  onmessage: ((event: { readonly data: FromWorker | Pong }) => void) | null;
  onerror: ((event: { readonly message?: string }) => void) | null;
}

export interface SupervisorOptions {
  readonly createWorker: () => WorkerLike;
  /** The worker's messages (and the supervisor's own), pongs left out. */
  readonly onMessage: (message: FromWorker) => void;
  /** Heartbeat period. */
  readonly pingEveryMs?: number;
  /** A worker silent this long (or `silenceFactor` × its longest silence so far) is dead. */
  readonly silenceLimitMs?: number;
  readonly silenceFactor?: number;
  readonly now?: () => number;
}

const DEFAULT_PING_EVERY_MS = 5_000;
/**
 * Three minutes: a step runs synchronously on the worker's thread (the cpu backend computes a
 * whole step without yielding), so silence is normal for a step's length; after the first steps
 * the limit follows the longest silence seen.
 */
const DEFAULT_SILENCE_LIMIT_MS = 180_000;
const DEFAULT_SILENCE_FACTOR = 4;

export interface SupervisedClient {
  send(message: ToWorker): void;
  dispose(): void;
}

/** The run a restarted worker should resume, as the page last asked for it. */
interface RunToResume {
  /**
   * The autosave kind it writes: a run kind's id, or the per-kind jobs' 'search' / 'retrain' /
   * 'cdarts'; null until a resumed run says which kind it is ('runStarted').
   */
  kind: string | null;
  /** The autosave it was resumed from, in storage until the run autosaves again. */
  readonly fromAutosave?: string;
  name: string;
  readonly backend: Extract<ToWorker, { type: 'resumeAutosave' }>['backend'];
  readonly dataUrl: string;
  readonly autosaveEvery?: number;
}

interface Recovery {
  readonly reason: string;
  readonly wasRunning: boolean;
  stage: 'listing' | 'restoring';
}

/** What the per-kind jobs' autosaves resume, by the kind they were stored under. */
const JOB_NAMES: Readonly<Record<string, string>> = {
  search: 'search',
  retrain: 'retrain',
  cdarts: 'CDARTS search',
};

/** A run's name in messages: the per-kind job's name, else the run kind's title. */
function nameOf(kind: string | null): string {
  if (kind === null) return 'run';
  return JOB_NAMES[kind] ?? findRunKind(kind)?.info.title ?? kind;
}

function runOf(message: ToWorker): RunToResume | null | undefined {
  switch (message.type) {
    case 'startRun':
      return {
        kind: message.kind,
        name: nameOf(message.kind),
        backend: message.backend,
        dataUrl: message.dataUrl,
        ...(message.autosaveEvery !== undefined ? { autosaveEvery: message.autosaveEvery } : {}),
      };
    case 'resumeRun':
      // Its kind is the checkpoint's: 'runStarted' names it.
      return {
        kind: null,
        name: nameOf(null),
        backend: message.backend,
        dataUrl: message.dataUrl,
        ...(message.autosaveEvery !== undefined ? { autosaveEvery: message.autosaveEvery } : {}),
      };
    case 'resumeAutosave':
      // An autosave's id is its kind (autosaveStore.ts).
      return {
        kind: message.id,
        fromAutosave: message.id,
        name: nameOf(message.id),
        backend: message.backend,
        dataUrl: message.dataUrl,
        ...(message.autosaveEvery !== undefined ? { autosaveEvery: message.autosaveEvery } : {}),
      };
    case 'evaluateModel':
    case 'stop':
      return null;
    default:
      return undefined;
  }
}

const ACTIVE: readonly RunStatus[] = ['loading', 'running', 'paused'];

export function superviseLabWorker(options: SupervisorOptions): SupervisedClient {
  const pingEvery = options.pingEveryMs ?? DEFAULT_PING_EVERY_MS;
  const silenceLimit = options.silenceLimitMs ?? DEFAULT_SILENCE_LIMIT_MS;
  const silenceFactor = options.silenceFactor ?? DEFAULT_SILENCE_FACTOR;
  const now = options.now ?? (() => Date.now());
  const emit = options.onMessage;

  let worker: WorkerLike;
  let lastHeard = now();
  let longestSilence = 0;
  let status: RunStatus = 'idle';
  let run: RunToResume | null = null;
  let lastAutosave: { readonly step: number; readonly savedAt: number } | null = null;
  let lastBackend = '';
  /** Live settings the page changed: what a restarted run gets again. */
  let live: Record<string, number> = {};
  let recovery: Recovery | null = null;
  /** Deaths since the run last made progress: a worker that dies again before a step is let go. */
  let deathsWithoutProgress = 0;
  let resumedAt = -1;
  let disposed = false;
  /** Whether the current worker has said anything; one that dies mute twice cannot start. */
  let heard = false;
  let muteDeaths = 0;

  const fail = (message: string) => {
    recovery = null;
    emit({ type: 'error', message: sentenceCase(message) });
    emit({ type: 'status', status: 'failed' });
  };

  const onWorkerMessage = (m: FromWorker | Pong) => {
    const t = now();
    longestSilence = Math.max(longestSilence, t - lastHeard);
    lastHeard = t;
    heard = true;
    muteDeaths = 0;
    if (m.type === 'pong') return;
    switch (m.type) {
      case 'status':
        status = m.status;
        break;
      case 'backend':
        lastBackend = m.backend;
        break;
      case 'autosaved':
        lastAutosave = { step: m.step, savedAt: m.savedAt };
        break;
      case 'report':
        if (m.report.type === 'step' && m.report.step > resumedAt) deathsWithoutProgress = 0;
        break;
      case 'runStarted':
        // A resumed checkpoint names its kind here; its autosaves are stored under it.
        if (run && run.kind === null) {
          run.kind = m.kind;
          run.name = nameOf(m.kind);
        }
        break;
      default:
        break;
    }
    if (recovery && m.type === 'autosaves') {
      const saved = lastAutosave;
      const kind = run?.kind;
      const entry = m.items.find(
        (i) =>
          (i.kind ?? 'search') === kind &&
          // The run may have autosaved again just before it died, unheard: newer is its too.
          (saved ? i.savedAt >= saved.savedAt : i.id === run?.fromAutosave),
      );
      if (!entry || !run) {
        fail(
          `${recovery.reason}; its last autosave is no longer in the browser's storage, so the ${run?.name ?? 'run'} cannot resume. Start it again.`,
        );
        return;
      }
      recovery.stage = 'restoring';
      worker.postMessage({
        type: 'resumeAutosave',
        id: entry.id,
        backend: run.backend,
        dataUrl: run.dataUrl,
        ...(run.autosaveEvery !== undefined ? { autosaveEvery: run.autosaveEvery } : {}),
      });
      return;
    }
    if (recovery && m.type === 'runStarted') {
      // The charts keep what came before the autosave; the notice says what happened.
      const { reason, wasRunning } = recovery;
      recovery = null;
      resumedAt = m.step;
      emit({ type: 'recovered', reason, backend: lastBackend, resumedAt: m.step });
      if (Object.keys(live).length > 0) worker.postMessage({ type: 'setLive', values: live });
      if (wasRunning) worker.postMessage({ type: 'resume' });
      return;
    }
    if (recovery && m.type === 'error') recovery = null;
    emit(m);
  };

  const start = () => {
    const w = options.createWorker();
    worker = w;
    lastHeard = now();
    heard = false;
    // Messages and errors of a replaced worker are ignored.
    w.onmessage = (event) => {
      if (worker === w) onWorkerMessage(event.data);
    };
    w.onerror = (event) => {
      if (worker === w) died(`an uncaught error: ${event.message || 'unknown error'}`);
    };
  };

  const died = (cause: string) => {
    if (disposed) return;
    worker.onmessage = null;
    worker.onerror = null;
    worker.terminate();
    const active = ACTIVE.includes(status) || recovery !== null;
    const wasRunning = recovery ? recovery.wasRunning : status === 'running';
    const name = run?.name ?? 'run';
    recovery = null;
    muteDeaths = heard ? 0 : muteDeaths + 1;
    if (muteDeaths >= 2) {
      // Its script does not even load (a host's policy, a missing file): no restart loop.
      disposed = true;
      clearInterval(timer);
      fail(`the lab's worker cannot start (${cause}); reload the page.`);
      return;
    }
    const reason = `the lab's worker stopped (${cause}) and was restarted`;
    start();
    status = 'idle';
    if (!active || !run) {
      fail(`${reason}; nothing was running.`);
      emit({ type: 'status', status: 'idle' });
      return;
    }
    deathsWithoutProgress += 1;
    if (deathsWithoutProgress > 1) {
      fail(
        `${reason}, but it stopped again before the ${name} went on; the ${name} is stopped. Reload the page to resume from the last autosave.`,
      );
      return;
    }
    if (!lastAutosave && run.fromAutosave === undefined) {
      fail(`${reason}; the ${name} had not autosaved yet, so it cannot resume. Start it again.`);
      return;
    }
    recovery = { reason, wasRunning, stage: 'listing' };
    emit({ type: 'status', status: 'loading' });
    worker.postMessage({ type: 'listAutosaves' });
  };

  start();
  const timer: ReturnType<typeof setInterval> = setInterval(() => {
    const silence = now() - lastHeard;
    if (silence > Math.max(silenceLimit, silenceFactor * longestSilence)) {
      died(`it did not answer for ${Math.round(silence / 1000)} s`);
    } else {
      worker.postMessage({ type: 'ping' });
    }
  }, pingEvery);

  return {
    send(message) {
      const next = runOf(message);
      if (next !== undefined) {
        run = next;
        lastAutosave = null;
        live = {};
        deathsWithoutProgress = 0;
        resumedAt = -1;
        recovery = null;
      }
      if (message.type === 'setLive') live = { ...live, ...message.values };
      worker.postMessage(message);
    },
    dispose() {
      disposed = true;
      clearInterval(timer);
      worker.terminate();
    },
  };
}
