/**
 * A CDARTS search as a lab job: the search and evaluation networks on the lab's data, their
 * events as the page's step and epoch messages (the DARTS fields carry the search network's
 * figures; `cdarts` carries the evaluation network's and the distillation loss).
 */
import type { FileSource } from '../data/catalog';
import { toDevice } from '../data/deviceSplit';
import { dartsSearchSplit } from '../data/searchSplit';
import type { CdartsConfig } from '../nas/cdarts/cdartsConfig';
import type { CdartsEvent } from '../nas/cdarts/cdartsLoop';
import type { CdartsRates } from '../nas/cdarts/cdartsStep';
import * as tf from '../nas/tensor/tf';
import { cdartsStepsPerEpoch, runCdarts } from '../nas/cdarts/cdartsLoop';
import type { CdartsState } from '../nas/cdarts/cdartsState';
import {
  cdartsGenotype,
  checkCdartsInputSize,
  createCdartsState,
  disposeCdartsState,
  evalWeights,
  searchWeights,
} from '../nas/cdarts/cdartsState';
import type { GenotypeJson } from '../nas/genotype/genotype';
import { genotypeToJson } from '../nas/genotype/genotype';
import type { AlphaSoftmax } from '../nas/darts/searchLoop';
import type { Job } from './job';
import { generatorJob } from './job';
import { loadTrainImages } from './labData';
import { cdartsConfigOf, labConfigOfCdarts } from './labCdarts';
import { dataFromHost, dataToHost } from './searchJob';
import type { CdartsCheckpoint } from '../nas/cdarts/cdartsCheckpoint';
import {
  captureCdartsCheckpoint,
  decodeCdartsCheckpoint,
  encodeCdartsCheckpoint,
  restoreCdartsState,
} from '../nas/cdarts/cdartsCheckpoint';
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

/** The alphas' softmax with cut ops at 0 (the mutator's probabilities), read back once. */
async function currentSoftmax(state: CdartsState): Promise<AlphaSoftmax> {
  const [normal, reduce] = await Promise.all([
    state.alphas.normal.array(),
    state.alphas.reduce.array(),
  ]);
  const softmax = (r: number[], cut: readonly boolean[] | undefined) => {
    const kept = r.filter((_, k) => !cut?.[k]);
    const m = Math.max(...kept);
    const e = r.map((v, k) => (cut?.[k] ? 0 : Math.exp(v - m)));
    const sum = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / sum);
  };
  const { cut } = state.mutator;
  return {
    normal: normal.map((r, e) => softmax(r, cut.normal[e])),
    reduce: reduce.map((r, e) => softmax(r, cut.reduce[e])),
  };
}

async function cdartsSplits(config: LabConfig, cdarts: CdartsConfig, source: () => FileSource) {
  const images = await loadTrainImages(config.data, source, cdarts.seed);
  checkCdartsInputSize(cdarts, images.height, images.width);
  const split = dartsSearchSplit(images, cdarts.trainPortion);
  const train = toDevice(split.train);
  const val = toDevice(split.val);
  return {
    images,
    data: { train, val },
    dispose: () => {
      train.dispose();
      val.dispose();
    },
  };
}

/** The job over a built state, new or restored from a checkpoint. */
async function cdartsJob(
  config: LabConfig,
  state: CdartsState,
  splits: Awaited<ReturnType<typeof cdartsSplits>>,
  resume: CdartsCheckpoint | null,
  source: () => FileSource,
): Promise<{ job: Job; alphaSoftmax: AlphaSoftmax; genotype: GenotypeJson }> {
  const cdarts = state.config;
  const totalSteps = totalCdartsSteps(cdarts, cdartsStepsPerEpoch(cdarts, splits.data));
  const alphaSoftmax = await currentSoftmax(state);
  const genotype = genotypeToJson(cdartsGenotype(cdarts, alphaSoftmax));
  const cycled = resume !== null && resume.position.epoch >= cdarts.warmupEpochs;
  const tracked: Tracked = {
    alphaSoftmax,
    genotype,
    evalGenotype: cycled ? genotypeToJson(state.evalNet.genotype) : null,
  };
  const lastStep = { value: resume?.position.step ?? 0 };
  let rates: Partial<CdartsRates> = {};
  const run = runCdarts(state, splits.data, {
    rates: () => rates,
    ...(resume ? { resume: resume.position } : {}),
  });
  const host = dataToHost(config.data);
  const checkpoint = async () =>
    encodeCdartsCheckpoint(await captureCdartsCheckpoint(state, run.position(), host));
  const job = generatorJob(
    run,
    (event) => cdartsMessages(event, tracked, totalSteps, lastStep),
    () => {
      disposeCdartsState(state);
      splits.dispose();
    },
    (r) => {
      rates = {
        weightLr: r.weightLr ?? rates.weightLr,
        alphaLr: r.alphaLr ?? rates.alphaLr,
        nasnetLr: r.nasnetLr ?? rates.nasnetLr,
      };
    },
    async () => ({
      kind: 'checkpoint',
      name: `nas-lab-cdarts-step-${run.position().step}.naslab`,
      bytes: await checkpoint(),
    }),
    {
      checkpoint,
      autosaveKind: 'cdarts',
      baseRates: { weightLr: cdarts.weightLr, alphaLr: cdarts.alphaLr, nasnetLr: cdarts.nasnetLr },
      reopen: async (bytes) =>
        (await resumeCdartsJob(decodeCdartsCheckpoint(bytes), config.backend, source)).job,
      // Both networks, so that the next step's loss is NaN whichever phase it is in.
      injectNaN: () => {
        for (const v of Object.values({ ...searchWeights(state), ...evalWeights(state) })) {
          tf.tidy(() => v.assign(tf.fill(v.shape, Number.NaN)));
        }
      },
    },
  );
  return { job, alphaSoftmax, genotype };
}

export async function createCdartsJob(config: LabConfig, source: () => FileSource): Promise<Job> {
  const cdarts = cdartsConfigOf(config);
  const splits = await cdartsSplits(config, cdarts, source);
  let state: CdartsState;
  try {
    state = createCdartsState(cdarts, splits.images);
  } catch (e) {
    splits.dispose();
    throw e;
  }
  return (await cdartsJob(config, state, splits, null, source)).job;
}

/** A CDARTS search resumed from its checkpoint: the same data rebuilt from its host settings. */
export async function resumeCdartsJob(
  checkpoint: CdartsCheckpoint,
  backend: LabConfig['backend'],
  source: () => FileSource,
): Promise<{ job: Job; config: LabConfig; alphaSoftmax: AlphaSoftmax; genotype: GenotypeJson }> {
  const config = labConfigOfCdarts(checkpoint.config, dataFromHost(checkpoint.host), backend);
  const splits = await cdartsSplits(config, checkpoint.config, source);
  let state: CdartsState;
  try {
    state = restoreCdartsState(checkpoint, splits.images);
  } catch (e) {
    splits.dispose();
    throw e;
  }
  return { ...(await cdartsJob(config, state, splits, checkpoint, source)), config };
}
