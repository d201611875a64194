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
import type { TextRunOf, TextStepEvent, TextWalk, TextWalkOptions } from '../model/rnnTextWalk';
import { textLoop } from '../model/rnnTextWalk';
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
import type { TokenColumnSet, TokenTexts } from '../model/rnnTokenData';
import { batchifyTexts, disposeSegment, tokenSegment } from '../model/rnnTokenData';

export type RnnRetrainCorpusIds = TokenTexts<'train' | 'valid' | 'test'>;

/** The texts on the device: train in `batchSize`, valid `evalBatchSize`, test `testBatchSize` columns. */
export type RnnRetrainData = TokenColumnSet<'train' | 'valid' | 'test'>;

export function prepareRnnRetrainData(
  state: RnnRetrainState,
  corpus: RnnRetrainCorpusIds,
): RnnRetrainData {
  const { batchSize, evalBatchSize, testBatchSize } = state.config;
  return batchifyTexts(corpus, state.ntoken, {
    train: ['train', batchSize, 3],
    valid: ['valid', evalBatchSize],
    test: ['test', testBatchSize],
  });
}

export function disposeRnnRetrainData(data: RnnRetrainData): void {
  tf.dispose([data.train.data, data.valid.data, data.test.data]);
}

export type RnnRetrainOptimizerName = 'sgd' | 'asgd';

/** A step: its train loss is the segment's NLL per token without AR/TAR. */
export interface RnnRetrainStepEvent extends TextStepEvent {
  /** The drawn length (the learning rate scales with it). */
  readonly seqLen: number;
  /** lr · seqLen / bptt. */
  readonly lr: number;
  readonly optimizer: RnnRetrainOptimizerName;
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

/** A retrain's options; a resume continues from a checkpoint's position (rnnRetrainPosition.ts). */
export type RnnRetrainLoopOptions = TextWalkOptions<RnnRetrainResume>;

/**
 * A run of the retrain (rnnTextWalk.ts): a host may checkpoint it between events
 * (rnnRetrainCheckpoint.ts); `hidden()` gives the carried hidden state, or, before a resumed
 * run's first step, the host copy it resumes from.
 */
export type RnnRetrainRun = TextRunOf<RnnRetrainResume, RnnRetrainHidden, RnnRetrainEvent>;

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

type RetrainWalk = TextWalk<RnnRetrainPosition, RnnRetrainHidden, RnnRetrainEvent>;

/**
 * Runs a retrain, or resumes one from `options.resume`: the resumed run takes the steps and
 * emits the events the uninterrupted one would have after that position.
 */
export const runRnnRetrain = textLoop(
  (data: RnnRetrainData) =>
    startRnnRetrainPosition(data.train.rows, data.valid.rows, data.test.rows),
  (state: RnnRetrainState, data: RnnRetrainData, options: RnnRetrainLoopOptions): RetrainWalk => {
    const { config } = state;
    return {
      epochs: config.epochs,
      trainRows: data.train.rows,
      begin(from) {
        checkRnnRetrainPosition(from, config.epochs);
        if (options.resume) checkResume(state, data, options.resume);
      },
      startHidden(resumed) {
        const saved = resumed ? options.resume?.hidden : null;
        return saved && (options.resume?.position.row ?? 0) > 0
          ? tf.tensor2d(saved, [data.train.batch, config.nhid])
          : state.model.initHidden(data.train.batch);
      },
      async step(epoch, step, i, hidden) {
        const seqLen = drawSegmentLength(state.rng, config);
        const segment = tokenSegment(data.train, i, seqLen);
        const optimizer: RnnRetrainOptimizerName = state.asgd ? 'asgd' : 'sgd';
        const result = rnnRetrainStep(state, segment, hidden, seqLen);
        hidden.dispose();
        const loss = (await result.nll.data())[0] as number;
        tf.dispose([result.nll, result.loss]);
        disposeSegment(segment);
        return {
          hidden: result.hidden,
          advance: seqLen,
          tokens: segment.length * data.train.batch,
          divergence: Number.isFinite(loss)
            ? null
            : `the recurrent retrain diverged at epoch ${epoch}, step ${step} (loss ${loss}); ` +
              'lower lr or clip',
          event: (elapsedMs, tokensPerSecond) => ({
            type: 'step',
            epoch,
            step,
            seqLen,
            segmentLength: segment.length,
            lr: (config.lr * seqLen) / config.bptt,
            optimizer,
            trainLoss: loss,
            trainPerplexity: perplexity(loss),
            tokensPerSecond,
            elapsedMs,
          }),
        };
      },
      disposeHidden: (hidden) => hidden.dispose(),
      evaluate: (epoch, position) => evaluateEpoch(state, data, epoch, position),
      done: async (steps, position) => doneEvent(steps, position.best),
    };
  },
);

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

/**
 * The epoch's evaluation on the validation and test texts (with the averaged weights once ASGD
 * runs), the best epoch so far, and an SGD epoch's validation loss fed to the switch rule.
 */
async function evaluateEpoch(
  state: RnnRetrainState,
  data: RnnRetrainData,
  epoch: number,
  position: RnnRetrainPosition,
): Promise<{ event: RnnRetrainEpochEvent; position: RnnRetrainPosition }> {
  const { config } = state;
  let { best } = position;
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
  const event: RnnRetrainEpochEvent = {
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
  return { event, position: { ...position, best } };
}
