/**
 * The DARTS search loop as an async generator of progress events. Per step it reads back only
 * the streamed scalars and the alpha softmax, in one transfer; everything else stays on the
 * device. Epoch order and validation sampling follow `cnn/train_search.py`: the train half is
 * shuffled every epoch (the last batch may be smaller), and each step draws a fresh random
 * validation batch (its indices also before PC-DARTS's first alpha epoch, where it goes unused:
 * the official `train_search.py` draws it too). A run exposes its position (epoch, step, image
 * order) between events, so that a host can checkpoint it, and resumes from one
 * (`options.resume`).
 */
import * as tf from '../tensor/tf';
import { cosineLr } from '../optim/cosineSchedule';
import type { Genotype } from '../genotype/genotype';
import { concatRange, deriveCellGenes } from '../genotype/genotype';
import type { GenotypeChange, GenotypeHistory } from '../genotype/genotypeHistory';
import { recordGenotype } from '../genotype/genotypeHistory';
import type { Batch } from './searchStep';
import { evaluate, searchStep, weightStep } from './searchStep';
import type { BatchSource } from './evaluateSplit';
import type { StepScalars } from './searchStep';
import { evaluateSplit } from './evaluateSplit';
import { alphaMaxAbs } from './alphaMaxAbs';
import type { SearchState } from './searchState';
import type { SearchPosition } from './searchPosition';
import {
  checkSearchPosition,
  copyEpochPosition,
  startPosition,
  stepsPerEpoch,
} from './searchPosition';
import type { PositionCursor, WalkStepEvent } from './epochWalk';
import { walkEpochs } from './epochWalk';
import type { EdgeWeightValues } from '../pcdarts/pcReadback';
import { edgeWeightsPacked, pcCellGenesOf, unpackEdgeWeights } from '../pcdarts/pcReadback';
import type { RecalibrationPlan } from '../ops/bnRecalibration';
import { evaluateWithStatistics } from '../ops/bnRecalibration';
import type { EvaluationStatistics } from '../ops/bnRecalibrationSetting';

export type { BatchSource };

export interface SearchData {
  /** Images that train the weights. */
  readonly train: BatchSource;
  /** Images that train the alphas (DARTS's "valid" half of the training set). */
  readonly val: BatchSource;
}

export interface AlphaSoftmax {
  readonly normal: number[][];
  readonly reduce: number[][];
  /** PC-DARTS: the normalised β of both cell types; absent in DARTS. */
  readonly edges?: EdgeWeightValues;
}

export interface StepEvent extends WalkStepEvent {
  /** Steps of the epoch done, this one included. */
  readonly stepInEpoch: number;
  readonly weightLr: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  /** Whether the step took an alpha step (not before `archStartEpoch`). */
  readonly alphaStep: boolean;
  /** The alpha objective's loss; NaN without an alpha step. */
  readonly valLoss: number;
  readonly alphaSoftmax: AlphaSoftmax;
  /** max |α| (and |β|) over both cell types after the step: exploding alphas show here first. */
  readonly alphaMaxAbs: number;
  readonly genotype: Genotype;
  /** A probe's figures, where it measured after this step (`SearchLoopOptions.probe`). */
  readonly probe?: ProbeResult;
}

/**
 * A measurement after some steps on the step's validation batch, the weights and alphas as the
 * step left them (the collapse monitor's Hessian, as R-DARTS takes it on the last search batch).
 */
export interface StepProbe {
  /** Whether the step bringing the run to `step` of `totalSteps` steps done measures. */
  due(step: number, totalSteps: number): boolean;
  measure(state: SearchState, val: Batch): Promise<Readonly<Record<string, number>>>;
}

export interface ProbeResult {
  readonly metrics: Readonly<Record<string, number>>;
  /** The measurement's time, and the step's without it (the throughput leaves it out). */
  readonly ms: number;
  readonly stepMs: number;
}

export interface EpochEvent {
  readonly type: 'epoch';
  readonly epoch: number;
  readonly valLoss: number;
  readonly valAccuracy: number;
  /** The BatchNorm statistics the evaluation used (`options.bnRecalibration`). */
  readonly statistics: EvaluationStatistics;
  readonly genotype: Genotype;
}

export interface DoneEvent {
  readonly type: 'done';
  readonly genotype: Genotype;
  readonly steps: number;
}

export type SearchEvent = StepEvent | EpochEvent | DoneEvent;

/** Learning rates a host may change between steps (e.g. from the UI). */
export interface RateOverrides {
  /** Replaces the configured maximum of the weight learning rate's cosine schedule. */
  readonly weightLr?: number;
  readonly alphaLr?: number;
}

export interface SearchLoopOptions {
  readonly signal?: AbortSignal;
  /** Continue a search from a checkpoint's position instead of beginning one. */
  readonly resume?: SearchResume;
  /** Read before every step. */
  readonly rates?: () => RateOverrides;
  /** Clock in ms; injectable for tests. */
  readonly now?: () => number;
  /** BatchNorm recalibration before each epoch-end evaluation; absent: running statistics. */
  readonly bnRecalibration?: RecalibrationPlan;
  readonly probe?: StepProbe;
}

