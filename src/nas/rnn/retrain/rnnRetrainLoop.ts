/**
 * Retraining a recurrent genotype (`rnn/train.py`) as an async generator of progress events. Per
 * epoch the train text is walked from row 0 (while i < rows − 2) in segments of the drawn
 * variable length, the hidden state starting at zero and carried (truncated BPTT). After each
 * epoch the validation and test texts are evaluated (mean NLL per token and perplexity) with the
 * weights, or with the averaged weights once ASGD runs; an SGD epoch then feeds the switch rule.
 * One readback per step (the NLL). A non-finite loss stops the run with an error. The run tells
 * where it stands between events (rnnRetrainPosition.ts) and resumes from such a position.
 */
import * as tf from '../../tensor/tf';
import { meanTokenNll } from '../model/rnnEvaluate';
import { perplexity } from '../model/rnnLoss';
import type { RnnRetrainState } from './rnnRetrainState';
import { evaluationWeights, shouldSwitchToAsgd, switchToAsgd } from './rnnRetrainState';
import { rnnRetrainStep } from './rnnRetrainStep';
import type {
  RnnRetrainBest,
  RnnRetrainHidden,
  RnnRetrainPosition,
  RnnRetrainResume,
} from './rnnRetrainPosition';
import {
  checkRnnRetrainPosition,
  checkRnnRetrainProgress,
  startRnnRetrainPosition,
} from './rnnRetrainPosition';
import { drawSegmentLength } from '../model/rnnSegmentLength';
import type { TokenColumns } from '../model/rnnTokenData';
import { batchify, disposeSegment, tokenSegment } from '../model/rnnTokenData';

export interface RnnRetrainCorpusIds {
  readonly train: ArrayLike<number>;
  readonly valid: ArrayLike<number>;
  readonly test: ArrayLike<number>;
}

export interface RnnRetrainData {
  /** `batchSize` columns. */
  readonly train: TokenColumns;
  /** `evalBatchSize` columns. */
  readonly valid: TokenColumns;
  /** `testBatchSize` columns. */
  readonly test: TokenColumns;
}

export function prepareRnnRetrainData(
  state: RnnRetrainState,
  corpus: RnnRetrainCorpusIds,
): RnnRetrainData {
  const { batchSize, evalBatchSize, testBatchSize } = state.config;
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
  if (train.rows < 3) {
    train.data.dispose();
    throw new Error(
      `the train text fills ${train.rows} rows of ${batchSize} columns; an epoch needs at least 3`,
    );
  }
  try {
    const valid = batchify(corpus.valid, evalBatchSize);
    try {
      return { train, valid, test: batchify(corpus.test, testBatchSize) };
    } catch (e) {
      valid.data.dispose();
      throw e;
    }
  } catch (e) {
    train.data.dispose();
    throw e;
  }
}

export function disposeRnnRetrainData(data: RnnRetrainData): void {
  tf.dispose([data.train.data, data.valid.data, data.test.data]);
}

export type RnnRetrainOptimizerName = 'sgd' | 'asgd';

export interface RnnRetrainStepEvent {
  readonly type: 'step';
  /** 0-based. */
  readonly epoch: number;
  /** 0-based over the run. */
  readonly step: number;
  /** The drawn length (the learning rate scales with it). */
  readonly seqLen: number;
  /** Rows the segment held (shorter than seqLen at the end of the text). */
  readonly segmentLength: number;
  /** lr · seqLen / bptt. */
  readonly lr: number;
  readonly optimizer: RnnRetrainOptimizerName;
  /** NLL per token of the segment (without AR/TAR). */
  readonly trainLoss: number;
  readonly trainPerplexity: number;
  readonly tokensPerSecond: number;
  readonly elapsedMs: number;
}

export interface RnnRetrainEpochEvent {
  readonly type: 'epoch';
  readonly epoch: number;
  /** The weights evaluated: 'averaged' once ASGD runs. */
  readonly evaluated: 'weights' | 'averaged';
  readonly valLoss: number;
  readonly valPerplexity: number;
  readonly testLoss: number;
  readonly testPerplexity: number;
  /** True when this epoch's validation loss switched the optimizer to ASGD. */
  readonly switchedToAsgd: boolean;
  /** The best validation loss so far and its epoch (train.py saves that model). */
  readonly bestValLoss: number;
  readonly bestEpoch: number;
}

