/**
 * A DARTS search as a lab job: data, state and loop, with its events as page messages; saved as
 * a search checkpoint that holds the lab's data settings, and resumed from one.
 */
import type { FileSource } from '../data/catalog';
import { toDevice } from '../data/deviceSplit';
import { dartsSearchSplit } from '../data/searchSplit';
import type { SearchCheckpoint } from '../nas/darts/searchCheckpoint';
import {
  captureCheckpoint,
  decodeCheckpoint,
  encodeCheckpoint,
  restoreSearchState,
} from '../nas/darts/searchCheckpoint';
import type { HostSettings } from '../nas/darts/searchCheckpointManifest';
import { genotypeToJson } from '../nas/genotype/genotype';
import type { AlphaSoftmax, RateOverrides, SearchEvent, SearchRun } from '../nas/darts/searchLoop';
import { readAlphaSoftmax, runSearch } from '../nas/darts/searchLoop';
import { validateSearchConfig } from '../nas/darts/searchConfig';
import type { SearchState } from '../nas/darts/searchState';
import { createSearchState, disposeSearchState } from '../nas/darts/searchState';
import { checkInputSize } from '../nas/darts/supernet';
import * as tf from '../nas/tensor/tf';
import type { Job } from './job';
import { generatorJob } from './job';
import { loadTrainImages } from './labData';
import type { FromWorker, LabConfig, LabDataConfig } from './protocol';

function searchMessages(event: SearchEvent, lastStep: { value: number }): FromWorker[] {
  switch (event.type) {
    case 'step':
      lastStep.value = event.step;
      return [
        {
          type: 'step',
          point: {
            step: event.step,
            epoch: event.epoch,
            totalSteps: event.totalSteps,
            trainLoss: event.trainLoss,
            trainAccuracy: event.trainAccuracy,
            valLoss: event.valLoss,
            weightLr: event.weightLr,
            imagesPerSecond: event.imagesPerSecond,
            elapsedMs: event.elapsedMs,
            alphaSoftmax: event.alphaSoftmax,
            alphaMaxAbs: event.alphaMaxAbs,
            genotype: genotypeToJson(event.genotype),
          },
        },
      ];
    case 'epoch':
      return [
        {
          type: 'epoch',
          point: {
            epoch: event.epoch,
            step: lastStep.value,
            valLoss: event.valLoss,
            valAccuracy: event.valAccuracy,
          },
        },
      ];
    case 'done':
      return [];
  }
}

/** The lab's data settings as a checkpoint's host settings, and back. */
export function dataToHost(data: LabDataConfig): HostSettings {
  return { dataset: data.dataset, images: data.images, imageSize: data.imageSize };
}

export function dataFromHost(host: HostSettings | undefined): LabDataConfig {
  if (!host) throw new Error('the checkpoint does not say which data the lab searched on');
  const { dataset, images, imageSize } = host;
  if (dataset !== 'default' && dataset !== 'synthetic') {
    throw new Error(`the checkpoint's dataset ${JSON.stringify(dataset)} is not one the lab has`);
  }
  if (typeof images !== 'number' || typeof imageSize !== 'number') {
    throw new Error("the checkpoint's image count or image size is missing");
  }
  return { dataset, images, imageSize };
}

function searchJob(
  state: SearchState,
  data: LabDataConfig,
  build: (rates: () => RateOverrides) => { run: SearchRun; dispose: () => void },
  startStep: number,
  source: () => FileSource,
): Job {
  let rates: RateOverrides = {};
  const lastStep = { value: startStep };
  const { run, dispose } = build(() => rates);
  return generatorJob(
    run,
    (event) => searchMessages(event, lastStep),
    () => {
      dispose();
      disposeSearchState(state);
    },
    (r) => {
      rates = { weightLr: r.weightLr ?? rates.weightLr, alphaLr: r.alphaLr ?? rates.alphaLr };
    },
    async () => {
      const checkpoint = await captureCheckpoint(state, run.position(), run.genotypeHistory());
      return {
        kind: 'checkpoint',
        name: `nas-lab-search-step-${run.position().step}.naslab`,
        bytes: encodeCheckpoint({ ...checkpoint, host: dataToHost(data) }),
      };
    },
    {
      baseRates: { weightLr: state.config.weightLr, alphaLr: state.config.alphaLr },
      reopen: async (bytes) => (await resumeSearchJob(decodeCheckpoint(bytes), source)).job,
      injectNaN: () => {
        const first = Object.values(state.weights)[0];
        if (first) tf.tidy(() => first.assign(tf.fill(first.shape, Number.NaN)));
      },
      injectHugeAlphas: () => {
        // Finite but far beyond any search: the losses stay finite, only max |α| shows it.
        for (const a of [state.alphas.normal, state.alphas.reduce]) {
          tf.tidy(() => a.assign(tf.mul(tf.sign(a), 1e6)));
        }
      },
    },
  );
}

async function searchSplits(
  search: ReturnType<typeof validateSearchConfig>,
  data: LabDataConfig,
  source: () => FileSource,
) {
  const images = await loadTrainImages(data, source, search.seed);
  checkInputSize(search.layers, images.height, images.width);
  const split = dartsSearchSplit(images, search.trainPortion);
  const train = toDevice(split.train);
  const val = toDevice(split.val);
  return {
    images,
    train,
    val,
    dispose: () => {
      train.dispose();
      val.dispose();
    },
  };
}

export async function createSearchJob(config: LabConfig, source: () => FileSource): Promise<Job> {
  const search = validateSearchConfig(config.search);
  const splits = await searchSplits(search, config.data, source);
  let state: SearchState;
  try {
    state = createSearchState(search, splits.images);
  } catch (e) {
    splits.dispose();
    throw e;
  }
  return searchJob(
    state,
    config.data,
    (rates) => ({
      run: runSearch(state, { train: splits.train, val: splits.val }, { rates }),
      dispose: splits.dispose,
    }),
    0,
    source,
  );
}

/** A search resumed from a checkpoint: the same data rebuilt from its host settings. */
export async function resumeSearchJob(
  checkpoint: SearchCheckpoint,
  source: () => FileSource,
): Promise<{ job: Job; config: LabConfig; alphaSoftmax: AlphaSoftmax }> {
  const data = dataFromHost(checkpoint.host);
  const search = validateSearchConfig(checkpoint.config);
  const splits = await searchSplits(search, data, source);
  let state: SearchState;
  try {
    state = restoreSearchState(checkpoint, splits.images);
  } catch (e) {
    splits.dispose();
    throw e;
  }
  const job = searchJob(
    state,
    data,
    (rates) => ({
      run: runSearch(
        state,
        { train: splits.train, val: splits.val },
        { rates, resume: checkpoint },
      ),
      dispose: splits.dispose,
    }),
    checkpoint.position.step,
    source,
  );
  const alphaSoftmax = await readAlphaSoftmax(state);
  return { job, config: { search, data, backend: 'auto' }, alphaSoftmax };
}
