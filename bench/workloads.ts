/**
 * The fixed workloads of the benchmark, over the core and tfjs only (no Node, no DOM), so that
 * the same code runs in Node and in a page: build the state for one cell on synthetic images,
 * run one counted warm-up step, then time steps that each end with a scalar read back.
 */
import { regularizationDecay } from '../src/nas/cdarts/cdartsConfig';
import {
  createCdartsState,
  disposeCdartsState,
  followGenotype,
} from '../src/nas/cdarts/cdartsState';
import { jointStep } from '../src/nas/cdarts/cdartsStep';
import { toDevice } from '../src/data/deviceSplit';
import { syntheticDataset } from '../src/data/synthetic';
import { createRetrainState, disposeRetrainState } from '../src/nas/retrain/retrainState';
import { retrainStep } from '../src/nas/retrain/retrainStep';
import type { DataShape, SearchState } from '../src/nas/darts/searchState';
import { createSearchState, disposeSearchState } from '../src/nas/darts/searchState';
import type { Batch } from '../src/nas/darts/searchStep';
import { archStep, weightStep } from '../src/nas/darts/searchStep';
import * as tf from '../src/nas/tensor/tf';
import type { BenchConfig } from './benchConfigs';
import { BENCH_CONFIGS } from './benchConfigs';
import type { CellMeasurement, CellSpec, Implementation, TimingOptions } from './benchTypes';
import { WORKLOAD_LABELS } from './benchTypes';
import { profileStep } from './stepProfile';

/** A built workload: one call of `step` is one training step. */
export interface StepRunner {
  readonly imagesPerStep: number;
  /** Runs one step; returns a scalar of it (a loss) for the caller to read back and dispose. */
  step(): tf.Tensor;
  dispose(): void;
}

const DATA_SEED = 11;

export function dataShape(config: BenchConfig): DataShape {
  const { size, channels, numClasses } = config.image;
  return { height: size, width: size, channels, numClasses };
}

/** `count` fixed batches of synthetic images of the configuration's shape. */
export function fixedBatches(config: BenchConfig, batchSize: number, count: number): Batch[] {
  const { size, channels, numClasses } = config.image;
  const images = syntheticDataset({
    count: count * batchSize,
    size,
    channels,
    numClasses,
    seed: DATA_SEED,
  });
  const split = toDevice(images);
  const batches = Array.from({ length: count }, (_, b) =>
    split.batch(Array.from({ length: batchSize }, (_, i) => b * batchSize + i)),
  );
  split.dispose();
  return batches;
}

function disposeBatches(...batches: Batch[]): void {
  for (const b of batches) tf.dispose([b.x, b.y]);
}

function searchRunner(
  config: BenchConfig,
  order: 1 | 2,
  implementation: Implementation,
  step: (state: SearchState, train: Batch, val: Batch) => tf.Tensor,
): StepRunner {
  const search = { ...config.search, order };
  const state = createSearchState(search, dataShape(config), { kernels: implementation });
  const [train, val] = fixedBatches(config, search.batchSize, 2) as [Batch, Batch];
  return {
    imagesPerStep: search.batchSize,
    step: () => step(state, train, val),
    dispose() {
      disposeSearchState(state);
      disposeBatches(train, val);
    },
  };
}

function retrainRunner(config: BenchConfig): StepRunner {
  const state = createRetrainState(config.retrain, config.genotype, dataShape(config));
  const [train] = fixedBatches(config, config.retrain.batchSize, 1) as [Batch];
  // DARTS's drop path at its largest (the last epochs), so that its masks are part of the step.
  const rates = { lr: config.retrain.lr, dropPathProb: config.retrain.dropPathProb };
  return {
    imagesPerStep: config.retrain.batchSize,
    step() {
      const out = retrainStep(state, train, rates);
      out.accuracy.dispose();
      return out.loss;
    },
    dispose() {
      disposeRetrainState(state);
      disposeBatches(train);
    },
  };
}

/**
 * One CDARTS joint step (both networks on the validation batch with the distillation loss and the
 * alphas' penalty at the first cycle's weight, then the search network's weight step), the
 * evaluation network built of the configuration's CDARTS genotype.
 */
