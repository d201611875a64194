/**
 * The CDARTS search loop (NNI `CdartsTrainer.train()` in `cdarts/trainer.py`; the official
 * `CDARTS/search.py`) as an async generator of progress events.
 *
 * Epochs before `warmupEpochs` train the search network's weights on the weight half. Every
 * later epoch is a cycle: apply the cut schedule, derive the genotype from the alphas and make
 * the evaluation network follow it (kept for the whole epoch, as NNI's `mutator_large.reset()`
 * at the epoch start), train the evaluation network alone for `evalWarmupEpochs` epochs on the
 * alpha half (official `nasnet_warmup`), then `stepsPerEpoch` joint steps. Each epoch ends with
 * an evaluation of the network(s) over the alpha half in evaluation mode.
 *
 * Both halves are read through cyclic samplers (NNI's CyclicIterator): a new random order each
 * pass, the last batch of a pass possibly smaller. Learning rates are constant (neither code
 * base steps a scheduler). The loop is a state machine over its position, which a host can read
 * between events (`run.position()`) and resume from.
 */
import * as tf from '../tensor/tf';
import type { CdartsConfig } from './cdartsConfig';
import { cutCountAt, regularizationDecay } from './cdartsConfig';
import type { AlphaProbabilities, CdartsState } from './cdartsState';
import { cdartsGenotype, followGenotype } from './cdartsState';
import type { CdartsRates } from './cdartsStep';
import { evalWeightStep, jointStep, searchWeightStep } from './cdartsStep';
import type { CdartsEvaluation, CdartsRecalibration } from './cdartsEvaluation';
import { evaluateCdartsNetworks } from './cdartsEvaluation';
import { nextBatch } from './cyclicSampler';
import type { CdartsPosition } from './cdartsPosition';
import {
  checkCdartsResume,
  copyPosition,
  nextPhase,
  phaseLength,
  startCdartsPosition,
} from './cdartsPosition';
import type { Genotype } from '../genotype/genotype';
import { cutChoices, maskedSoftmax } from './regularizedMutator';
import type { SearchData } from '../darts/searchLoop';
import { checkSearchData } from '../darts/searchLoop';
import type { Batch } from '../darts/searchStep';
import { alphaMaxAbs } from '../darts/alphaMaxAbs';
import type { PositionCursor } from '../darts/epochWalk';
import { loopRunner } from '../darts/epochWalk';

interface StepEventBase {
  readonly type: 'step';
  readonly epoch: number;
  /** Steps of any kind taken since the search began. */
  readonly step: number;
  readonly stepInPhase: number;
  readonly stepsInPhase: number;
  readonly imagesPerSecond: number;
  readonly elapsedMs: number;
}

export interface SearchWarmupStepEvent extends StepEventBase {
  readonly phase: 'searchWarmup';
  readonly trainLoss: number;
  readonly trainAccuracy: number;
}

export interface EvalWarmupStepEvent extends StepEventBase {
  readonly phase: 'evalWarmup';
  readonly evalLoss: number;
  readonly evalAccuracy: number;
}

export interface JointStepEvent extends StepEventBase {
  readonly phase: 'joint';
  /** On the alpha batch (val*) before the updates, and on the weight batch (train*). */
  readonly search: {
    readonly valLoss: number;
    readonly valAccuracy: number;
    readonly trainLoss: number;
    readonly trainAccuracy: number;
  };
  readonly eval: { readonly valLoss: number; readonly valAccuracy: number };
  /** distill(search, eval) · T² · loss_alpha. */
  readonly distillationLoss: number;
  /** Σ|α| over the penalized entries, and its weight reg_decay this epoch. */
  readonly penalty: number;
  readonly regDecay: number;
  readonly alphaObjective: number;
  /** The mutator's (masked) softmax after the alpha update. */
  readonly alphaSoftmax: AlphaProbabilities;
  /** max |α| after the alpha update (cut entries included: they are still weights). */
  readonly alphaMaxAbs: number;
  /** The search network's genotype after the alpha update. */
  readonly genotype: Genotype;
}

export type CdartsStepEvent = SearchWarmupStepEvent | EvalWarmupStepEvent | JointStepEvent;

/** A cycle begins: the evaluation network follows the search network's genotype. */
export interface CycleEvent {
  readonly type: 'cycle';
  readonly epoch: number;
  readonly genotype: Genotype;
  readonly changed: boolean;
  readonly kept: number;
  readonly restored: number;
  readonly created: number;
  /** Choices cut per edge so far. */
  readonly cutNum: number;
}

export interface CdartsEpochEvent {
  readonly type: 'epoch';
  readonly epoch: number;
  readonly search: { readonly valLoss: number; readonly valAccuracy: number };
  /** Null in the warm-up epochs, when the evaluation network is not trained. */
  readonly eval: { readonly valLoss: number; readonly valAccuracy: number } | null;
  /** The BatchNorm statistics each evaluation used (`options.bnRecalibration`). */
  readonly statistics: CdartsEvaluation['statistics'];
  readonly genotype: Genotype;
  readonly evalGenotype: Genotype;
}

