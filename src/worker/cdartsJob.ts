/**
 * A CDARTS search as a lab job: the search and evaluation networks on the lab's data, their
 * events as the page's step and epoch messages (the DARTS fields carry the search network's
 * figures; `cdarts` carries the evaluation network's and the distillation loss).
 */
import type { FileSource } from '../data/catalog';
import { toDevice } from '../data/deviceSplit';
import { dartsSearchSplit } from '../data/searchSplit';
import type { CdartsConfig } from '../nas/cdartsConfig';
import type { CdartsEvent } from '../nas/cdartsLoop';
import { cdartsStepsPerEpoch, runCdarts } from '../nas/cdartsLoop';
import type { CdartsState } from '../nas/cdartsState';
import {
  cdartsGenotype,
  checkCdartsInputSize,
  createCdartsState,
  disposeCdartsState,
} from '../nas/cdartsState';
import type { GenotypeJson } from '../nas/genotype';
import { genotypeToJson } from '../nas/genotype';
import type { AlphaSoftmax } from '../nas/searchLoop';
import type { Job } from './job';
import { generatorJob } from './job';
import { loadTrainImages } from './labData';
import { cdartsConfigOf } from './labCdarts';
import type { FromWorker, LabConfig } from './protocol';

interface Tracked {
  alphaSoftmax: AlphaSoftmax;
  genotype: GenotypeJson;
  evalGenotype: GenotypeJson | null;
}

function rows(p: readonly (readonly number[])[]): number[][] {
  return p.map((r) => [...r]);
}

function cdartsMessages(
  event: CdartsEvent,
  tracked: Tracked,
  totalSteps: number,
  lastStep: { value: number },
): FromWorker[] {
  switch (event.type) {
    case 'step': {
      lastStep.value = event.step;
      const base = {
        step: event.step,
        epoch: event.epoch,
        totalSteps,
        weightLr: Number.NaN,
        imagesPerSecond: event.imagesPerSecond,
        elapsedMs: event.elapsedMs,
      };
      if (event.phase === 'joint') {
        tracked.alphaSoftmax = {
          normal: rows(event.alphaSoftmax.normal),
          reduce: rows(event.alphaSoftmax.reduce),
        };
        tracked.genotype = genotypeToJson(event.genotype);
      }
      const joint = event.phase === 'joint' ? event : null;
      return [
        {
          type: 'step',
          point: {
            ...base,
            trainLoss:
              event.phase === 'searchWarmup'
                ? event.trainLoss
                : (joint?.search.trainLoss ?? Number.NaN),
            trainAccuracy:
              event.phase === 'searchWarmup'
                ? event.trainAccuracy
                : (joint?.search.trainAccuracy ?? Number.NaN),
            valLoss: joint ? joint.alphaObjective : Number.NaN,
            alphaSoftmax: tracked.alphaSoftmax,
            ...(joint ? { alphaMaxAbs: joint.alphaMaxAbs } : {}),
            genotype: tracked.genotype,
            cdarts: {
              phase: event.phase,
              evalLoss:
                event.phase === 'evalWarmup' ? event.evalLoss : (joint?.eval.valLoss ?? Number.NaN),
              evalAccuracy:
                event.phase === 'evalWarmup'
                  ? event.evalAccuracy
                  : (joint?.eval.valAccuracy ?? Number.NaN),
              distillationLoss: joint?.distillationLoss ?? Number.NaN,
              penalty: joint?.penalty ?? Number.NaN,
              evalGenotype: tracked.evalGenotype,
            },
          },
        },
      ];
    }
    case 'cycle':
      tracked.evalGenotype = genotypeToJson(event.genotype);
      return [];
    case 'epoch':
      return [
        {
          type: 'epoch',
          point: {
            epoch: event.epoch,
            step: lastStep.value,
            valLoss: event.search.valLoss,
            valAccuracy: event.search.valAccuracy,
            evalValLoss: event.eval?.valLoss ?? null,
            evalValAccuracy: event.eval?.valAccuracy ?? null,
          },
        },
      ];
    case 'done':
      return [];
  }
}

/** Steps of a whole run: warm-up epochs, then per cycle the evaluation warm-up and joint steps. */
function totalCdartsSteps(config: CdartsConfig, perEpoch: number): number {
  const cycles = config.epochs - Math.min(config.warmupEpochs, config.epochs);
  return (
    Math.min(config.warmupEpochs, config.epochs) * perEpoch +
    cycles * (config.evalWarmupEpochs * perEpoch + perEpoch)
  );
}

async function initialSoftmax(state: CdartsState): Promise<AlphaSoftmax> {
  const [normal, reduce] = await Promise.all([
    state.alphas.normal.array(),
    state.alphas.reduce.array(),
  ]);
  const softmax = (r: number[]) => {
    const m = Math.max(...r);
    const e = r.map((v) => Math.exp(v - m));
    const sum = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / sum);
  };
  return { normal: normal.map(softmax), reduce: reduce.map(softmax) };
}

export async function createCdartsJob(config: LabConfig, source: () => FileSource): Promise<Job> {
  const cdarts = cdartsConfigOf(config);
  const images = await loadTrainImages(config.data, source, cdarts.seed);
  checkCdartsInputSize(cdarts, images.height, images.width);
  const split = dartsSearchSplit(images, cdarts.trainPortion);
  const train = toDevice(split.train);
  const val = toDevice(split.val);
  let state: CdartsState;
  try {
    state = createCdartsState(cdarts, images);
  } catch (e) {
    train.dispose();
    val.dispose();
    throw e;
  }
  const data = { train, val };
  const totalSteps = totalCdartsSteps(cdarts, cdartsStepsPerEpoch(cdarts, data));
  const alphaSoftmax = await initialSoftmax(state);
  const start = cdartsGenotype(cdarts, alphaSoftmax);
  const tracked: Tracked = { alphaSoftmax, genotype: genotypeToJson(start), evalGenotype: null };
  const lastStep = { value: 0 };
  const built = state;
  return generatorJob(
    runCdarts(built, data),
    (event) => cdartsMessages(event, tracked, totalSteps, lastStep),
    () => {
      disposeCdartsState(built);
      train.dispose();
      val.dispose();
    },
  );
}
