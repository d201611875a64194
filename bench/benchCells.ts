/** The cells a run measures: every workload of every requested configuration, in running order. */
import type { CellSpec, ConfigName, Implementation, Workload } from './benchTypes';
import { IMPLEMENTATIONS, SUPERNET_WORKLOADS, WORKLOADS } from './benchTypes';

/**
 * The supernet workloads in both implementations (reference first), the others in the
 * reference one. `workloads` and `only` (implementations) narrow the list.
 */
export function benchCells(
  configs: readonly ConfigName[],
  workloads: readonly Workload[] = WORKLOADS,
  only: readonly Implementation[] = IMPLEMENTATIONS,
): CellSpec[] {
  const cells: CellSpec[] = [];
  for (const config of configs) {
    for (const workload of WORKLOADS) {
      if (!workloads.includes(workload)) continue;
      const implementations = (
        SUPERNET_WORKLOADS.includes(workload) ? IMPLEMENTATIONS : ['reference' as const]
      ).filter((i) => only.includes(i));
      for (const implementation of implementations)
        cells.push({ config, workload, implementation });
    }
  }
  return cells;
}
