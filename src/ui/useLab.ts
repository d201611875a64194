/** React state of a search running in the worker: status, backend, streamed points, errors. */
import { startTransition, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { LabClient } from '../worker/labClient';
import { createLabClient } from '../worker/labClient';
import type { BackendChoice, FromWorker } from '../worker/protocol';
import { downloadBytes } from './download';
import { frameBatcher } from './frameBatcher';
import type { LabState } from './labReducer';
import { INITIAL_LAB_STATE, reduceLabBatch, runStarting, searchStarted } from './labReducer';
import type { Settings } from '../nas/runKind/settingsSchema';

export type { LabState } from './labReducer';

export interface LabActions {
  /** Starts a run of a registered kind from its settings. */
  startRun(kind: string, settings: Settings, backend: BackendChoice, autosaveEvery: number): void;
  /** Resumes a run of any kind from a checkpoint file (it arrives paused). */
  resumeRun(bytes: ArrayBuffer, backend: BackendChoice, autosaveEvery: number): void;
  /** Changes live settings (learning rates) of the running run, by key. */
  setLive(values: Readonly<Record<string, number>>): void;
  /** Resumes a search from an autosave in the browser's storage (it arrives paused). */
  resumeAutosave(id: string, backend: BackendChoice, autosaveEvery: number): void;
  discardAutosaves(): void;
  /** Evaluates a trained-model file on the built-in held-out images. */
  evaluateModel(bytes: ArrayBuffer, testImages: number, backend: BackendChoice): void;
  /** Saves the running job: a search checkpoint or the retrained model, as a download. */
  save(): void;
  pause(): void;
  resume(): void;
  step(): void;
  stop(): void;
  dismissError(): void;
}

export interface Lab extends LabState, LabActions {}

const embeddedDataUrl = () => new URL('data/fashion-mnist/', document.baseURI).href;

export function useLab(): Lab {
  const [state, setState] = useState<LabState>(INITIAL_LAB_STATE);
  const client = useRef<LabClient | null>(null);

  useEffect(() => {
    // Messages are applied once per frame, as a transition: React renders them in slices that
    // yield to input, so a stream of steps never blocks the page.
    const batcher = frameBatcher<FromWorker>((messages) =>
      startTransition(() => setState((s) => reduceLabBatch(s, messages))),
    );
    const c = createLabClient((m) => {
      if (m.type === 'file') downloadBytes(m.bytes, m.name);
      else batcher.push(m);
    });
    client.current = c;
    // A search autosaved before a reload is offered for resuming.
    c.send({ type: 'listAutosaves' });
    return () => {
      batcher.dispose();
      c.dispose();
    };
  }, []);

  const send = useCallback((m: Parameters<LabClient['send']>[0]) => client.current?.send(m), []);
  // Stable actions, so memoised children that take them do not re-render on every step.
  const actions = useMemo<LabActions>(
    () => ({
      startRun: (kind, settings, backend, autosaveEvery) => {
        setState((s) => runStarting(s, kind));
        send({
          type: 'startRun',
          kind,
          settings,
          backend,
          autosaveEvery,
          dataUrl: embeddedDataUrl(),
        });
      },
      resumeRun: (bytes, backend, autosaveEvery) => {
        setState(searchStarted());
        send({ type: 'resumeRun', bytes, backend, autosaveEvery, dataUrl: embeddedDataUrl() });
      },
      setLive: (values) => send({ type: 'setLive', values }),
      resumeAutosave: (id, backend, autosaveEvery) => {
        setState(searchStarted());
        send({ type: 'resumeAutosave', id, backend, autosaveEvery, dataUrl: embeddedDataUrl() });
      },
      discardAutosaves: () => send({ type: 'discardAutosaves' }),
      save: () => send({ type: 'save' }),
      evaluateModel: (bytes, testImages, backend) => {
        setState((s) => ({ ...s, status: 'loading', error: null, evaluation: null }));
        send({ type: 'evaluateModel', bytes, testImages, backend, dataUrl: embeddedDataUrl() });
      },
      pause: () => send({ type: 'pause' }),
      resume: () => send({ type: 'resume' }),
      step: () => send({ type: 'step' }),
      stop: () => send({ type: 'stop' }),
      dismissError: () => setState((s) => ({ ...s, error: null })),
    }),
    [send],
  );
  return { ...state, ...actions };
}
