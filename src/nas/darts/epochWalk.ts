/**
 * The walk over epochs and batches that the DARTS search (`cnn/train_search.py`) and the retrain
 * (`cnn/train.py`) share, written once: every epoch shuffles the training images (drawn just
 * before its first step, after the abort check, so that a position without an order never
 * follows a draw), steps through them in batches (the last one possibly smaller) and ends with
 * the kind's evaluation. The position is recorded after every event, so that a host may
 * checkpoint between two; a walk resumed from one takes the steps the uninterrupted one would.
 */
import type { Rng } from '../tensor/random';
import type { EpochPosition } from './searchPosition';
import { stepsPerEpoch } from './searchPosition';

/** A loop's position, shared between its generator and its run's `position()`. */
export interface PositionCursor<P> {
  position: P;
}

/** A loop's run: its events, and a copy of where it stands between two of them. */
export type PositionedRun<E, P> = AsyncGenerator<E, void, undefined> & { position(): P };

/**
 * A loop's entry point `(state, data, options?)`: its `events` from `options.resume`, else from
 * `start(state, data)`; the run's `position()` is a copy (by `copy`) of where they stand.
 */
export function loopRunner<St, D, P, E, O extends { readonly resume?: P }>(
  events: (state: St, data: D, options: O, cursor: PositionCursor<P>) => AsyncGenerator<E, void>,
  start: (state: St, data: D) => P,
  copy: (position: P) => P,
): (state: St, data: D, options?: O) => PositionedRun<E, P> {
  return (state, data, options = {} as O) => {
    const cursor = { position: options.resume ?? start(state, data) };
    return Object.assign(events(state, data, options, cursor), {
      position: () => copy(cursor.position),
    });
  };
}

/** What every step event of a walk says (each kind adds its step's results). */
export interface WalkStepEvent {
  readonly type: 'step';
  readonly epoch: number;
  /** Steps done, this one included. */
  readonly step: number;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  readonly imagesPerSecond: number;
  readonly elapsedMs: number;
}

/** Where the walk stands, without the kind's own fields (image counts, a test result). */
export type EpochPlace = Omit<EpochPosition, 'trainCount'>;

/** Where a step falls, for its event. */
export interface StepPlace {
  readonly epoch: number;
  /** The step's index in its epoch, from 0. */
  readonly index: number;
  /** Steps done, this one included. */
  readonly step: number;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  /** The clock when the step ended, and the walk's time until then. */
  readonly t1: number;
  readonly elapsedMs: number;
}

/** What a kind gives the walk: its sizes, its clock and random source, and its work. */
export interface EpochWalk<R, S, E> {
  readonly epochs: number;
  readonly batchSize: number;
  readonly trainCount: number;
  readonly rng: Rng;
  /** Where the walk begins: a fresh position, or a checkpoint's. */
  readonly from: EpochPosition;
  readonly signal?: AbortSignal | undefined;
  readonly now: () => number;
  /** The clock's reading the walk's elapsed time counts from. */
  readonly started: number;
  /** Records where the walk stands, with the kind's own fields. */
  place(p: EpochPlace): void;
  /** One training step of epoch `epoch` on the training images `indices`; reads its results back. */
  train(epoch: number, indices: Int32Array): Promise<R>;
  /** The event of a step, from its results. */
  stepEvent(result: R, at: StepPlace): S;
  /** The evaluation ending epoch `epoch` (`step` steps done), and its event. */
  endEpoch(epoch: number, step: number): Promise<E>;
}

/**
 * The step and epoch events of the walk. Returns the steps done once every epoch is over, or
 * null when `signal` aborted it (between two steps).
 */
export async function* walkEpochs<R, S, E>(
  walk: EpochWalk<R, S, E>,
): AsyncGenerator<S | E, number | null, undefined> {
  const { from, epochs, batchSize, trainCount, rng, now, started } = walk;
  const perEpoch = stepsPerEpoch(trainCount, batchSize);
  const totalSteps = perEpoch * epochs;
  let step = from.step;
  for (let epoch = from.epoch; epoch < epochs; epoch++) {
    const resumed = epoch === from.epoch;
    let order = resumed ? from.order : null;
    for (let index = resumed ? from.stepInEpoch : 0; index < perEpoch; index++) {
      if (walk.signal?.aborted) return null;
      if (order === null) order = rng.permutation(trainCount);
      const indices = order.subarray(index * batchSize, (index + 1) * batchSize);
      const result = await walk.train(epoch, indices);
      step += 1;
      const t1 = now();
      const elapsedMs = t1 - started;
      walk.place({ epoch, stepInEpoch: index + 1, step, order, elapsedMs });
      yield walk.stepEvent(result, {
        epoch,
        index,
        step,
        stepsPerEpoch: perEpoch,
        totalSteps,
        t1,
        elapsedMs,
      });
    }
    const event = await walk.endEpoch(epoch, step);
    walk.place({ epoch: epoch + 1, stepInEpoch: 0, step, order: null, elapsedMs: now() - started });
    yield event;
  }
  return step;
}