export interface CdartsDoneEvent {
  readonly type: 'done';
  readonly genotype: Genotype;
  readonly steps: number;
}

export type CdartsEvent = CdartsStepEvent | CycleEvent | CdartsEpochEvent | CdartsDoneEvent;

export interface CdartsLoopOptions {
  readonly signal?: AbortSignal;
  /** Continue from a position of an earlier run on this state (or a restored copy of it). */
  readonly resume?: CdartsPosition;
  /** Read before every step; replaces the configured rates. */
  readonly rates?: () => Partial<CdartsRates>;
  readonly now?: () => number;
  /** BatchNorm recalibration before each epoch-end evaluation; absent: running statistics. */
  readonly bnRecalibration?: CdartsRecalibration;
}

export interface CdartsRun extends AsyncGenerator<CdartsEvent, void, undefined> {
  /** A copy of the current position. */
  position(): CdartsPosition;
}

/** NNI's default: the smaller of the two halves' batch counts. */
export function cdartsStepsPerEpoch(config: CdartsConfig, data: SearchData): number {
  return (
    config.stepsPerEpoch ??
    Math.min(
      Math.ceil(data.train.count / config.batchSize),
      Math.ceil(data.val.count / config.batchSize),
    )
  );
}

/** Choices cut per edge so far (every edge has the same count). */
function cutCount(state: CdartsState): number {
  return (state.mutator.cut.normal[0] ?? []).filter((isCut) => isCut).length;
}

/** Masked softmax of both cell types, read back in one transfer. */
export async function readProbabilities(state: CdartsState): Promise<AlphaProbabilities> {
  const packed = tf.tidy(() =>
    tf.concat([
      tf.reshape(maskedSoftmax(state.alphas.normal, state.mutator.cut.normal), [-1]),
      tf.reshape(maskedSoftmax(state.alphas.reduce, state.mutator.cut.reduce), [-1]),
    ]),
  );
  const values = (await packed.data()) as Float32Array;
  packed.dispose();
  return unpackProbabilities(state, values, 0);
}

function unpackProbabilities(
  state: CdartsState,
  values: Float32Array,
  offset: number,
): AlphaProbabilities {
  const [rows, cols] = state.searchNet.alphaShape;
  const table = (start: number) =>
    Array.from({ length: rows }, (_, r) =>
      Array.from(values.subarray(start + r * cols, start + (r + 1) * cols)),
    );
  return { normal: table(offset), reduce: table(offset + rows * cols) };
}

async function readScalars(scalars: readonly tf.Scalar[]): Promise<number[]> {
  const packed = tf.tidy(() => tf.stack([...scalars]));
  const values = Array.from(await packed.data());
  tf.dispose([packed, ...scalars]);
  return values;
}

/**
 * Runs a CDARTS search on `state`, or continues one from `options.resume`. Between the moment
 * `next()` resolves and the next call the state is consistent with `run.position()`.
 */
export const runCdarts: (
  state: CdartsState,
  data: SearchData,
  options?: CdartsLoopOptions,
) => CdartsRun = loopRunner(
  cdartsEvents,
  (state: CdartsState) => startCdartsPosition(state.config),
  copyPosition,
);

