/**
 * The retrain loop as an async generator of progress events (`cnn/train.py`): each epoch uses
 * the cosine learning rate (stepped at the epoch's start, annealing to `lrMin`) and the linear
 * drop-path probability, shuffles the training images, and ends with an evaluation on the test
 * set. Per step it reads back two scalars in one transfer. A run exposes its position between
 * events, so that a host can checkpoint it (retrainCheckpoint.ts), and resumes from one.
 */
import * as tf from '../tensor/tf';
import { cosineLr } from '../optim/cosineSchedule';
import { dropPathProbAt } from './evalLoss';
import type { RetrainState } from './retrainState';
import type { EvaluableNetwork } from './retrainStep';
import { evaluateRetrained, retrainStep } from './retrainStep';
import type { BatchSource } from '../darts/evaluateSplit';
import { evaluateSplit } from '../darts/evaluateSplit';
import { stepsPerEpoch } from '../darts/searchPosition';
import type { RetrainPosition } from './retrainPosition';
import { checkRetrainPosition, startRetrainPosition } from './retrainPosition';

export interface RetrainData {
  readonly train: BatchSource;
  readonly test: BatchSource;
}

export interface RetrainStepEvent {
  readonly type: 'step';
  readonly epoch: number;
  /** 1-based count of steps done. */
  readonly step: number;
  readonly stepInEpoch: number;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  readonly lr: number;
  readonly dropPathProb: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  readonly imagesPerSecond: number;
  readonly elapsedMs: number;
}

export interface RetrainEpochEvent {
  readonly type: 'epoch';
  readonly epoch: number;
  readonly step: number;
  readonly testLoss: number;
  readonly testAccuracy: number;
}

export interface RetrainDoneEvent {
  readonly type: 'done';
  readonly steps: number;
  readonly testLoss: number;
  readonly testAccuracy: number;
}

export type RetrainEvent = RetrainStepEvent | RetrainEpochEvent | RetrainDoneEvent;

export interface RetrainLoopOptions {
  readonly signal?: AbortSignal;
  /** Replaces the configured maximum learning rate; read before every step. */
  readonly lr?: () => number | undefined;
  readonly now?: () => number;
  /** Continue a retrain from a checkpoint's position instead of beginning one. */
  readonly resume?: RetrainPosition;
}

/**
 * The retrain's events, and where it stands between two of them: between the moment `next()`
 * resolves and the next call the RetrainState is consistent with `position()`, when a host may
 * checkpoint.
 */
export interface RetrainRun extends AsyncGenerator<RetrainEvent, void, undefined> {
  /** A copy of the current position. */
  position(): RetrainPosition;
}

/** Loss and accuracy of a retrained network over a whole split in evaluation mode. */
export function evaluateRetrainSplit(
  state: EvaluableNetwork & Pick<RetrainState, 'config'>,
  split: BatchSource,
): Promise<{ loss: number; accuracy: number }> {
  return evaluateSplit(split, state.config.batchSize, (batch) => evaluateRetrained(state, batch));
}

function checkRetrainData(state: RetrainState, data: RetrainData): void {
  if (data.train.count < state.config.batchSize) {
    throw new Error(
      `batch size ${state.config.batchSize} is larger than the training set (${data.train.count} images)`,
    );
  }
  if (data.test.count < 1) throw new Error('the test set is empty');
}

/**
 * Runs a retrain, or resumes one from `options.resume`: the resumed run emits the events the
 * uninterrupted one would from that point on (on the cpu backend, with the same values).
 */
export function runRetrain(
  state: RetrainState,
  data: RetrainData,
  options: RetrainLoopOptions = {},
): RetrainRun {
  const cursor = {
    position: options.resume ?? startRetrainPosition(data.train.count, data.test.count),
  };
  return Object.assign(retrainEvents(state, data, options, cursor), {
    position: (): RetrainPosition => ({
      ...cursor.position,
      order: cursor.position.order && cursor.position.order.slice(),
    }),
  });
}

function checkResume(state: RetrainState, data: RetrainData, p: RetrainPosition): void {
  if (p.trainCount !== data.train.count || p.testCount !== data.test.count) {
    throw new Error(
      `cannot resume: the retrain was at ${p.trainCount} training and ${p.testCount} test images, ` +
        `the data has ${data.train.count} and ${data.test.count}`,
    );
  }
  checkRetrainPosition(p, state.config.epochs, state.config.batchSize);
}

async function* retrainEvents(
  state: RetrainState,
  data: RetrainData,
  options: RetrainLoopOptions,
  cursor: { position: RetrainPosition },
): AsyncGenerator<RetrainEvent, void, undefined> {
  checkRetrainData(state, data);
  const from = cursor.position;
  if (options.resume) checkResume(state, data, from);
  const now = options.now ?? (() => performance.now());
  const { config, rng } = state;
  const perEpoch = stepsPerEpoch(data.train.count, config.batchSize);
  const totalSteps = perEpoch * config.epochs;
  const started = now() - from.elapsedMs;
  const counts = { trainCount: data.train.count, testCount: data.test.count };
  let step = from.step;
  let summary = from.summary;
  for (let epoch = from.epoch; epoch < config.epochs; epoch++) {
    const resumed = epoch === from.epoch;
    let order = resumed ? from.order : null;
    const dropPathProb = dropPathProbAt(epoch, config.epochs, config.dropPathProb);
    for (let s = resumed ? from.stepInEpoch : 0; s < perEpoch; s++) {
      if (options.signal?.aborted) return;
      // Drawn after the abort check, so that a position without an order never follows a draw.
      if (order === null) order = rng.permutation(data.train.count);
      const lr = cosineLr(epoch, config.epochs, options.lr?.() ?? config.lr, config.lrMin);
      const t0 = now();
      const batch = data.train.batch(
        order.subarray(s * config.batchSize, (s + 1) * config.batchSize),
      );
      const scalars = retrainStep(state, batch, { lr, dropPathProb });
      const packed = tf.tidy(() => tf.stack([scalars.loss, scalars.accuracy]));
      const images = batch.y.shape[0];
      tf.dispose([batch.x, batch.y, scalars.loss, scalars.accuracy]);
      const [trainLoss, trainAccuracy] = Array.from(await packed.data()) as [number, number];
      packed.dispose();
      step++;
      const t1 = now();
      cursor.position = {
        ...counts,
        epoch,
        stepInEpoch: s + 1,
        step,
        order,
        elapsedMs: t1 - started,
        summary,
      };
      yield {
        type: 'step',
        epoch,
        step,
        stepInEpoch: s,
        stepsPerEpoch: perEpoch,
        totalSteps,
        lr,
        dropPathProb,
        trainLoss,
        trainAccuracy,
        imagesPerSecond: images / Math.max((t1 - t0) / 1000, 1e-9),
        elapsedMs: t1 - started,
      };
    }
    const test = await evaluateRetrainSplit(state, data.test);
    summary = { epochs: epoch + 1, testLoss: test.loss, testAccuracy: test.accuracy };
    cursor.position = {
      ...counts,
      epoch: epoch + 1,
      stepInEpoch: 0,
      step,
      order: null,
      elapsedMs: now() - started,
      summary,
    };
    yield { type: 'epoch', epoch, step, testLoss: test.loss, testAccuracy: test.accuracy };
  }
  yield {
    type: 'done',
    steps: step,
    testLoss: summary?.testLoss ?? Number.NaN,
    testAccuracy: summary?.testAccuracy ?? Number.NaN,
  };
}
