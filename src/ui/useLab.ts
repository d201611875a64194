/** React state of a search running in the worker: status, backend, streamed points, errors. */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { LabClient } from '../worker/labClient';
import { createLabClient } from '../worker/labClient';
import type { EpochPoint, FromWorker, LabConfig, RunStatus, StepPoint } from '../worker/protocol';

export interface LabState {
  readonly status: RunStatus;
  readonly backend: { readonly name: string; readonly reason: string } | null;
  readonly steps: readonly StepPoint[];
  readonly epochs: readonly EpochPoint[];
  readonly error: string | null;
}

const INITIAL: LabState = { status: 'idle', backend: null, steps: [], epochs: [], error: null };

function reduce(state: LabState, m: FromWorker): LabState {
  switch (m.type) {
    case 'status':
      return { ...state, status: m.status };
    case 'backend':
      return { ...state, backend: { name: m.backend, reason: m.reason } };
    case 'step':
      return { ...state, steps: [...state.steps, m.point] };
    case 'epoch':
      return { ...state, epochs: [...state.epochs, m.point] };
    case 'error':
      return { ...state, error: m.message, status: 'failed' };
  }
}

export interface Lab extends LabState {
  start(config: LabConfig): void;
  pause(): void;
  resume(): void;
  step(): void;
  stop(): void;
  setRates(rates: { weightLr?: number; alphaLr?: number }): void;
  dismissError(): void;
}

export function useLab(): Lab {
  const [state, setState] = useState<LabState>(INITIAL);
  const client = useRef<LabClient | null>(null);

  useEffect(() => {
    const c = createLabClient((m) => setState((s) => reduce(s, m)));
    client.current = c;
    return () => c.dispose();
  }, []);

  const send = useCallback((m: Parameters<LabClient['send']>[0]) => client.current?.send(m), []);
  return {
    ...state,
    start: (config) => {
      setState({ ...INITIAL, status: 'loading' });
      send({
        type: 'start',
        config,
        dataUrl: new URL('data/fashion-mnist/', document.baseURI).href,
      });
    },
    pause: () => send({ type: 'pause' }),
    resume: () => send({ type: 'resume' }),
    step: () => send({ type: 'step' }),
    stop: () => send({ type: 'stop' }),
    setRates: (rates) => send({ type: 'setRates', ...rates }),
    dismissError: () => setState((s) => ({ ...s, error: null })),
  };
}
