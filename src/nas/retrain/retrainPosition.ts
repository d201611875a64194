/**
 * Where a retrain loop stands between two of its events: what, beyond the RetrainState, a
 * retrain checkpoint must hold for the resumed loop to take the same steps as an
 * uninterrupted one.
 */
import { checkEpochPosition, checkImageCount } from '../darts/searchPosition';
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

/**
 * Checks that a position is one a retrain of `epochs` epochs in batches of `batchSize` can be in
 * between two events; throws naming the first inconsistency.
 */
export function checkRetrainPosition(p: RetrainPosition, epochs: number, batchSize: number): void {
  checkImageCount(p.trainCount, 'position: training image count');
  checkImageCount(p.testCount, 'position: test image count');
  checkEpochPosition(p, epochs, batchSize);
  if ((p.summary?.epochs ?? 0) !== p.epoch) {
    throw new Error(
      `position: ${p.epoch} epochs are finished, but the test result is of ${p.summary?.epochs ?? 0}`,
    );
  }
}
