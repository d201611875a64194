/**
 * Where a retrain loop stands between two of its events: what, beyond the RetrainState, a
 * retrain checkpoint must hold for the resumed loop to take the same steps as an
 * uninterrupted one.
 */
import { checkPermutation, stepsPerEpoch } from '../darts/searchPosition';
import type { TrainingSummary } from './trainedModelManifest';

export interface RetrainPosition {
  /** The epoch the next step belongs to; the configured epoch count once training is over. */
  readonly epoch: number;
  /** Steps of `epoch` taken, 0 to the steps per epoch; at the steps per epoch its test is owed. */
  readonly stepInEpoch: number;
  /** Steps taken since the retrain began. */
  readonly step: number;
  /** `epoch`'s order of the training images, drawn before its first step; null before it. */
  readonly order: Int32Array | null;
  readonly trainCount: number;
  readonly testCount: number;
  /** Time the retrain has run, in ms; events' `elapsedMs` continue from it. */
  readonly elapsedMs: number;
  /** The test result after the last finished epoch (`epochs` = epochs finished); null before. */
  readonly summary: TrainingSummary | null;
}

export function startRetrainPosition(trainCount: number, testCount: number): RetrainPosition {
  return {
    epoch: 0,
    stepInEpoch: 0,
    step: 0,
    order: null,
    trainCount,
    testCount,
    elapsedMs: 0,
    summary: null,
  };
}

function checkCount(value: number, what: string, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new Error(`${what} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

/**
 * Checks that a position is one a retrain of `epochs` epochs in batches of `batchSize` can be in
 * between two events; throws naming the first inconsistency.
 */
export function checkRetrainPosition(p: RetrainPosition, epochs: number, batchSize: number): void {
  checkCount(p.trainCount, 'position: training image count', 1, 2 ** 31 - 1);
  checkCount(p.testCount, 'position: test image count', 1, 2 ** 31 - 1);
  const perEpoch = stepsPerEpoch(p.trainCount, batchSize);
  checkCount(p.epoch, 'position: epoch', 0, epochs);
  checkCount(
    p.stepInEpoch,
    'position: steps taken in the epoch',
    0,
    p.epoch === epochs ? 0 : perEpoch,
  );
  const step = p.epoch * perEpoch + p.stepInEpoch;
  if (p.step !== step) {
    throw new Error(
      `position: step ${p.step} does not match epoch ${p.epoch}, step ${p.stepInEpoch} of ${perEpoch} (step ${step})`,
    );
  }
  if (!(Number.isFinite(p.elapsedMs) && p.elapsedMs >= 0)) {
    throw new Error(`position: elapsed time must be a non-negative number, got ${p.elapsedMs}`);
  }
  if ((p.summary?.epochs ?? 0) !== p.epoch) {
    throw new Error(
      `position: ${p.epoch} epochs are finished, but the test result is of ${p.summary?.epochs ?? 0}`,
    );
  }
  if (p.stepInEpoch === 0 && p.order !== null) {
    throw new Error('position: no step of the epoch is taken, yet it holds an image order');
  }
  if (p.stepInEpoch > 0) {
    if (p.order === null) throw new Error('position: the epoch has begun but has no image order');
    if (p.order.length !== p.trainCount) {
      throw new Error(
        `position: the image order has ${p.order.length} entries for ${p.trainCount} images`,
      );
    }
    checkPermutation(p.order, 'position: the image order');
  }
}
