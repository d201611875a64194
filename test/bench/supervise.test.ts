/** The per-cell time limit and what is reported for cells a runner never finished. */
import { describe, expect, it } from 'vitest';
import type { CellSpec, RunnerEvent } from '../../bench/benchTypes';
import type { StartRunner } from '../../bench/runnerHandle';
import { superviseRunner } from '../../bench/supervise';

const CELLS: CellSpec[] = [
  { config: 'small', workload: 'weight', implementation: 'reference' },
  { config: 'small', workload: 'alpha1', implementation: 'reference' },
  { config: 'small', workload: 'retrain', implementation: 'reference' },
];

const measurement = {
  stepMs: [5],
  warmupMs: 5,
  setupMs: 1,
  imagesPerStep: 4,
  kernelsPerStep: null,
  gpuProgramsPerStep: null,
  macsPerStep: null,
  peakTensorBytes: null,
  gpuPoolBytes: null,
  tensorsAlive: null,
  tensorGrowth: null,
};

/**
 * A fake runner: finishes the first `finishing` cells, then either hangs on the next one
 * (until stopped) or ends with `crash`.
 */
function fakeRunner(
  finishing: number,
  crash: string | null,
): { start: StartRunner; stops: () => number } {
  let stops = 0;
  const start: StartRunner = (on: (e: RunnerEvent) => void) => {
    let end: (reason: string | null) => void = () => {};
    const finished = new Promise<string | null>((resolve) => (end = resolve));
    queueMicrotask(() => {
      on({ type: 'device', backend: 'cpu-node', description: 'fake device' });
      CELLS.forEach((cell, i) => {
        if (i > finishing) return;
        on({ type: 'start', backend: 'cpu-node', cell });
        if (i < finishing) {
          on({
            type: 'result',
            result: { ...cell, backend: 'cpu-node', status: 'ok', measurement },
          });
        }
      });
      if (crash !== null) end(crash);
    });
    return {
      finished,
      async stop() {
        stops += 1;
        end('stopped by SIGKILL');
        await finished;
      },
    };
  };
  return { start, stops: () => stops };
}

describe('superviseRunner', () => {
  it('stops a runner whose cell runs over its limit and reports that cell and the rest as skipped', async () => {
    const fake = fakeRunner(1, null);
    const lines: string[] = [];
    const run = await superviseRunner(
      'cpu-node',
      CELLS,
      fake.start,
      () => 30,
      (l) => lines.push(l),
    );
    expect(fake.stops()).toBe(1);
    expect(run.device).toBe('fake device');
    expect(run.results.map((r) => [r.workload, r.status, r.note])).toEqual([
      ['weight', 'ok', undefined],
      ['alpha1', 'skipped', 'over budget: no result within 0.03 s'],
      ['retrain', 'skipped', 'not run: an earlier cell on this backend went over budget'],
    ]);
    expect(lines).toContain('cpu-node: small:weight:reference ok median 5 ms of 1 step(s)');
  });

  it('reports the cells of a crashed runner as failed, with its reason', async () => {
    const fake = fakeRunner(2, 'exited with code 1');
    const run = await superviseRunner(
      'cpu-node',
      CELLS,
      fake.start,
      () => 60_000,
      () => {},
    );
    expect(fake.stops()).toBe(0);
    expect(run.results.map((r) => [r.workload, r.status, r.note])).toEqual([
      ['weight', 'ok', undefined],
      ['alpha1', 'ok', undefined],
      ['retrain', 'failed', 'runner stopped: exited with code 1'],
    ]);
  });
});
