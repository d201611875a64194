/** The cells a run measures: every workload of every requested configuration, in running order. */
import type { CellSpec, ConfigName } from './benchTypes';
import {
  IMPLEMENTATIONS,
  SUPERNET_WORKLOADS,
  UNIMPLEMENTED_WORKLOADS,
  WORKLOADS,
} from './benchTypes';

/**
 * The supernet workloads in both implementations (reference first), the others in the
 * reference one; workloads the core does not implement are left to the table's placeholders.
 */
export function benchCells(configs: readonly ConfigName[]): CellSpec[] {
  const cells: CellSpec[] = [];
  for (const config of configs) {
    for (const workload of WORKLOADS) {
      if (UNIMPLEMENTED_WORKLOADS.includes(workload)) continue;
      const implementations = SUPERNET_WORKLOADS.includes(workload)
        ? IMPLEMENTATIONS
        : ['reference' as const];
      for (const implementation of implementations)
        cells.push({ config, workload, implementation });
    }
  }
  return cells;
}
