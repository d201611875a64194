/// <reference lib="webworker" />
/** The search worker's entry: messages in, a session, messages out. */
import { LabSession, fetchDataSource } from './labSession';
import type { FromWorker, ToWorker } from './protocol';
import { indexedDbAutosaveStore } from './autosaveStore';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const session = new LabSession({
  post: (message: FromWorker) => scope.postMessage(message),
  dataSource: fetchDataSource,
  autosaves: indexedDbAutosaveStore(),
});

scope.onmessage = (event: MessageEvent<ToWorker>) => {
  void session.handle(event.data);
};
scope.onerror = (event) => {
  scope.postMessage({
    type: 'error',
    message: `worker error: ${String(event)}`,
  } satisfies FromWorker);
};