export function checkSearchData(
  state: { readonly config: { readonly batchSize: number } },
  data: SearchData,
): void {
  const b = state.config.batchSize;
  if (data.train.count < b) {
    throw new Error(
      `batch size ${b} is larger than the weight-training split (${data.train.count} images)`,
    );
  }
  if (data.val.count < b) {
    throw new Error(
      `batch size ${b} is larger than the alpha-training split (${data.val.count} images)`,
    );
  }
}

function genotypeOf(state: SearchState, softmax: AlphaSoftmax): Genotype {
  const { nodes, multiplier, primitives } = state.config;
  const genes = (type: 'normal' | 'reduce') =>
    softmax.edges
      ? pcCellGenesOf(softmax, type, nodes, primitives)
      : deriveCellGenes(softmax[type], nodes, primitives);
  return {
    normal: genes('normal'),
    normalConcat: concatRange(nodes, multiplier),
    reduce: genes('reduce'),
    reduceConcat: concatRange(nodes, multiplier),
  };
}

function toRows(values: Float32Array, offset: number, rows: number, cols: number): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < rows; r++) {
    out.push(Array.from(values.subarray(offset + r * cols, offset + (r + 1) * cols)));
  }
  return out;
}

/** The scalars packed before the softmax in a step's readback: losses, accuracy, max |α|. */
const SCALARS = 4;

/** Reads the alphas' softmax back (one transfer). */
export async function readAlphaSoftmax(state: SearchState): Promise<AlphaSoftmax> {
  const [rows, cols] = state.net.alphaShape;
  const packed = tf.tidy(() =>
    tf.concat([
      tf.reshape(tf.softmax(state.alphas.normal), [-1]),
      tf.reshape(tf.softmax(state.alphas.reduce), [-1]),
      ...edgeWeightsPacked(state.alphas.betas, state.config.nodes),
    ]),
  );
  const values = (await packed.data()) as Float32Array;
  packed.dispose();
  return {
    normal: toRows(values, 0, rows, cols),
    reduce: toRows(values, rows * cols, rows, cols),
    ...unpackEdgeWeights(state.alphas.betas, values, 2 * rows * cols, rows),
  };
}

/** A weight step's scalars as an iteration's, its alpha loss NaN (no alpha step). */
function weightOnly(r: { loss: tf.Scalar; accuracy: tf.Scalar }): StepScalars {
  return { trainLoss: r.loss, trainAccuracy: r.accuracy, valLoss: tf.scalar(Number.NaN) };
}

/** The history and position a resumed search starts from (a decoded checkpoint holds both). */
export interface SearchResume {
  readonly position: SearchPosition;
  /** The genotype history so far; the resumed loop appends to it. */
  readonly genotypeHistory?: GenotypeHistory;
}

/**
 * The search's events, and where it stands between two of them. Between the moment `next()`
 * resolves and the next call of `next()` the SearchState is consistent with `position()`: that
 * is when a host may checkpoint.
 */
export interface SearchRun extends AsyncGenerator<SearchEvent, void, undefined> {
  /** A copy of the current position. */
  position(): SearchPosition;
  /** A copy of the genotype history so far (empty before the first `next()`). */
  genotypeHistory(): GenotypeHistory;
}

/** The loop's own state, shared between the generator and the run's accessors. */
interface Cursor extends PositionCursor<SearchPosition> {
  readonly history: GenotypeChange[];
}

function checkResume(state: SearchState, data: SearchData, p: SearchPosition): void {
  if (p.trainCount !== data.train.count || p.valCount !== data.val.count) {
    throw new Error(
      `cannot resume: the search was at ${p.trainCount} weight-training and ${p.valCount} alpha-training images, ` +
        `the data has ${data.train.count} and ${data.val.count}`,
    );
  }
  checkSearchPosition(p, state.config.epochs, state.config.batchSize);
}

/**
 * Runs a DARTS search, or resumes one from `options.resume`: the resumed run emits the events
 * the uninterrupted one would from that point on (step numbers, learning rates and, on a
 * deterministic backend with the same random states, the same values).
 */
export function runSearch(
  state: SearchState,
  data: SearchData,
  options: SearchLoopOptions = {},
): SearchRun {
  const cursor: Cursor = {
    position: options.resume?.position ?? startPosition(data.train.count, data.val.count),
    history: [...(options.resume?.genotypeHistory ?? [])],
  };
  return Object.assign(searchEvents(state, data, options, cursor), {
    position: (): SearchPosition => copyEpochPosition(cursor.position),
    genotypeHistory: (): GenotypeHistory => [...cursor.history],
  });
}

