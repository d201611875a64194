/**
 * Starts a runner as a child process that prints `BENCH <json>` event lines on stdout; other
 * stdout lines are log (shown with --verbose), stderr is passed through. Stopping kills only
 * this child.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { RunnerEvent } from './benchTypes';
import type { RunnerHandle } from './runnerHandle';
import { parseEventLine } from './runnerProtocol';

export interface ProcessRunnerOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly label: string;
  readonly verbose: boolean;
}

export function startProcessRunner(
  options: ProcessRunnerOptions,
  onEvent: (event: RunnerEvent) => void,
): RunnerHandle {
  const child = spawn(options.command, [...options.args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let problem: string | null = null;
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      const event = parseEventLine(line);
      if (event) onEvent(event);
      else if (options.verbose) console.log(`  [${options.label}] ${line}`);
    } catch (e) {
      problem = (e as Error).message;
    }
  });
  createInterface({ input: child.stderr }).on('line', (line) => {
    if (options.verbose || !/^\s*$/.test(line)) console.error(`  [${options.label}] ${line}`);
  });
  const finished = new Promise<string | null>((resolve) => {
    child.on('error', (e) => resolve(`could not start ${options.command}: ${e.message}`));
    child.on('close', (code, signal) => {
      if (problem) resolve(problem);
      else if (signal) resolve(`stopped by ${signal}`);
      else resolve(code === 0 ? null : `exited with code ${code}`);
    });
  });
  return {
    finished,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await finished;
    },
  };
}
