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
import type { TextRunOf, TextStepEvent, TextWalk, TextWalkOptions } from '../model/rnnTextWalk';
import { textLoop } from '../model/rnnTextWalk';
import type { RnnCarriedHidden, RnnSearchPosition, RnnSearchResume } from './rnnSearchPosition';
import { checkRnnSearchPosition, startRnnSearchPosition } from './rnnSearchPosition';
import type { RnnSearchState } from './rnnSearchState';
import { evaluateRnnTokens, rnnSearchStep } from './rnnSearchStep';
import type { TokenColumnSet, TokenTexts } from '../model/rnnTokenData';
import { batchifyTexts, disposeSegment, tokenSegment } from '../model/rnnTokenData';

/**
 * Token ids of the training text (trains the weights) and of the validation text (trains the
 * alphas and is evaluated each epoch, as in DARTS).
 */
export type RnnCorpusIds = TokenTexts<'train' | 'valid'>;

/**
 * The texts on the device: the train text and the alpha text (DARTS: the validation text) in
 * `batchSize` columns, the validation text (`valid`) in `evalBatchSize` columns.
 */
export type RnnSearchData = TokenColumnSet<'train' | 'search' | 'valid'>;

export function prepareRnnSearchData(state: RnnSearchState, corpus: RnnCorpusIds): RnnSearchData {
  const { batchSize, evalBatchSize } = state.config;
  return batchifyTexts(corpus, state.ntoken, {
    train: ['train', batchSize],
    search: ['valid', batchSize],
    valid: ['valid', evalBatchSize],
  });
}

export function disposeRnnSearchData(data: RnnSearchData): void {
  tf.dispose([data.train.data, data.search.data, data.valid.data]);
}

/** A step: train tokens per second count both steps' work, train tokens counted. */
export interface RnnStepEvent extends TextStepEvent {
  /**
   * The alpha objective: the NLL on the alpha segment at the alphas before the step (first
   * order: at the weights w; unrolled: at the virtual weights w').
   */
  readonly valLoss: number;
  readonly valPerplexity: number;
  readonly alphaSoftmax: number[][];
  readonly genotype: RnnGenotype;
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

/** A search's options; a resume continues from a checkpoint's position (rnnSearchPosition.ts). */
export type RnnSearchLoopOptions = TextWalkOptions<RnnSearchResume>;

/**
 * A run of the search (rnnTextWalk.ts): a host may checkpoint it between events
 * (rnnSearchCheckpoint.ts); `hidden()` gives the carried states of train and alpha text, or,
 * before a resumed run's first step, the host copies it resumes from.
 */
export type RnnSearchRun = TextRunOf<RnnSearchResume, RnnCarriedHidden, RnnSearchEvent>;

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

type SearchWalk = TextWalk<RnnSearchPosition, RnnCarriedHidden, RnnSearchEvent>;

/**
 * Runs a search, or resumes one from `options.resume`: the resumed run takes the steps and emits
 * the events the uninterrupted one would have after that position.
 */
export const runRnnSearch = textLoop(
  (data: RnnSearchData) => startRnnSearchPosition(data.train.rows, data.search.rows),
  (state: RnnSearchState, data: RnnSearchData, options: RnnSearchLoopOptions): SearchWalk => {
    const { config } = state;
    const zeroHidden = (): RnnCarriedHidden => ({
      train: state.model.initHidden(data.train.batch),
      alpha: state.model.initHidden(data.search.batch),
    });
    const halfLength = Math.floor(config.bptt / 2);
    return {
      epochs: config.epochs,
      trainRows: data.train.rows,
      begin: (from) => checkRnnSearchPosition(from, config.epochs),
      startHidden: (resumed) =>
        resumed ? resumedHidden(state, data, options.resume as RnnSearchResume) : zeroHidden(),
      async step(epoch, step, i, hidden) {
        const length = state.rng.next() < config.halfSegmentProbability ? halfLength : config.bptt;
        const train = tokenSegment(data.train, i, length);
        const val = tokenSegment(data.search, i % (data.search.rows - 1), config.bptt);
        const result = rnnSearchStep(state, train, val, hidden.train, hidden.alpha, length);
        const read = await readStep(state, result.trainLoss, result.valLoss);
        tf.dispose([result.trainLoss, result.valLoss]);
        disposeSegment(val);
        disposeSegment(train);
        const finite = Number.isFinite(read.train) && Number.isFinite(read.val);
        return {
          hidden: { train: result.hiddenTrain, alpha: result.hiddenVal },
          advance: length,
          tokens: train.length * data.train.batch,
          divergence: finite
            ? null
            : `the recurrent search diverged at step ${step} (loss ${read.train})`,
          event: (elapsedMs, tokensPerSecond) => ({
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
            tokensPerSecond,
            elapsedMs,
          }),
        };
      },
      disposeHidden: (hidden) => tf.dispose([hidden.train, hidden.alpha]),
      async evaluate(epoch, position) {
        const valLoss = await evaluateRnnTokens(state, data.valid, config.bptt);
        const event: RnnEpochEvent = {
          type: 'epoch',
          epoch,
          valLoss,
          valPerplexity: perplexity(valLoss),
          genotype: await currentGenotype(state),
        };
        return { event, position };
      },
      done: async (steps) => ({ type: 'done', steps, genotype: await currentGenotype(state) }),
    };
  },
);

/** The resumed carried states, once the data and the saved states agree with the position. */
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
