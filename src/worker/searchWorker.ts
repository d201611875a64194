/// <reference lib="webworker" />
/** The search worker's entry: messages in, a session, messages out; the heartbeat's answers. */
import { LabSession } from './labSession';
import type { FromWorker, ToWorker } from './protocol';
import { fetchDataSource } from './sessionHost';
import { indexedDbAutosaveStore } from './autosaveStore';
import type { Pong, WorkerControl } from './workerControl';
import { TEST_HOOKS_WORKER_NAME, isWorkerControl } from './workerControl';

const scope = self as unknown as DedicatedWorkerGlobalScope;

/**
 * The buffers a message hands over rather than copies: a file's bytes, a finished run's files.
 * The session posts copies that own their buffers and keeps no reference to them.
 */
function transferables(message: FromWorker): ArrayBuffer[] {
  if (message.type === 'file') return [message.bytes];
  if (message.type !== 'report' || message.report.type !== 'done') return [];
  return (message.report.files ?? []).flatMap((f) =>
    typeof f.data === 'string' || !(f.data.buffer instanceof ArrayBuffer) ? [] : [f.data.buffer],
  );
}

const session = new LabSession({
  post: (message: FromWorker) => scope.postMessage(message, transferables(message)),
  dataSource: fetchDataSource,
  autosaves: indexedDbAutosaveStore(),
});

function control(message: WorkerControl): void {
  if (message.type === 'ping') {
    scope.postMessage({ type: 'pong' } satisfies Pong);
  } else if (scope.name === TEST_HOOKS_WORKER_NAME) {
    // Uncaught, at the top level: the page's supervisor sees the worker's 'error' event.
    setTimeout(() => {
      throw new Error('test hook: the worker crashed');
    }, 0);
  }
}

// Uncaught errors are left to propagate: the page's supervisor restarts the worker on them.
scope.onmessage = (event: MessageEvent<ToWorker | WorkerControl>) => {
  const message = event.data;
  if (isWorkerControl(message)) control(message);
  else void session.handle(message);
};
