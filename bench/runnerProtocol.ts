/**
 * How the orchestrator talks to its runners (Node child processes, the Python reference):
 * cells go out as `config:workload:implementation` lists, events come back as lines
 * `BENCH <json>` on stdout (anything else a runner prints is passed through as log).
 */
import type { CellSpec, RunnerEvent } from './benchTypes';
import { CONFIG_NAMES, IMPLEMENTATIONS, WORKLOADS } from './benchTypes';

export const EVENT_PREFIX = 'BENCH ';

export function encodeCells(cells: readonly CellSpec[]): string {
  return cells.map((c) => `${c.config}:${c.workload}:${c.implementation}`).join(',');
}

function member<T extends string>(list: readonly T[], value: string, what: string): T {
  if (!(list as readonly string[]).includes(value)) {
    throw new Error(`unknown ${what} "${value}" (expected one of ${list.join(', ')})`);
  }
  return value as T;
}

export function decodeCells(text: string): CellSpec[] {
  return text
    .split(',')
    .filter((s) => s.length > 0)
    .map((item) => {
      const parts = item.split(':');
      if (parts.length !== 3) {
        throw new Error(`cell "${item}" is not config:workload:implementation`);
      }
      const [config, workload, implementation] = parts as [string, string, string];
      return {
        config: member(CONFIG_NAMES, config, 'configuration'),
        workload: member(WORKLOADS, workload, 'workload'),
        implementation: member(IMPLEMENTATIONS, implementation, 'implementation'),
      };
    });
}

export function formatEventLine(event: RunnerEvent): string {
  return `${EVENT_PREFIX}${JSON.stringify(event)}`;
}

/** The event on a runner's output line, or null for an ordinary log line. */
export function parseEventLine(line: string): RunnerEvent | null {
  if (!line.startsWith(EVENT_PREFIX)) return null;
  const value = JSON.parse(line.slice(EVENT_PREFIX.length)) as { type?: unknown };
  if (!['device', 'start', 'result', 'done'].includes(String(value.type))) {
    throw new Error(`runner event of unknown type: ${line.slice(0, 200)}`);
  }
  return value as RunnerEvent;
}
