/**
 * Messages between the page's worker supervisor and the worker's entry, outside the lab's
 * protocol: the heartbeat, and the crash test hook. The session never sees them.
 */

/** The supervisor asks whether the worker still answers. */
export interface Ping {
  readonly type: 'ping';
}

/** The worker answers a ping (from its event loop: a worker busy in a step answers late). */
export interface Pong {
  readonly type: 'pong';
}

/**
 * Test hook: the worker throws an uncaught error at its top level, as a bug or a failed import
 * would. Honoured only by a worker named `TEST_HOOKS_WORKER_NAME`: the lab never names its
 * worker so, a test does by wrapping the Worker constructor before the page loads.
 */
export interface CrashHook {
  readonly type: 'testCrash';
}

export const TEST_HOOKS_WORKER_NAME = 'nas-lab-test-hooks';

export type WorkerControl = Ping | CrashHook;

export function isWorkerControl(message: { readonly type: string }): message is WorkerControl {
  return message.type === 'ping' || message.type === 'testCrash';
}
