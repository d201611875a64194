/** A DARTS search as a lab job: data, state and loop, with its events as page messages. */
import type { FileSource } from '../data/catalog';
import { toDevice } from '../data/deviceSplit';
import { dartsSearchSplit } from '../data/searchSplit';
import { genotypeToJson } from '../nas/genotype';
import type { RateOverrides, SearchEvent } from '../nas/searchLoop';
import { runSearch } from '../nas/searchLoop';
import { validateSearchConfig } from '../nas/searchConfig';
import { createSearchState, disposeSearchState } from '../nas/searchState';
import { checkInputSize } from '../nas/supernet';
import type { Job } from './job';
import { generatorJob } from './job';
import { loadTrainImages } from './labData';
import type { FromWorker, LabConfig } from './protocol';

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

export async function createSearchJob(config: LabConfig, source: () => FileSource): Promise<Job> {
  const search = validateSearchConfig(config.search);
  const images = await loadTrainImages(config.data, source, search.seed);
  checkInputSize(search.layers, images.height, images.width);
  const split = dartsSearchSplit(images, search.trainPortion);
  const train = toDevice(split.train);
  const val = toDevice(split.val);
  let state;
  try {
    state = createSearchState(search, images);
  } catch (e) {
    train.dispose();
    val.dispose();
    throw e;
  }
  const built = state;
  let rates: RateOverrides = {};
  const lastStep = { value: 0 };
  return generatorJob(
    runSearch(built, { train, val }, { rates: () => rates }),
    (event) => searchMessages(event, lastStep),
    () => {
      disposeSearchState(built);
      train.dispose();
      val.dispose();
    },
    (r) => {
      rates = { weightLr: r.weightLr ?? rates.weightLr, alphaLr: r.alphaLr ?? rates.alphaLr };
    },
  );
}
