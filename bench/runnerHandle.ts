/**
 * A running measurement: a Node child process, the Python reference, or a page in Chromium.
 * The supervisor receives its events and may stop it when a cell runs over its time limit.
 */
import type { RunnerEvent } from './benchTypes';

export interface RunnerHandle {
  /** Resolves when the runner has ended: null when it finished, otherwise why it stopped. */
  readonly finished: Promise<string | null>;
  /** Ends the runner now (kills the process, closes the browser). */
  stop(): Promise<void>;
}

export type StartRunner = (onEvent: (event: RunnerEvent) => void) => RunnerHandle;
