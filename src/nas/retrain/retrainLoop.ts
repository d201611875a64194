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
import { copyEpochPosition } from '../darts/searchPosition';
import type { PositionCursor, WalkStepEvent } from '../darts/epochWalk';
import { loopRunner, walkEpochs } from '../darts/epochWalk';
import type { RetrainPosition } from './retrainPosition';
import { checkRetrainPosition, startRetrainPosition } from './retrainPosition';
import type { RecalibrationPlan } from '../ops/bnRecalibration';
import { evaluateWithStatistics } from '../ops/bnRecalibration';
import type { EvaluationStatistics } from '../ops/bnRecalibrationSetting';

export interface RetrainData {
  readonly train: BatchSource;
  readonly test: BatchSource;
}

export interface RetrainStepEvent extends WalkStepEvent {
  /** The step's index in its epoch, from 0. */
  readonly stepInEpoch: number;
  readonly lr: number;
  readonly dropPathProb: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
}

export interface RetrainEpochEvent {
  readonly type: 'epoch';
  readonly epoch: number;
  readonly step: number;
  readonly testLoss: number;
  readonly testAccuracy: number;
  /** The BatchNorm statistics the evaluation used (`options.bnRecalibration`). */
  readonly statistics: EvaluationStatistics;
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
  /** BatchNorm recalibration before each epoch's test; absent: running statistics. */
  readonly bnRecalibration?: RecalibrationPlan;
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
export const runRetrain: (
  state: RetrainState,
  data: RetrainData,
  options?: RetrainLoopOptions,
) => RetrainRun = loopRunner(
  retrainEvents,
  (_, data: RetrainData) => startRetrainPosition(data.train.count, data.test.count),
  copyEpochPosition,
);

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
  cursor: PositionCursor<RetrainPosition>,
): AsyncGenerator<RetrainEvent, void, undefined> {
  checkRetrainData(state, data);
  const from = cursor.position;
  if (options.resume) checkResume(state, data, from);
  const now = options.now ?? (() => performance.now());
  const { config } = state;
  const counts = { trainCount: data.train.count, testCount: data.test.count };
  let summary = from.summary;
  const steps = yield* walkEpochs({
    epochs: config.epochs,
    batchSize: config.batchSize,
    trainCount: data.train.count,
    rng: state.rng,
    from,
    signal: options.signal,
    now,
    started: now() - from.elapsedMs,
    place: (p) => {
      cursor.position = { ...counts, ...p, summary };
    },
    train: async (epoch, indices) => {
      const dropPathProb = dropPathProbAt(epoch, config.epochs, config.dropPathProb);
      const lr = cosineLr(epoch, config.epochs, options.lr?.() ?? config.lr, config.lrMin);
      const t0 = now();
      const batch = data.train.batch(indices);
      const scalars = retrainStep(state, batch, { lr, dropPathProb });
      const packed = tf.tidy(() => tf.stack([scalars.loss, scalars.accuracy]));
      const images = batch.y.shape[0];
      tf.dispose([batch.x, batch.y, scalars.loss, scalars.accuracy]);
      const [trainLoss, trainAccuracy] = Array.from(await packed.data()) as [number, number];
      packed.dispose();
      return { lr, dropPathProb, trainLoss, trainAccuracy, t0, images };
    },
    stepEvent: ({ t0, images, ...r }, at): RetrainStepEvent => ({
      type: 'step',
      epoch: at.epoch,
      step: at.step,
      stepInEpoch: at.index,
      stepsPerEpoch: at.stepsPerEpoch,
      totalSteps: at.totalSteps,
      ...r,
      imagesPerSecond: images / Math.max((at.t1 - t0) / 1000, 1e-9),
      elapsedMs: at.elapsedMs,
    }),
    endEpoch: async (epoch, step): Promise<RetrainEpochEvent> => {
      const { result: test, statistics } = await evaluateWithStatistics(
        options.bnRecalibration,
        state.buffers,
        // The network as the test runs it: no drop path (and no draw from the masks' generator).
        (x, ctx) => state.net.forward(x, state.weights, { ctx }).logits,
        (buffers) => evaluateRetrainSplit({ ...state, buffers }, data.test),
      );
      summary = { epochs: epoch + 1, testLoss: test.loss, testAccuracy: test.accuracy };
      const { loss: testLoss, accuracy: testAccuracy } = test;
      return { type: 'epoch', epoch, step, testLoss, testAccuracy, statistics };
    },
  });
  if (steps === null) return;
  yield {
    type: 'done',
    steps,
    testLoss: summary?.testLoss ?? Number.NaN,
    testAccuracy: summary?.testAccuracy ?? Number.NaN,
  };
}