async function* cdartsEvents(
  state: CdartsState,
  data: SearchData,
  options: CdartsLoopOptions,
  cursor: PositionCursor<CdartsPosition>,
): AsyncGenerator<CdartsEvent, void, undefined> {
  const { config, rng } = state;
  checkSearchData(state, data);
  const perEpoch = cdartsStepsPerEpoch(config, data);
  if (options.resume) checkCdartsResume(config, options.resume, perEpoch);
  const now = options.now ?? (() => performance.now());
  const started = now() - cursor.position.elapsedMs;
  const rates = (): CdartsRates => ({
    weightLr: config.weightLr,
    nasnetLr: config.nasnetLr,
    alphaLr: config.alphaLr,
    ...options.rates?.(),
  });
  const batchFrom = (which: 'train' | 'val'): Batch => {
    const split = which === 'train' ? data.train : data.val;
    const p = cursor.position;
    const { indices, next } = nextBatch(p[which], split.count, config.batchSize, rng);
    cursor.position = { ...p, [which]: next };
    return split.batch(indices);
  };
  /** Moves past one unit of work of the current phase. */
  const advance = (tookStep: boolean): void => {
    const p = cursor.position;
    const stepInPhase = p.stepInPhase + 1;
    const step = p.step + (tookStep ? 1 : 0);
    const elapsedMs = now() - started;
    cursor.position =
      stepInPhase < phaseLength(config, p.phase, perEpoch)
        ? { ...p, stepInPhase, step, elapsedMs }
        : { ...p, ...nextPhase(config, p), stepInPhase: 0, step, elapsedMs };
    // Phases without steps (evalWarmupEpochs = 0) are passed over.
    const q = cursor.position;
    if (q.epoch < config.epochs && phaseLength(config, q.phase, perEpoch) === 0) {
      cursor.position = { ...q, ...nextPhase(config, q) };
    }
  };
  const stepBase = (t0: number, images: number) => {
    const p = cursor.position;
    const t1 = now();
    return {
      type: 'step' as const,
      epoch: p.epoch,
      step: p.step + 1,
      stepInPhase: p.stepInPhase + 1,
      stepsInPhase: phaseLength(config, p.phase, perEpoch),
      imagesPerSecond: (images * 1000) / Math.max(t1 - t0, 1e-3),
      elapsedMs: t1 - started,
    };
  };

  /**
   * One warm-up step, its loss and accuracy read back: of the search network on the weight half,
   * or of the evaluation network on the alpha half.
   */
  const warmupStep = async (
    phase: 'searchWarmup' | 'evalWarmup',
  ): Promise<SearchWarmupStepEvent | EvalWarmupStepEvent> => {
    const t0 = now();
    const search = phase === 'searchWarmup';
    const batch = batchFrom(search ? 'train' : 'val');
    const r = search
      ? searchWeightStep(state, batch, rates().weightLr)
      : evalWeightStep(state, batch, rates().nasnetLr);
    tf.dispose([batch.x, batch.y]);
    const [loss, accuracy] = (await readScalars([r.loss, r.accuracy])) as [number, number];
    const base = stepBase(t0, batch.x.shape[0]);
    return search
      ? { ...base, phase: 'searchWarmup', trainLoss: loss, trainAccuracy: accuracy }
      : { ...base, phase: 'evalWarmup', evalLoss: loss, evalAccuracy: accuracy };
  };

  let genotype = cdartsGenotype(config, await readProbabilities(state));
  while (cursor.position.epoch < config.epochs) {
    if (options.signal?.aborted) return;
    const p = cursor.position;
    switch (p.phase) {
      case 'searchWarmup':
      case 'evalWarmup': {
        const event = await warmupStep(p.phase);
        advance(true);
        yield event;
        break;
      }
      case 'follow': {
        const cutNum = cutCountAt(config, p.epoch);
        if (cutNum > cutCount(state)) await cutChoices(state.mutator, state.alphas, cutNum);
        genotype = cdartsGenotype(config, await readProbabilities(state));
        const result = followGenotype(state, genotype);
        advance(false);
        yield { type: 'cycle', epoch: p.epoch, genotype, cutNum, ...result };
        break;
      }
      case 'joint': {
        const t0 = now();
        const train = batchFrom('train');
        const val = batchFrom('val');
        const regDecay = regularizationDecay(config, p.epoch);
        const s = jointStep(state, train, val, regDecay, rates());
        tf.dispose([train.x, train.y, val.x, val.y]);
        const scalars = [
          s.searchVal.loss,
          s.searchVal.accuracy,
          s.searchTrain.loss,
          s.searchTrain.accuracy,
          s.evalVal.loss,
          s.evalVal.accuracy,
          s.distillation,
          s.penalty,
          s.alphaObjective,
          alphaMaxAbs(state.alphas.normal, state.alphas.reduce),
        ];
        const packed = tf.tidy(() =>
          tf.concat([
            tf.stack(scalars),
            tf.reshape(maskedSoftmax(state.alphas.normal, state.mutator.cut.normal), [-1]),
            tf.reshape(maskedSoftmax(state.alphas.reduce, state.mutator.cut.reduce), [-1]),
          ]),
        );
        tf.dispose(scalars);
        const values = (await packed.data()) as Float32Array;
        packed.dispose();
        const v = (i: number) => values[i] as number;
        const alphaSoftmax = unpackProbabilities(state, values, scalars.length);
        genotype = cdartsGenotype(config, alphaSoftmax);
        const event: JointStepEvent = {
          ...stepBase(t0, train.x.shape[0] + val.x.shape[0]),
          phase: 'joint',
          search: { valLoss: v(0), valAccuracy: v(1), trainLoss: v(2), trainAccuracy: v(3) },
          eval: { valLoss: v(4), valAccuracy: v(5) },
          distillationLoss: v(6),
          penalty: v(7),
          regDecay,
          alphaObjective: v(8),
          alphaSoftmax,
          alphaMaxAbs: v(9),
          genotype,
        };
        advance(true);
        yield event;
        break;
      }
      case 'evaluate': {
        const cycled = p.epoch >= config.warmupEpochs;
        const evaluation = await evaluateCdartsNetworks(
          state,
          data,
          cycled,
          options.bnRecalibration,
        );
        genotype = cdartsGenotype(config, await readProbabilities(state));
        advance(false);
        yield {
          type: 'epoch',
          epoch: p.epoch,
          ...evaluation,
          genotype,
          evalGenotype: state.evalNet.genotype,
        };
        break;
      }
    }
  }
  yield { type: 'done', genotype, steps: cursor.position.step };
}
