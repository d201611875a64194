/**
 * From measured cells to the rows of the table: medians, throughput, and each figure's ratio to
 * the PyTorch reference row, its speed-up over tfjs's cpu backend and, for the fused supernet, to the reference implementation on
 * the same backend.
 */
import type {
  BackendName,
  CellResult,
  CellStatus,
  ConfigName,
  Implementation,
  Workload,
} from './benchTypes';
import { BACKENDS, CONFIG_NAMES, IMPLEMENTATIONS, WORKLOADS } from './benchTypes';
import { median } from './stats';

export interface SummaryRow {
  readonly config: ConfigName;
  readonly workload: Workload;
  readonly implementation: Implementation;
  readonly backend: BackendName;
  readonly status: CellStatus;
  readonly note: string | null;
  readonly medianMs: number | null;
  readonly timedSteps: number;
  readonly imagesPerSecond: number | null;
  /** This row's median time divided by PyTorch's for the same workload and configuration. */
  readonly vsTorch: number | null;
  /** The speed-up over tfjs's cpu backend: cpu-node's median time (same cell) over this one's. */
  readonly cpuSpeedup: number | null;
  /** Fused rows: this row's median time divided by the reference implementation's. */
  readonly vsReference: number | null;
  readonly kernels: number | null;
  readonly gpuPrograms: number | null;
  /** Convolution and matmul GFLOP/s (2 FLOPs per MAC) at the median step time. */
  readonly gflops: number | null;
  readonly peakTensorBytes: number | null;
  readonly gpuPoolBytes: number | null;
  readonly tensorsAlive: number | null;
  readonly tensorGrowth: number | null;
}

const order = <T>(list: readonly T[], value: T): number => list.indexOf(value);

function compareRows(a: SummaryRow, b: SummaryRow): number {
  return (
    order(CONFIG_NAMES, a.config) - order(CONFIG_NAMES, b.config) ||
    order(WORKLOADS, a.workload) - order(WORKLOADS, b.workload) ||
    order(BACKENDS, a.backend) - order(BACKENDS, b.backend) ||
    order(IMPLEMENTATIONS, a.implementation) - order(IMPLEMENTATIONS, b.implementation)
  );
}

function medianOf(result: CellResult | undefined): number | null {
  const steps = result?.status === 'ok' ? result.measurement?.stepMs : undefined;
  return steps && steps.length > 0 ? median(steps) : null;
}

const ratio = (value: number | null, base: number | null): number | null =>
  value !== null && base !== null && base > 0 ? value / base : null;

function noteFor(result: CellResult, reference: CellResult | undefined): string | null {
  const notes = result.note ? [result.note] : [];
  const m = result.measurement;
  const refKernels = reference?.measurement?.kernelsPerStep;
  if (
    result.implementation === 'fused' &&
    m?.kernelsPerStep != null &&
    refKernels != null &&
    m.kernelsPerStep === refKernels
  ) {
    notes.push('same kernel count as the reference: is the fused path wired in?');
  }
  if (m?.tensorGrowth) notes.push(`leak: ${m.tensorGrowth} tensors over the timed steps`);
  return notes.length > 0 ? notes.join('; ') : null;
}

function rowOf(result: CellResult, all: readonly CellResult[]): SummaryRow {
  const same = (r: CellResult) => r.config === result.config && r.workload === result.workload;
  const torch = all.find((r) => same(r) && r.backend === 'torch-cpu');
  const cpu = all.find(
    (r) => same(r) && r.backend === 'cpu-node' && r.implementation === result.implementation,
  );
  const reference = all.find(
    (r) => same(r) && r.backend === result.backend && r.implementation === 'reference',
  );
  const m = result.status === 'ok' ? result.measurement : undefined;
  const ms = medianOf(result);
  return {
    config: result.config,
    workload: result.workload,
    implementation: result.implementation,
    backend: result.backend,
    status: result.status,
    note: noteFor(result, reference),
    medianMs: ms,
    timedSteps: m?.stepMs.length ?? 0,
    imagesPerSecond: m && ms !== null && ms > 0 ? (m.imagesPerStep * 1000) / ms : null,
    vsTorch: ratio(ms, medianOf(torch)),
    cpuSpeedup: result.backend === 'torch-cpu' ? null : ratio(medianOf(cpu), ms),
    vsReference: result.implementation === 'fused' ? ratio(ms, medianOf(reference)) : null,
    kernels: m?.kernelsPerStep ?? null,
    gpuPrograms: m?.gpuProgramsPerStep ?? null,
    gflops: m?.macsPerStep != null && ms !== null && ms > 0 ? (2 * m.macsPerStep) / ms / 1e6 : null,
    peakTensorBytes: m?.peakTensorBytes ?? null,
    gpuPoolBytes: m?.gpuPoolBytes ?? null,
    tensorsAlive: m?.tensorsAlive ?? null,
    tensorGrowth: m?.tensorGrowth ?? null,
  };
}

/** The table's rows for `results`, in the table's order. */
export function summarise(results: readonly CellResult[]): SummaryRow[] {
  return results.map((r) => rowOf(r, results)).sort(compareRows);
}
