/** Settings of a retrain started from the lab, its defaults and their check. */
import { SMALL_RETRAIN_CONFIG, validateRetrainConfig } from '../nas/retrain/retrainConfig';
import type { RetrainLabConfig } from '../worker/protocol';

/** Seconds per step on a software GPU: a first look at a retrain, and the e2e tests. */
export const QUICK_RETRAIN: RetrainLabConfig = {
  retrain: {
    ...SMALL_RETRAIN_CONFIG,
    channels: 4,
    layers: 3,
    batchSize: 16,
    epochs: 1,
  },
  data: { dataset: 'default', images: 64, imageSize: 8 },
  testImages: 64,
  backend: 'auto',
};

/** The first problem with a retrain configuration, or null. */
export function retrainConfigProblem(config: RetrainLabConfig): string | null {
  try {
    validateRetrainConfig(config.retrain);
  } catch (e) {
    return (e as Error).message;
  }
  const { images, imageSize } = config.data;
  if (!Number.isInteger(images) || images < config.retrain.batchSize) {
    return `images must be an integer of at least the batch size ${config.retrain.batchSize}, got ${images}`;
  }
  if (!Number.isInteger(config.testImages) || config.testImages < 1) {
    return `test images must be a positive integer, got ${config.testImages}`;
  }
  if (!Number.isInteger(imageSize) || imageSize < 4 || imageSize % 4 !== 0) {
    return `image size must be a multiple of 4, got ${imageSize}`;
  }
  return null;
}