export interface RnnRetrainDoneEvent {
  readonly type: 'done';
  readonly steps: number;
  /** -1 when no epoch finished. */
  readonly bestEpoch: number;
  readonly bestValLoss: number;
  /** The test loss of the best epoch's model (train.py's final report); NaN if none. */
  readonly testLoss: number;
  readonly testPerplexity: number;
}

export type RnnRetrainEvent = RnnRetrainStepEvent | RnnRetrainEpochEvent | RnnRetrainDoneEvent;

export interface RnnRetrainLoopOptions {
  readonly signal?: AbortSignal;
  /** Stop after this many steps; the epoch in progress is not evaluated. */
  readonly maxSteps?: number;
  readonly now?: () => number;
  /** Continue a retrain from a checkpoint's position (rnnRetrainPosition.ts) instead of beginning one. */
  readonly resume?: RnnRetrainResume;
  /**
   * A non-finite loss: 'throw' (the default) stops the retrain with an error; 'report' yields the
   * step as it is, for a host that watches the losses and rolls back (a run kind's session).
   */
  readonly onNonFinite?: 'throw' | 'report';
}

/**
 * A run of the retrain. Between an event's delivery and the next call the state is consistent
 * with `position()` and `hidden()`, when a host may checkpoint it (rnnRetrainCheckpoint.ts).
 */
export interface RnnRetrainRun extends AsyncGenerator<RnnRetrainEvent, void, undefined> {
  position(): RnnRetrainPosition;
  /**
   * The carried hidden state: the loop's own tensor once it has stepped; before a resumed run's
   * first step, the host copy it resumes from (so that it can be checkpointed at once); null at
   * row 0.
   */
  hidden(): RnnRetrainHidden | Float32Array | null;
}

function doneEvent(steps: number, best: RnnRetrainBest | null): RnnRetrainDoneEvent {
  const testLoss = best?.testLoss ?? NaN;
  return {
    type: 'done',
    steps,
    bestEpoch: best?.epoch ?? -1,
    bestValLoss: best?.valLoss ?? Infinity,
    testLoss,
    testPerplexity: perplexity(testLoss),
  };
}

/**
 * Runs a retrain, or resumes one from `options.resume`: the resumed run takes the steps and
 * emits the events the uninterrupted one would have after that position.
 */
export function runRnnRetrain(
  state: RnnRetrainState,
  data: RnnRetrainData,
  options: RnnRetrainLoopOptions = {},
): RnnRetrainRun {
  const cursor: Cursor = {
    position:
      options.resume?.position ??
      startRnnRetrainPosition(data.train.rows, data.valid.rows, data.test.rows),
    hidden: options.resume && options.resume.position.row > 0 ? options.resume.hidden : null,
  };
  const run = retrainEvents(state, data, options, cursor);
  return Object.assign(run, {
    position: (): RnnRetrainPosition => ({ ...cursor.position }),
    hidden: (): RnnRetrainHidden | Float32Array | null => cursor.hidden,
  });
}

interface Cursor {
  position: RnnRetrainPosition;
  hidden: RnnRetrainHidden | Float32Array | null;
}

/** Refuses a resume on other data or with a state that does not agree with its position. */
function checkResume(state: RnnRetrainState, data: RnnRetrainData, resume: RnnRetrainResume): void {
  const { nhid } = state.config;
  const p = resume.position;
  const rows = [data.train.rows, data.valid.rows, data.test.rows];
  if ([p.trainRows, p.validRows, p.testRows].join() !== rows.join()) {
    throw new Error(
      `cannot resume: the retrain was at ${p.trainRows} train, ${p.validRows} validation and ` +
        `${p.testRows} test rows, the data has ${rows.join(', ')} (another corpus or batch size)`,
    );
  }
  checkRnnRetrainProgress(p, state.valHistory, state.asgd, state.config.nonmono);
  if (p.row === 0) return;
  if (!resume.hidden) {
    throw new Error('cannot resume: the epoch has begun but no hidden state is given');
  }
  if (resume.hidden.length !== data.train.batch * nhid) {
    throw new Error(
      `cannot resume: the hidden state holds ${resume.hidden.length} values, ` +
        `the retrain needs ${data.train.batch}×${nhid}`,
    );
  }
}