async function* searchEvents(
  state: SearchState,
  data: SearchData,
  options: SearchLoopOptions,
  cursor: Cursor,
): AsyncGenerator<SearchEvent, void, undefined> {
  checkSearchData(state, data);
  const from = cursor.position;
  if (options.resume) checkResume(state, data, from);
  const now = options.now ?? (() => performance.now());
  const { config, rng } = state;
  const [rows, cols] = state.net.alphaShape;
  const started = now() - from.elapsedMs;
  const counts = { trainCount: data.train.count, valCount: data.val.count };
  const totalSteps = stepsPerEpoch(data.train.count, config.batchSize) * config.epochs;
  const probeAfter = async (s: SearchState, val: Batch, t0: number) => {
    const step = cursor.position.step + 1;
    if (!options.probe?.due(step, totalSteps)) return undefined;
    const stepMs = now() - t0;
    const metrics = await options.probe.measure(s, val);
    return { metrics, ms: now() - t0 - stepMs, stepMs };
  };
  let genotype = genotypeOf(state, await readAlphaSoftmax(state));
  recordGenotype(cursor.history, from.step, genotype);
  const steps = yield* walkEpochs({
    epochs: config.epochs,
    batchSize: config.batchSize,
    trainCount: data.train.count,
    rng,
    from,
    signal: options.signal,
    now,
    started,
    place: (p) => {
      cursor.position = { ...counts, ...p };
    },
    train: async (epoch, indices) => {
      const overrides = options.rates?.() ?? {};
      const weightLr = cosineLr(
        epoch,
        config.epochs,
        overrides.weightLr ?? config.weightLr,
        config.weightLrMin,
      );
      const alphaLr = overrides.alphaLr ?? config.alphaLr;
      const t0 = now();
      const train = data.train.batch(indices);
      // Drawn before the first alpha epoch too, so that the random stream is the same.
      const valIndices = rng.sample(data.val.count, config.batchSize);
      const alphaStep = epoch >= (config.archStartEpoch ?? 0);
      const val = alphaStep ? data.val.batch(valIndices) : null;
      // PC-DARTS `train_search.py` line 156: no alpha step before the first alpha epoch.
      const scalars = val
        ? searchStep(state, train, val, { weightLr, alphaLr })
        : weightOnly(weightStep(state, train, weightLr));
      const { betas } = state.alphas;
      const packed = tf.tidy(() =>
        tf.concat([
          tf.stack([
            scalars.trainLoss,
            scalars.trainAccuracy,
            scalars.valLoss,
            alphaMaxAbs(
              state.alphas.normal,
              state.alphas.reduce,
              ...(betas ? [betas.normal, betas.reduce] : []),
            ),
          ]),
          tf.reshape(tf.softmax(state.alphas.normal), [-1]),
          tf.reshape(tf.softmax(state.alphas.reduce), [-1]),
          ...edgeWeightsPacked(betas, config.nodes),
        ]),
      );
      const images = train.x.shape[0];
      const { trainLoss, trainAccuracy, valLoss } = scalars;
      tf.dispose([train.x, train.y, trainLoss, trainAccuracy, valLoss]);
      const values = (await packed.data()) as Float32Array;
      packed.dispose();
      // A probe measures on the step's alpha batch: none before PC-DARTS's first alpha epoch.
      const probe = val ? await probeAfter(state, val, t0) : undefined;
      if (val) tf.dispose([val.x, val.y]);
      return { values, weightLr, t0, images, alphaStep, probe };
    },
    stepEvent: ({ values, weightLr, t0, images, alphaStep, probe }, at): StepEvent => {
      const alphaSoftmax = {
        normal: toRows(values, SCALARS, rows, cols),
        reduce: toRows(values, SCALARS + rows * cols, rows, cols),
        ...unpackEdgeWeights(state.alphas.betas, values, SCALARS + 2 * rows * cols, rows),
      };
      genotype = genotypeOf(state, alphaSoftmax);
      recordGenotype(cursor.history, at.step, genotype);
      return {
        type: 'step',
        epoch: at.epoch,
        step: at.step,
        stepInEpoch: at.index + 1,
        stepsPerEpoch: at.stepsPerEpoch,
        totalSteps: at.totalSteps,
        weightLr,
        trainLoss: values[0] as number,
        trainAccuracy: values[1] as number,
        alphaStep,
        valLoss: values[2] as number,
        alphaSoftmax,
        alphaMaxAbs: values[3] as number,
        genotype,
        imagesPerSecond: (images * 1000) / Math.max(at.t1 - t0 - (probe?.ms ?? 0), 1e-3),
        elapsedMs: at.elapsedMs,
        ...(probe ? { probe } : {}),
      };
    },
    endEpoch: async (epoch): Promise<EpochEvent> => {
      const { result, statistics } = await evaluateWithStatistics(
        options.bnRecalibration,
        state.buffers,
        (x, ctx) => state.net.forward(x, state.weights, state.alphas, ctx),
        (buffers) =>
          evaluateSplit(data.val, config.batchSize, (batch) =>
            evaluate({ ...state, buffers }, batch),
          ),
      );
      return {
        type: 'epoch',
        epoch,
        valLoss: result.loss,
        valAccuracy: result.accuracy,
        statistics,
        genotype,
      };
    },
  });
  if (steps !== null) yield { type: 'done', genotype, steps };
}
