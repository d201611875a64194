/**
 * The DARTS recurrent search loop (`rnn/train_search.py`, first order or unrolled) as an async generator of
 * progress events. Per epoch the train text is walked from row 0 in segments of bptt rows (⌊bptt/2⌋
 * with probability `halfSegmentProbability`), both hidden states start at zero, the alpha segment
 * is taken at row i mod (alpha rows − 1) of the alpha text; after the epoch the validation text is
 * evaluated (mean NLL per token, perplexity). Per step one readback: both losses and the alphas'
 * softmax.
 */
import * as tf from '../../tensor/tf';
import type { RnnGenotype } from '../genotype/rnnGenotype';
import { deriveRecurrentGenes } from '../genotype/rnnGenotype';
import { perplexity } from '../model/rnnLoss';
import type { RnnCarriedHidden, RnnSearchPosition, RnnSearchResume } from './rnnSearchPosition';
import { checkRnnSearchPosition, startRnnSearchPosition } from './rnnSearchPosition';
import type { RnnSearchState } from './rnnSearchState';
import { evaluateRnnTokens, rnnSearchStep } from './rnnSearchStep';
import type { TokenColumns } from '../model/rnnTokenData';
import { batchify, disposeSegment, tokenSegment } from '../model/rnnTokenData';

export interface RnnCorpusIds {
  /** Token ids of the training text (trains the weights). */
  readonly train: ArrayLike<number>;
  /** Token ids of the validation text: trains the alphas and is evaluated each epoch (DARTS). */
  readonly valid: ArrayLike<number>;
}

export interface RnnSearchData {
  /** The train text in `batchSize` columns. */
  readonly train: TokenColumns;
  /** The alpha text (DARTS: the validation text) in `batchSize` columns. */
  readonly search: TokenColumns;
  /** The validation text in `evalBatchSize` columns. */
  readonly valid: TokenColumns;
}

export function prepareRnnSearchData(state: RnnSearchState, corpus: RnnCorpusIds): RnnSearchData {
  const { batchSize, evalBatchSize } = state.config;
  for (const [name, ids] of Object.entries(corpus) as [string, ArrayLike<number>][]) {
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      if (!Number.isInteger(id) || id < 0 || id >= state.ntoken) {
        throw new Error(
          `${name} token ${i} is ${id}, outside the vocabulary 0..${state.ntoken - 1}`,
        );
      }
    }
  }
  const train = batchify(corpus.train, batchSize);
  const search = batchify(corpus.valid, batchSize);
  const valid = batchify(corpus.valid, evalBatchSize);
  return { train, search, valid };
}

export function disposeRnnSearchData(data: RnnSearchData): void {
  tf.dispose([data.train.data, data.search.data, data.valid.data]);
}

export interface RnnStepEvent {
  readonly type: 'step';
  /** 0-based. */
  readonly epoch: number;
  /** 0-based over the run. */
  readonly step: number;
  readonly segmentLength: number;
  readonly trainLoss: number;
  readonly trainPerplexity: number;
  /**
   * The alpha objective: the NLL on the alpha segment at the alphas before the step (first
   * order: at the weights w; unrolled: at the virtual weights w').
   */
  readonly valLoss: number;
  readonly valPerplexity: number;
  readonly alphaSoftmax: number[][];
  readonly genotype: RnnGenotype;
  /** Train tokens per second over the run so far (both steps' work, train tokens counted). */
  readonly tokensPerSecond: number;
  readonly elapsedMs: number;
}

export interface RnnEpochEvent {
  readonly type: 'epoch';
  readonly epoch: number;
  /** Mean NLL per token of the validation text in evaluation mode. */
  readonly valLoss: number;
  readonly valPerplexity: number;
  readonly genotype: RnnGenotype;
}

export interface RnnDoneEvent {
  readonly type: 'done';
  readonly steps: number;
  readonly genotype: RnnGenotype;
}

export type RnnSearchEvent = RnnStepEvent | RnnEpochEvent | RnnDoneEvent;

