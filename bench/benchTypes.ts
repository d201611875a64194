/**
 * The vocabulary of the benchmark harness: workloads, implementations, configurations,
 * backends, and what one measured cell (workload × implementation × configuration × backend)
 * holds. Plain data, structured-clone and JSON friendly.
 */

export const WORKLOADS = ['weight', 'alpha1', 'alpha2', 'cdarts', 'retrain'] as const;
export type Workload = (typeof WORKLOADS)[number];

export const WORKLOAD_LABELS: Readonly<Record<Workload, string>> = {
  weight: 'supernet weight step',
  alpha1: 'first-order alpha step',
  alpha2: 'second-order alpha step',
  cdarts: 'CDARTS joint step',
  retrain: 'retrain step',
};

/** Workloads that run the supernet, and so exist in both implementations. */
export const SUPERNET_WORKLOADS: readonly Workload[] = ['weight', 'alpha1', 'alpha2'];

export const IMPLEMENTATIONS = ['reference', 'fused'] as const;
export type Implementation = (typeof IMPLEMENTATIONS)[number];

export const CONFIG_NAMES = ['small', 'medium', 'paper'] as const;
export type ConfigName = (typeof CONFIG_NAMES)[number];

export const BACKENDS = [
  'webgpu-chromium',
  'webgpu-node',
  'webgl-chromium',
  'wasm-chromium',
  'wasm-node',
  'cpu-node',
  'torch-cpu',
] as const;
export type BackendName = (typeof BACKENDS)[number];

/** One workload to measure on whatever backend runs it. */
export interface CellSpec {
  readonly config: ConfigName;
  readonly workload: Workload;
  readonly implementation: Implementation;
}

/** What a runner measured for one cell. Null where the backend cannot tell. */
export interface CellMeasurement {
  /** Wall time of each timed step, each ending with a scalar read back. */
  readonly stepMs: readonly number[];
  /** The first, untimed step (shader compilation, kernel counting). */
  readonly warmupMs: number;
  /** Building the network, its variables and the batches. */
  readonly setupMs: number;
  /** Training images per step (the train batch; the lab's images/s counts the same way). */
  readonly imagesPerStep: number;
  /** tfjs kernel invocations in one step (engine profiling hook). */
  readonly kernelsPerStep: number | null;
  /** GPU programs (shader dispatches) in one step, where the backend runs programs. */
  readonly gpuProgramsPerStep: number | null;
  /** Multiply-accumulates of the convolutions and matrix products of one step. */
  readonly macsPerStep: number | null;
  /** Peak bytes of live tensors during one step (tfjs engine accounting). */
  readonly peakTensorBytes: number | null;
  /** Bytes the backend holds on the GPU after the steps, its free pool included. */
  readonly gpuPoolBytes: number | null;
  /** Tensors alive after the timed steps (the state and the batches included). */
  readonly tensorsAlive: number | null;
  /** Tensors alive after the timed steps minus before them: a leak when not 0. */
  readonly tensorGrowth: number | null;
}

export type CellStatus = 'ok' | 'skipped' | 'failed';

export interface CellResult extends CellSpec {
  readonly backend: BackendName;
  readonly status: CellStatus;
  /** Why a cell was skipped or failed, or a remark on an ok cell. */
  readonly note?: string;
  readonly measurement?: CellMeasurement;
}

/** How a runner should time each cell. */
export interface TimingOptions {
  /** Timed steps after the warm-up step. */
  readonly steps: number;
  /** Stop adding timed steps once they took this long (at least one always runs). */
  readonly softBudgetMs: number;
}

/** A line of progress from a runner (a Node child process or a page). */
export type RunnerEvent =
  | { readonly type: 'device'; readonly backend: BackendName; readonly description: string }
  | { readonly type: 'start'; readonly backend: BackendName; readonly cell: CellSpec }
  | { readonly type: 'result'; readonly result: CellResult }
  | { readonly type: 'done'; readonly backend: BackendName };
