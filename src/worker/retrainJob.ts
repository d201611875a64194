/**
 * A retrain of a genotype as a lab job: the evaluation network trained from scratch. Saved as a
 * model file (the user's download), autosaved as a retrain checkpoint that holds the lab's data
 * settings, and resumed from one.
 */
import type { FileSource } from '../data/catalog';
import { toDevice } from '../data/deviceSplit';
import { genotypeFromJson } from '../nas/genotype/genotype';
import { validateRetrainConfig } from '../nas/retrain/retrainConfig';
import type { RetrainEvent } from '../nas/retrain/retrainLoop';
import { runRetrain } from '../nas/retrain/retrainLoop';
import type { RetrainCheckpoint } from '../nas/retrain/retrainCheckpoint';
import {
  captureRetrainCheckpoint,
  decodeRetrainCheckpoint,
  encodeRetrainCheckpoint,
  restoreRetrainState,
} from '../nas/retrain/retrainCheckpoint';
import type { RetrainState } from '../nas/retrain/retrainState';
import { createRetrainState, disposeRetrainState } from '../nas/retrain/retrainState';
import type { Job } from './job';
import { generatorJob } from './job';
import { loadRetrainImages } from './labData';
import type { FromWorker, LabDataConfig, RetrainLabConfig } from './protocol';
import type { HostSettings } from '../nas/darts/searchCheckpointManifest';
import type { GenotypeJson } from '../nas/genotype/genotype';
import type { TrainingSummary } from '../nas/retrain/trainedModel';
import { encodeTrainedModel } from '../nas/retrain/trainedModel';
import * as tf from '../nas/tensor/tf';

function retrainMessages(event: RetrainEvent): FromWorker[] {
  switch (event.type) {
    case 'step':
      return [
        {
          type: 'retrainStep',
          point: {
            step: event.step,
            epoch: event.epoch,
            totalSteps: event.totalSteps,
            trainLoss: event.trainLoss,
            trainAccuracy: event.trainAccuracy,
            lr: event.lr,
            dropPathProb: event.dropPathProb,
            imagesPerSecond: event.imagesPerSecond,
            elapsedMs: event.elapsedMs,
          },
        },
      ];
    case 'epoch':
      return [
        {
          type: 'retrainEpoch',
          point: {
            epoch: event.epoch,
            step: event.step,
            testLoss: event.testLoss,
            testAccuracy: event.testAccuracy,
          },
        },
      ];
    case 'done':
      return [{ type: 'retrainDone', testLoss: event.testLoss, testAccuracy: event.testAccuracy }];
  }
}

/** The lab's retrain data settings as a checkpoint's host settings, and back. */
function retrainHost(config: RetrainLabConfig): HostSettings {
  const { dataset, images, imageSize } = config.data;
  return { dataset, images, imageSize, testImages: config.testImages, backend: config.backend };
}

function retrainFromHost(
  checkpoint: RetrainCheckpoint,
): Omit<RetrainLabConfig, 'retrain'> & { data: LabDataConfig } {
  const host = checkpoint.host;
  if (!host) throw new Error('the retrain checkpoint does not say which data the lab trained on');
  const { dataset, images, imageSize, testImages, backend } = host;
  if (dataset !== 'default' && dataset !== 'synthetic') {
    throw new Error(`the checkpoint's dataset ${JSON.stringify(dataset)} is not one the lab has`);
  }
  if (
    typeof images !== 'number' ||
    typeof imageSize !== 'number' ||
    typeof testImages !== 'number'
  ) {
    throw new Error("the checkpoint's image counts or image size are missing");
  }
  const choice =
    backend === 'webgpu' || backend === 'webgl' || backend === 'cpu' ? backend : 'auto';
  return { data: { dataset, images, imageSize }, testImages, backend: choice };
}

/** The job over a built state, new or restored. */
function retrainJob(
  config: RetrainLabConfig,
  state: RetrainState,
  images: Awaited<ReturnType<typeof loadRetrainImages>>,
  resume: RetrainCheckpoint | null,
  source: () => FileSource,
): Job {
  const train = toDevice(images.train);
  const test = toDevice(images.test);
  let lr: number | undefined;
  let summary: TrainingSummary | null = resume?.position.summary ?? null;
  const run = runRetrain(
    state,
    { train, test },
    { lr: () => lr, ...(resume ? { resume: resume.position } : {}) },
  );
  return generatorJob(
    run,
    (event) => {
      if (event.type === 'epoch') {
        summary = {
          epochs: event.epoch + 1,
          testLoss: event.testLoss,
          testAccuracy: event.testAccuracy,
        };
      }
      return retrainMessages(event);
    },
    () => {
      disposeRetrainState(state);
      train.dispose();
      test.dispose();
    },
    (r) => {
      lr = r.weightLr ?? lr;
    },
    async () => {
      if (!summary) {
        throw new Error(
          'the model can be saved once its first epoch has ended (it has a test accuracy then)',
        );
      }
      return {
        kind: 'model',
        name: `nas-lab-model-epoch-${summary.epochs}.nas`,
        bytes: await encodeTrainedModel(state, summary, { normalization: images.stats }),
      };
    },
    {
      checkpoint: async () =>
        encodeRetrainCheckpoint(
          await captureRetrainCheckpoint(state, run.position(), { host: retrainHost(config) }),
        ),
      autosaveKind: 'retrain',
      // The cosine schedule's peak: lowering it lowers every later step's rate.
      baseRates: { weightLr: state.config.lr },
      reopen: async (bytes) => (await resumeRetrainJob(decodeRetrainCheckpoint(bytes), source)).job,
      injectNaN: () => {
        const first = Object.values(state.weights)[0];
        if (first) tf.tidy(() => first.assign(tf.fill(first.shape, Number.NaN)));
      },
    },
  );
}

export async function createRetrainJob(
  config: RetrainLabConfig,
  genotypeJson: GenotypeJson,
  source: () => FileSource,
): Promise<Job> {
  const retrain = validateRetrainConfig(config.retrain);
  const genotype = genotypeFromJson(genotypeJson);
  const images = await loadRetrainImages(config.data, config.testImages, source, retrain.seed);
  return retrainJob(
    config,
    createRetrainState(retrain, genotype, images.train),
    images,
    null,
    source,
  );
}

/** A retrain resumed from its checkpoint: the same data rebuilt from the host settings. */
export async function resumeRetrainJob(
  checkpoint: RetrainCheckpoint,
  source: () => FileSource,
): Promise<{ job: Job; config: RetrainLabConfig }> {
  const config: RetrainLabConfig = { ...retrainFromHost(checkpoint), retrain: checkpoint.config };
  const images = await loadRetrainImages(
    config.data,
    config.testImages,
    source,
    checkpoint.config.seed,
  );
  const state = restoreRetrainState(checkpoint, images.train);
  return { job: retrainJob(config, state, images, checkpoint, source), config };
}