export interface RnnSearchLoopOptions {
  readonly signal?: AbortSignal;
  /** Stop after this many steps (a budgeted run); the epoch in progress is not evaluated. */
  readonly maxSteps?: number;
  /** Clock in ms; injectable for tests. */
  readonly now?: () => number;
  /** Continue a search from a checkpoint's position (rnnSearchPosition.ts) instead of beginning one. */
  readonly resume?: RnnSearchResume;
  /**
   * A non-finite loss: 'throw' (the default) stops the search with an error; 'report' yields the
   * step as it is, for a host that watches the losses and rolls back (a run kind's session).
   */
  readonly onNonFinite?: 'throw' | 'report';
}

/**
 * A run of the search. Between an event's delivery and the next call the state is consistent
 * with `position()` and `hidden()`, when a host may checkpoint it (rnnSearchCheckpoint.ts).
 */
export interface RnnSearchRun extends AsyncGenerator<RnnSearchEvent, void, undefined> {
  position(): RnnSearchPosition;
  /**
   * The carried hidden states of train and alpha text: the loop's own tensors once it has
   * stepped; before a resumed run's first step, the host copies it resumes from (so that it can
   * be checkpointed at once); null at row 0.
   */
  hidden(): RnnCarriedHidden | RnnSearchResume['hidden'];
}

/** The alphas' softmax as rows (one readback) with two scalars packed in front. */
async function readStep(
  state: RnnSearchState,
  trainLoss: tf.Scalar,
  valLoss: tf.Scalar,
): Promise<{ train: number; val: number; softmax: number[][] }> {
  const [rows, cols] = state.cell.alphaShape;
  const packed = tf.tidy(() =>
    tf.concat([tf.stack([trainLoss, valLoss]), tf.reshape(tf.softmax(state.alpha), [-1])]),
  );
  const values = (await packed.data()) as Float32Array;
  packed.dispose();
  const softmax: number[][] = [];
  for (let r = 0; r < rows; r++) {
    softmax.push(Array.from(values.subarray(2 + r * cols, 2 + (r + 1) * cols)));
  }
  return { train: values[0] as number, val: values[1] as number, softmax };
}

function genotypeOf(state: RnnSearchState, softmax: readonly (readonly number[])[]): RnnGenotype {
  const { steps } = state.config;
  return {
    recurrent: deriveRecurrentGenes(softmax, steps, state.cell.primitives),
    concat: Array.from({ length: steps }, (_, i) => i + 1),
  };
}

async function currentGenotype(state: RnnSearchState): Promise<RnnGenotype> {
  const probs = tf.softmax(state.alpha);
  const rows = (await probs.array()) as number[][];
  probs.dispose();
  return genotypeOf(state, rows);
}

/**
 * Runs a search, or resumes one from `options.resume`: the resumed run takes the steps and emits
 * the events the uninterrupted one would have after that position.
 */
export function runRnnSearch(
  state: RnnSearchState,
  data: RnnSearchData,
  options: RnnSearchLoopOptions = {},
): RnnSearchRun {
  const cursor: Cursor = {
    position: options.resume?.position ?? startRnnSearchPosition(data.train.rows, data.search.rows),
    hidden: options.resume && options.resume.position.row > 0 ? options.resume.hidden : null,
  };
  const run = searchEvents(state, data, options, cursor);
  return Object.assign(run, {
    position: (): RnnSearchPosition => ({ ...cursor.position }),
    hidden: (): RnnCarriedHidden | RnnSearchResume['hidden'] => cursor.hidden,
  });
}

interface Cursor {
  position: RnnSearchPosition;
  hidden: RnnCarriedHidden | RnnSearchResume['hidden'];
}

function resumedHidden(
  state: RnnSearchState,
  data: RnnSearchData,
  resume: RnnSearchResume,
): RnnCarriedHidden {
  const { nhid } = state.config;
  const p = resume.position;
  if (p.trainRows !== data.train.rows || p.alphaRows !== data.search.rows) {
    throw new Error(
      `cannot resume: the search was at ${p.trainRows} train and ${p.alphaRows} alpha rows, ` +
        `the data has ${data.train.rows} and ${data.search.rows} (another corpus or batch size)`,
    );
  }
  if (p.row === 0) {
    return {
      train: state.model.initHidden(data.train.batch),
      alpha: state.model.initHidden(data.search.batch),
    };
  }
  if (!resume.hidden)
    throw new Error('cannot resume: the epoch has begun but no hidden state is given');
  const { train, alpha } = resume.hidden;
  if (train.length !== data.train.batch * nhid || alpha.length !== data.search.batch * nhid) {
    throw new Error(
      `cannot resume: the hidden states hold ${train.length} and ${alpha.length} values, ` +
        `the search needs ${data.train.batch}×${nhid} and ${data.search.batch}×${nhid}`,
    );
  }
  return {
    train: tf.tensor2d(train, [data.train.batch, nhid]),
    alpha: tf.tensor2d(alpha, [data.search.batch, nhid]),
  };
}