function cdartsRunner(config: BenchConfig): StepRunner {
  const cdarts = config.cdarts;
  const state = createCdartsState(cdarts, dataShape(config));
  try {
    followGenotype(state, config.cdartsGenotype);
  } catch (e) {
    disposeCdartsState(state);
    throw e;
  }
  const [train, val] = fixedBatches(config, cdarts.batchSize, 2) as [Batch, Batch];
  const regDecay = regularizationDecay(cdarts, cdarts.warmupEpochs);
  const rates = { weightLr: cdarts.weightLr, nasnetLr: cdarts.nasnetLr, alphaLr: cdarts.alphaLr };
  return {
    imagesPerStep: cdarts.batchSize,
    step() {
      const out = jointStep(state, train, val, regDecay, rates);
      const { searchTrain, ...alphaHalf } = out;
      tf.dispose([alphaHalf, searchTrain.accuracy]);
      return searchTrain.loss;
    },
    dispose() {
      disposeCdartsState(state);
      disposeBatches(train, val);
    },
  };
}

/** Builds the workload of a cell; throws for an implementation the workload does not have. */
export function createRunner(cell: CellSpec): StepRunner {
  const config = BENCH_CONFIGS[cell.config];
  const rates = { weightLr: config.search.weightLr, alphaLr: config.search.alphaLr };
  switch (cell.workload) {
    case 'weight':
      return searchRunner(config, 1, cell.implementation, (state, train) => {
        const out = weightStep(state, train, rates.weightLr);
        out.accuracy.dispose();
        return out.loss;
      });
    case 'alpha1':
      return searchRunner(config, 1, cell.implementation, (state, train, val) =>
        archStep(state, train, val, rates),
      );
    case 'alpha2':
      return searchRunner(config, 2, cell.implementation, (state, train, val) =>
        archStep(state, train, val, rates),
      );
    case 'retrain':
    case 'cdarts':
      if (cell.implementation !== 'reference') {
        throw new Error(
          `the ${WORKLOAD_LABELS[cell.workload]} has one implementation only ("reference")`,
        );
      }
      return cell.workload === 'retrain' ? retrainRunner(config) : cdartsRunner(config);
  }
}

/** Bytes the backend holds on the GPU (WebGPU buffers, WebGL textures), null on the CPU. */
export function gpuPoolBytes(): number | null {
  const m = tf.memory() as tf.MemoryInfo & {
    numBytesAllocatedInGPU?: number;
    numBytesInGPUAllocated?: number;
  };
  return m.numBytesAllocatedInGPU ?? m.numBytesInGPUAllocated ?? null;
}

async function timedStep(runner: StepRunner): Promise<number> {
  const t0 = performance.now();
  const scalar = runner.step();
  await scalar.data();
  const ms = performance.now() - t0;
  scalar.dispose();
  return ms;
}

/** Measures one cell on the current backend. */
export async function measureCell(cell: CellSpec, timing: TimingOptions): Promise<CellMeasurement> {
  const t0 = performance.now();
  const runner = createRunner(cell);
  try {
    const setupMs = performance.now() - t0;
    const warmup = await profileStep(() => runner.step());
    const before = tf.memory().numTensors;
    const stepMs: number[] = [];
    let spent = 0;
    while (stepMs.length < timing.steps && (stepMs.length === 0 || spent < timing.softBudgetMs)) {
      const ms = await timedStep(runner);
      stepMs.push(ms);
      spent += ms;
    }
    const alive = tf.memory().numTensors;
    return {
      stepMs,
      warmupMs: warmup.ms,
      setupMs,
      imagesPerStep: runner.imagesPerStep,
      kernelsPerStep: warmup.kernels,
      gpuProgramsPerStep: warmup.gpuPrograms,
      macsPerStep: warmup.macs,
      peakTensorBytes: warmup.peakBytes,
      gpuPoolBytes: gpuPoolBytes(),
      tensorsAlive: alive,
      tensorGrowth: alive - before,
    };
  } finally {
    runner.dispose();
  }
}
