/**
 * The page's typed handle on the search worker, supervised: a worker that dies is replaced and
 * its run resumed from the last autosave (`workerSupervisor.ts`).
 */
import type { FromWorker, ToWorker } from './protocol';
import type { Pong } from './workerControl';
import type { WorkerLike } from './workerSupervisor';
import { superviseLabWorker } from './workerSupervisor';

export interface LabClient {
  send(message: ToWorker): void;
  dispose(): void;
}

function asWorkerLike(worker: Worker): WorkerLike {
  const like: WorkerLike = {
    postMessage: (message) => worker.postMessage(message),
    terminate: () => worker.terminate(),
    onmessage: null,
    onerror: null,
  };
  worker.onmessage = (event: MessageEvent<FromWorker | Pong>) => like.onmessage?.(event);
  worker.onerror = (event) => like.onerror?.(event);
  return like;
}

export function createLabClient(onMessage: (message: FromWorker) => void): LabClient {
  return superviseLabWorker({
    createWorker: () =>
      asWorkerLike(new Worker(new URL('./searchWorker.ts', import.meta.url), { type: 'module' })),
    onMessage,
  });
}
