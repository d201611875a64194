/** The page's typed handle on the search worker. */
import type { FromWorker, ToWorker } from './protocol';

export interface LabClient {
  send(message: ToWorker): void;
  dispose(): void;
}

export function createLabClient(onMessage: (message: FromWorker) => void): LabClient {
  const worker = new Worker(new URL('./searchWorker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (event: MessageEvent<FromWorker>) => onMessage(event.data);
  worker.onerror = (event) => {
    onMessage({
      type: 'error',
      message: `the search worker failed: ${event.message || 'unknown error'}`,
    });
    onMessage({ type: 'status', status: 'failed' });
  };
  return {
    send: (message) => worker.postMessage(message),
    dispose: () => worker.terminate(),
  };
}
