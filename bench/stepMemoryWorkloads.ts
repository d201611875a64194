/**
 * The steps `stepMemory.ts` measures, each built with its cells checkpointed or plain, on
 * synthetic images of the configuration's shape (the same fixed batches every time):
 * `search1` a first-order search step (alpha step, then weight step: `searchStep`), `weight` the
 * weight step alone, `alpha2` the unrolled alpha step, `retrain` a retrain step (drop path at its
 * largest), `cdarts` a CDARTS joint step (alpha step over both networks, then the search
 * network's weight step) with the search network's sizes and an 8-cell evaluation network.
 */
import type { SearchState } from '../src/nas/darts/searchState';
import { createSearchState, disposeSearchState } from '../src/nas/darts/searchState';
import type { Batch } from '../src/nas/darts/searchStep';
import { archStep, searchStep, weightStep } from '../src/nas/darts/searchStep';
import * as tf from '../src/nas/tensor/tf';
import type { BenchConfig } from './benchConfigs';
import { SMALL_CDARTS_CONFIG } from '../src/nas/cdarts/cdartsConfig';
import { createCdartsState, disposeCdartsState } from '../src/nas/cdarts/cdartsState';
import { jointStep } from '../src/nas/cdarts/cdartsStep';
import { createRetrainState, disposeRetrainState } from '../src/nas/retrain/retrainState';
import { retrainStep } from '../src/nas/retrain/retrainStep';
import type { StepRunner } from './workloads';
import { dataShape, fixedBatches } from './workloads';

export const MEMORY_WORKLOADS = ['search1', 'weight', 'alpha2', 'retrain', 'cdarts'] as const;
export type MemoryWorkload = (typeof MEMORY_WORKLOADS)[number];

function searchRunner(
  config: BenchConfig,
  order: 1 | 2,
  checkpointCells: boolean,
  step: (state: SearchState, train: Batch, val: Batch) => tf.Tensor,
): StepRunner {
  const search = { ...config.search, order, checkpointCells };
  const state = createSearchState(search, dataShape(config));
  const [train, val] = fixedBatches(config, search.batchSize, 2) as [Batch, Batch];
  return {
    imagesPerStep: search.batchSize,
    step: () => step(state, train, val),
    dispose() {
      disposeSearchState(state);
      tf.dispose([train.x, train.y, val.x, val.y]);
    },
  };
}

function retrainRunner(config: BenchConfig, checkpointCells: boolean): StepRunner {
  const retrain = { ...config.retrain, checkpointCells };
  const state = createRetrainState(retrain, config.genotype, dataShape(config));
  const [train] = fixedBatches(config, retrain.batchSize, 1) as [Batch];
  const rates = { lr: retrain.lr, dropPathProb: retrain.dropPathProb };
  return {
    imagesPerStep: retrain.batchSize,
    step() {
      const out = retrainStep(state, train, rates);
      out.accuracy.dispose();
      return out.loss;
    },
    dispose() {
      disposeRetrainState(state);
      tf.dispose([train.x, train.y]);
    },
  };
}

function cdartsRunner(config: BenchConfig, checkpointCells: boolean): StepRunner {
  const { search } = config;
  const cdarts = {
    ...SMALL_CDARTS_CONFIG,
    channels: search.channels,
    searchLayers: search.layers,
    evalLayers: 8,
    batchSize: search.batchSize,
    checkpointCells,
  };
  const state = createCdartsState(cdarts, dataShape(config));
  const [train, val] = fixedBatches(config, cdarts.batchSize, 2) as [Batch, Batch];
  const rates = { weightLr: cdarts.weightLr, nasnetLr: cdarts.nasnetLr, alphaLr: cdarts.alphaLr };
  return {
    imagesPerStep: cdarts.batchSize,
    step() {
      const out = jointStep(state, train, val, cdarts.regularCoeff, rates);
      const { alphaObjective, ...rest } = out;
      tf.dispose(rest as unknown as tf.TensorContainer);
      return alphaObjective;
    },
    dispose() {
      disposeCdartsState(state);
      tf.dispose([train.x, train.y, val.x, val.y]);
    },
  };
}

/** The step of `workload`, its cells checkpointed or not. */
export function memoryRunner(
  config: BenchConfig,
  workload: MemoryWorkload,
  checkpointCells: boolean,
): StepRunner {
  const rates = { weightLr: config.search.weightLr, alphaLr: config.search.alphaLr };
  switch (workload) {
    case 'search1':
      return searchRunner(config, 1, checkpointCells, (state, train, val) => {
        const out = searchStep(state, train, val, rates);
        tf.dispose([out.trainAccuracy, out.valLoss]);
        return out.trainLoss;
      });
    case 'weight':
      return searchRunner(config, 1, checkpointCells, (state, train) => {
        const out = weightStep(state, train, rates.weightLr);
        out.accuracy.dispose();
        return out.loss;
      });
    case 'alpha2':
      return searchRunner(config, 2, checkpointCells, (state, train, val) =>
        archStep(state, train, val, rates),
      );
    case 'retrain':
      return retrainRunner(config, checkpointCells);
    case 'cdarts':
      return cdartsRunner(config, checkpointCells);
  }
}