async function* searchEvents(
  state: RnnSearchState,
  data: RnnSearchData,
  options: RnnSearchLoopOptions,
  cursor: Cursor,
): AsyncGenerator<RnnSearchEvent, void, undefined> {
  const { config } = state;
  const from = cursor.position;
  checkRnnSearchPosition(from, config.epochs);
  const now = options.now ?? (() => performance.now());
  const started = now() - from.elapsedMs;
  const halfLength = Math.floor(config.bptt / 2);
  let step = from.step;
  let tokens = from.tokens;
  for (let epoch = from.epoch; epoch < config.epochs; epoch++) {
    const resumed = epoch === from.epoch && options.resume !== undefined;
    const start = resumed
      ? resumedHidden(state, data, options.resume as RnnSearchResume)
      : {
          train: state.model.initHidden(data.train.batch),
          alpha: state.model.initHidden(data.search.batch),
        };
    let hiddenTrain = start.train;
    let hiddenVal = start.alpha;
    try {
      for (let i = resumed ? from.row : 0; i < data.train.rows - 2;) {
        if (options.signal?.aborted) return;
        if (options.maxSteps !== undefined && step >= options.maxSteps) {
          yield { type: 'done', steps: step, genotype: await currentGenotype(state) };
          return;
        }
        const length = state.rng.next() < config.halfSegmentProbability ? halfLength : config.bptt;
        const train = tokenSegment(data.train, i, length);
        const val = tokenSegment(data.search, i % (data.search.rows - 1), config.bptt);
        const result = rnnSearchStep(state, train, val, hiddenTrain, hiddenVal, length);
        hiddenTrain = result.hiddenTrain;
        hiddenVal = result.hiddenVal;
        const read = await readStep(state, result.trainLoss, result.valLoss);
        tf.dispose([result.trainLoss, result.valLoss]);
        disposeSegment(val);
        disposeSegment(train);
        const finite = Number.isFinite(read.train) && Number.isFinite(read.val);
        if (!finite && options.onNonFinite !== 'report') {
          throw new Error(`the recurrent search diverged at step ${step} (loss ${read.train})`);
        }
        tokens += train.length * data.train.batch;
        const elapsedMs = now() - started;
        cursor.position = {
          ...cursor.position,
          epoch,
          row: i + length,
          step: step + 1,
          tokens,
          elapsedMs,
        };
        cursor.hidden = { train: hiddenTrain, alpha: hiddenVal };
        yield {
          type: 'step',
          epoch,
          step,
          segmentLength: train.length,
          trainLoss: read.train,
          trainPerplexity: perplexity(read.train),
          valLoss: read.val,
          valPerplexity: perplexity(read.val),
          alphaSoftmax: read.softmax,
          genotype: genotypeOf(state, read.softmax),
          tokensPerSecond: elapsedMs > 0 ? (tokens * 1000) / elapsedMs : 0,
          elapsedMs,
        };
        step++;
        i += length;
      }
    } finally {
      cursor.hidden = null;
      tf.dispose([hiddenTrain, hiddenVal]);
    }
    const valLoss = await evaluateRnnTokens(state, data.valid, config.bptt);
    cursor.position = { ...cursor.position, epoch: epoch + 1, row: 0, elapsedMs: now() - started };
    yield {
      type: 'epoch',
      epoch,
      valLoss,
      valPerplexity: perplexity(valLoss),
      genotype: await currentGenotype(state),
    };
  }
  yield { type: 'done', steps: step, genotype: await currentGenotype(state) };
}