async function* retrainEvents(
  state: RnnRetrainState,
  data: RnnRetrainData,
  options: RnnRetrainLoopOptions,
  cursor: Cursor,
): AsyncGenerator<RnnRetrainEvent, void, undefined> {
  const { config } = state;
  const from = cursor.position;
  checkRnnRetrainPosition(from, config.epochs);
  if (options.resume) checkResume(state, data, options.resume);
  const now = options.now ?? (() => performance.now());
  const started = now() - from.elapsedMs;
  let best = from.best;
  let step = from.step;
  let tokens = from.tokens;
  for (let epoch = from.epoch; epoch < config.epochs; epoch++) {
    const resumed = epoch === from.epoch && options.resume !== undefined;
    const saved = resumed ? options.resume?.hidden : null;
    let hidden =
      saved && from.row > 0
        ? tf.tensor2d(saved, [data.train.batch, state.config.nhid])
        : state.model.initHidden(data.train.batch);
    try {
      for (let i = resumed ? from.row : 0; i < data.train.rows - 2;) {
        if (options.signal?.aborted) return;
        if (options.maxSteps !== undefined && step >= options.maxSteps) {
          yield doneEvent(step, best);
          return;
        }
        const seqLen = drawSegmentLength(state.rng, config);
        const segment = tokenSegment(data.train, i, seqLen);
        const optimizer: RnnRetrainOptimizerName = state.asgd ? 'asgd' : 'sgd';
        const result = rnnRetrainStep(state, segment, hidden, seqLen);
        hidden.dispose();
        hidden = result.hidden;
        const loss = (await result.nll.data())[0] as number;
        tf.dispose([result.nll, result.loss]);
        disposeSegment(segment);
        if (!Number.isFinite(loss) && options.onNonFinite !== 'report') {
          throw new Error(
            `the recurrent retrain diverged at epoch ${epoch}, step ${step} (loss ${loss}); ` +
              'lower lr or clip',
          );
        }
        tokens += segment.length * data.train.batch;
        const elapsedMs = now() - started;
        cursor.position = {
          ...cursor.position,
          epoch,
          row: i + seqLen,
          step: step + 1,
          tokens,
          elapsedMs,
        };
        cursor.hidden = hidden;
        yield {
          type: 'step',
          epoch,
          step,
          seqLen,
          segmentLength: segment.length,
          lr: (config.lr * seqLen) / config.bptt,
          optimizer,
          trainLoss: loss,
          trainPerplexity: perplexity(loss),
          tokensPerSecond: elapsedMs > 0 ? (tokens * 1000) / elapsedMs : 0,
          elapsedMs,
        };
        step++;
        i += seqLen;
      }
    } finally {
      cursor.hidden = null;
      hidden.dispose();
    }
    const averaged = state.asgd !== null;
    const evaluation = {
      model: state.model,
      weights: evaluationWeights(state),
      alpha: null,
      buffers: {},
    };
    const valLoss = await meanTokenNll(evaluation, data.valid, config.bptt);
    const testLoss = await meanTokenNll(evaluation, data.test, config.bptt);
    if (valLoss < (best?.valLoss ?? Infinity)) best = { epoch, valLoss, testLoss };
    let switched = false;
    if (!averaged) {
      if (shouldSwitchToAsgd(state.valHistory, valLoss, config.nonmono)) {
        switchToAsgd(state);
        switched = true;
      }
      state.valHistory.push(valLoss);
    }
    cursor.position = {
      ...cursor.position,
      epoch: epoch + 1,
      row: 0,
      elapsedMs: now() - started,
      best,
    };
    yield {
      type: 'epoch',
      epoch,
      evaluated: averaged ? 'averaged' : 'weights',
      valLoss,
      valPerplexity: perplexity(valLoss),
      testLoss,
      testPerplexity: perplexity(testLoss),
      switchedToAsgd: switched,
      bestValLoss: best?.valLoss ?? Infinity,
      bestEpoch: best?.epoch ?? -1,
    };
  }
  yield doneEvent(step, best);
}
