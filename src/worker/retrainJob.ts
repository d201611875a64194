/** A retrain of a genotype as a lab job: the evaluation network trained from scratch. */
import type { FileSource } from '../data/catalog';
import { toDevice } from '../data/deviceSplit';
import { genotypeFromJson } from '../nas/genotype';
import { validateRetrainConfig } from '../nas/retrainConfig';
import type { RetrainEvent } from '../nas/retrainLoop';
import { runRetrain } from '../nas/retrainLoop';
import { createRetrainState, disposeRetrainState } from '../nas/retrainState';
import type { Job } from './job';
import { generatorJob } from './job';
import { loadRetrainImages } from './labData';
import type { FromWorker, RetrainLabConfig } from './protocol';
import type { GenotypeJson } from '../nas/genotype';
import type { TrainingSummary } from '../nas/trainedModel';
import { encodeTrainedModel } from '../nas/trainedModel';

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

export async function createRetrainJob(
  config: RetrainLabConfig,
  genotypeJson: GenotypeJson,
  source: () => FileSource,
): Promise<Job> {
  const retrain = validateRetrainConfig(config.retrain);
  const genotype = genotypeFromJson(genotypeJson);
  const images = await loadRetrainImages(config.data, config.testImages, source, retrain.seed);
  const train = toDevice(images.train);
  const test = toDevice(images.test);
  let state;
  try {
    state = createRetrainState(retrain, genotype, images.train);
  } catch (e) {
    train.dispose();
    test.dispose();
    throw e;
  }
  const built = state;
  let lr: number | undefined;
  let summary: TrainingSummary | null = null;
  return generatorJob(
    runRetrain(built, { train, test }, { lr: () => lr }),
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
      disposeRetrainState(built);
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
        bytes: await encodeTrainedModel(built, summary, { normalization: images.stats }),
      };
    },
  );
}
