/**
 * Where a search loop stands between two of its events: what, beyond the SearchState, a
 * checkpoint must hold for the resumed loop to take the same steps as an uninterrupted one.
 */

export interface SearchPosition {
  /** The epoch the next step belongs to; the configured epoch count once the search is over. */
  readonly epoch: number;
  /**
   * Steps of `epoch` already taken, from 0 to the steps per epoch; at the steps per epoch the
   * epoch's evaluation is still to come.
   */
  readonly stepInEpoch: number;
  /** Steps taken since the search began. */
  readonly step: number;
  /**
   * `epoch`'s order of the weight-training images, drawn from the search Rng before its first
   * step; null while no step of `epoch` has been taken.
   */
  readonly order: Int32Array | null;
  /** Sizes of the weight- and alpha-training splits the position refers to. */
  readonly trainCount: number;
  readonly valCount: number;
  /** Time the search has run, in ms; step events' `elapsedMs` continue from it. */
  readonly elapsedMs: number;
}

/** The position of a search that has not begun. */
export function startPosition(trainCount: number, valCount: number): SearchPosition {
  return { epoch: 0, stepInEpoch: 0, step: 0, order: null, trainCount, valCount, elapsedMs: 0 };
}

export function stepsPerEpoch(trainCount: number, batchSize: number): number {
  return Math.ceil(trainCount / batchSize);
}

function checkCount(value: number, what: string, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new Error(`${what} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

/** Throws unless `order` holds each of 0..n−1 exactly once, n being its length. */
function checkPermutation(order: ArrayLike<number>, what: string): void {
  const seen = new Uint8Array(order.length);
  for (let i = 0; i < order.length; i++) {
    const v = order[i] as number;
    if (!Number.isInteger(v) || v < 0 || v >= order.length || seen[v] === 1) {
      throw new Error(`${what} is not a permutation of 0..${order.length - 1}: entry ${i} is ${v}`);
    }
    seen[v] = 1;
  }
}

/** An image count a position refers to: from 1 to 2³¹ − 1. */
export function checkImageCount(value: number, what: string): void {
  checkCount(value, what, 1, 2 ** 31 - 1);
}

/** What every epoch-by-epoch loop's position holds (search and retrain alike). */
export interface EpochPosition {
  readonly epoch: number;
  readonly stepInEpoch: number;
  readonly step: number;
  readonly order: Int32Array | null;
  readonly trainCount: number;
  readonly elapsedMs: number;
}

/** A copy of the position (its image order too). */
export function copyEpochPosition<P extends EpochPosition>(p: P): P {
  return { ...p, order: p.order && p.order.slice() };
}

/**
 * Checks the epoch, the steps and the image order of a loop of `epochs` epochs in batches of
 * `batchSize` over `p.trainCount` images; throws naming the first inconsistency.
 */
export function checkEpochPosition(p: EpochPosition, epochs: number, batchSize: number): void {
  const perEpoch = stepsPerEpoch(p.trainCount, batchSize);
  checkCount(p.epoch, 'position: epoch', 0, epochs);
  const lastInEpoch = p.epoch === epochs ? 0 : perEpoch;
  checkCount(p.stepInEpoch, 'position: steps taken in the epoch', 0, lastInEpoch);
  const step = p.epoch * perEpoch + p.stepInEpoch;
  if (p.step !== step) {
    throw new Error(
      `position: step ${p.step} does not match epoch ${p.epoch}, step ${p.stepInEpoch} of ${perEpoch} (step ${step})`,
    );
  }
  if (!(Number.isFinite(p.elapsedMs) && p.elapsedMs >= 0)) {
    throw new Error(`position: elapsed time must be a non-negative number, got ${p.elapsedMs}`);
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

/**
 * Checks that a position is one a search of `epochs` epochs in batches of `batchSize` can be
 * in, between two events; throws naming the first inconsistency.
 */
export function checkSearchPosition(p: SearchPosition, epochs: number, batchSize: number): void {
  checkImageCount(p.trainCount, 'position: weight-training image count');
  checkImageCount(p.valCount, 'position: alpha-training image count');
  checkEpochPosition(p, epochs, batchSize);
}
