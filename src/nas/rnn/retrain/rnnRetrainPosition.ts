/**
 * Where a recurrent retrain loop stands between two of its events: what, beyond the
 * RnnRetrainState, a recurrent retrain checkpoint must hold for the resumed loop to take the
 * same steps and report the same numbers as an uninterrupted one. The loop's own variables live
 * here (epoch, train row, step, tokens, elapsed time, the best epoch so far); the carried hidden
 * state travels beside the position (it is a tensor). What train.py keeps outside its loop, the
 * switch rule's history of validation losses (`best_val_loss`) and the averaged SGD, is in the
 * state, and `checkRnnRetrainProgress` checks that it agrees with the position.
 */
import type * as tf from '../../tensor/tf';
import type { RnnTextPosition } from '../model/rnnTextPosition';
import { checkCount, checkRnnTextPosition } from '../model/rnnTextPosition';
import type { AsgdState } from './rnnAsgd';
import { shouldSwitchToAsgd } from './rnnRetrainState';

/** The epoch of lowest validation loss so far (train.py saves that model), with its test loss. */
export interface RnnRetrainBest {
  readonly epoch: number;
  readonly valLoss: number;
  readonly testLoss: number;
}

export interface RnnRetrainPosition extends RnnTextPosition {
  /** Rows of the batchified texts, to check that a resume has the same data and batches. */
  readonly trainRows: number;
  readonly validRows: number;
  readonly testRows: number;
  /** The best epoch so far; null before the first evaluation. */
  readonly best: RnnRetrainBest | null;
}

export interface RnnRetrainResume {
  readonly position: RnnRetrainPosition;
  /** A host copy of the carried hidden state, row-major [batch, nhid]; null when `row` is 0. */
  readonly hidden: Float32Array | null;
}

/** The carried hidden state the next step starts from ([batch, nhid]). */
export type RnnRetrainHidden = tf.Tensor2D;

export function startRnnRetrainPosition(
  trainRows: number,
  validRows: number,
  testRows: number,
): RnnRetrainPosition {
  return {
    epoch: 0,
    row: 0,
    step: 0,
    tokens: 0,
    trainRows,
    validRows,
    testRows,
    elapsedMs: 0,
    best: null,
  };
}

/** Checks a position a retrain of `epochs` epochs can be in; throws naming the first fault. */
export function checkRnnRetrainPosition(p: RnnRetrainPosition, epochs: number): void {
  checkRnnTextPosition(p, epochs, [
    ['train', p.trainRows, 3],
    ['validation', p.validRows, 1],
    ['test', p.testRows, 1],
  ]);
  if (p.best === null) {
    if (p.epoch > 0) throw new Error(`position: ${p.epoch} epochs are evaluated but none is best`);
    return;
  }
  if (p.epoch === 0) throw new Error('position: no epoch is evaluated, yet one is best');
  checkCount(p.best.epoch, 'position: best epoch', 0, p.epoch - 1);
  for (const [what, v] of [
    ['validation', p.best.valLoss],
    ['test', p.best.testLoss],
  ] as const) {
    if (!Number.isFinite(v)) {
      throw new Error(`position: the best epoch's ${what} loss must be a finite number, got ${v}`);
    }
  }
}

/** The averaged SGD's host numbers (its averaged weights are tensors). */
export type AsgdCounters = Pick<AsgdState, 'step' | 'eta' | 'mu'>;

/**
 * Checks that the switch rule's history and the averaged SGD agree with the position and the
 * rule: every finished SGD epoch's validation loss is in the history (the switching one too, as
 * train.py appends it), no earlier epoch met the rule, the switching one did, and ASGD's counters
 * are those of some number of its steps. Throws naming the first fault.
 */
export function checkRnnRetrainProgress(
  p: RnnRetrainPosition,
  valHistory: readonly number[],
  asgd: AsgdCounters | null,
  nonmono: number,
): void {
  valHistory.forEach((v, i) => {
    if (!Number.isFinite(v)) {
      throw new Error(`validation history: entry ${i} must be a finite number, got ${v}`);
    }
  });
  const sgdEpochs = valHistory.length;
  if (asgd === null ? sgdEpochs !== p.epoch : !(sgdEpochs >= 1 && sgdEpochs <= p.epoch)) {
    throw new Error(
      `validation history: ${sgdEpochs} SGD epochs for ${p.epoch} finished epochs ` +
        (asgd === null ? 'without the switch to ASGD' : 'and a switch to ASGD'),
    );
  }
  const switchAt = asgd === null ? sgdEpochs : sgdEpochs - 1;
  for (let k = 0; k < sgdEpochs; k++) {
    const met = shouldSwitchToAsgd(valHistory.slice(0, k), valHistory[k] as number, nonmono);
    if (met !== (k === switchAt)) {
      throw new Error(
        met
          ? `validation history: epoch ${k} met the switch rule, yet the retrain did not switch there`
          : `validation history: epoch ${k} switched to ASGD without meeting the rule`,
      );
    }
  }
  if (p.best !== null && valHistory.some((v) => v < (p.best as RnnRetrainBest).valLoss)) {
    throw new Error('position: the best validation loss is above one in the validation history');
  }
  if (asgd === null) return;
  checkCount(asgd.step, 'asgd: step', 0, p.step);
  if (asgd.step === 0 ? asgd.eta !== null : !(Number.isFinite(asgd.eta) && (asgd.eta ?? 0) > 0)) {
    throw new Error(
      `asgd: eta must be ${asgd.step === 0 ? 'null before the first step' : 'a positive number'}, got ${asgd.eta}`,
    );
  }
  if (!(Number.isFinite(asgd.mu) && asgd.mu > 0 && asgd.mu <= 1)) {
    throw new Error(`asgd: mu must be in (0, 1], got ${asgd.mu}`);
  }
}
