/**
 * Where a CDARTS search stands between two events, and the phase machine it moves through: each
 * epoch is a search warm-up epoch (`searchWarmup`, then `evaluate`) before `warmupEpochs`, a
 * cycle (`follow`, `evalWarmup`, `joint`, `evaluate`) after; how many steps each phase takes;
 * and the checks a position to resume from must pass.
 */
import type { CdartsConfig } from './cdartsConfig';
import type { SamplerState } from './cyclicSampler';
import { copySampler, FRESH_SAMPLER } from './cyclicSampler';

export const CDARTS_PHASES = ['searchWarmup', 'follow', 'evalWarmup', 'joint', 'evaluate'] as const;

export type CdartsPhase = (typeof CDARTS_PHASES)[number];

/** Where the loop stands between two events: what it does next and how far it is in it. */
export interface CdartsPosition {
  /** The epoch under way; the configured epoch count once the search is over. */
  readonly epoch: number;
  readonly phase: CdartsPhase;
  /** Steps of `phase` already taken in this epoch. */
  readonly stepInPhase: number;
  /** Steps of any kind taken since the search began. */
  readonly step: number;
  readonly train: SamplerState;
  readonly val: SamplerState;
  readonly elapsedMs: number;
}

export function startCdartsPosition(config: CdartsConfig): CdartsPosition {
  return {
    epoch: 0,
    phase: config.warmupEpochs > 0 ? 'searchWarmup' : 'follow',
    stepInPhase: 0,
    step: 0,
    train: FRESH_SAMPLER,
    val: FRESH_SAMPLER,
    elapsedMs: 0,
  };
}

export function copyPosition(p: CdartsPosition): CdartsPosition {
  return { ...p, train: copySampler(p.train), val: copySampler(p.val) };
}

/** Steps the phase takes in one epoch. */
export function phaseLength(config: CdartsConfig, phase: CdartsPhase, perEpoch: number): number {
  switch (phase) {
    case 'searchWarmup':
    case 'joint':
      return perEpoch;
    case 'evalWarmup':
      return config.evalWarmupEpochs * perEpoch;
    case 'follow':
    case 'evaluate':
      return 1;
  }
}

export function nextPhase(
  config: CdartsConfig,
  p: CdartsPosition,
): Pick<CdartsPosition, 'epoch' | 'phase'> {
  switch (p.phase) {
    case 'searchWarmup':
    case 'joint':
      return { epoch: p.epoch, phase: 'evaluate' };
    case 'follow':
      return { epoch: p.epoch, phase: 'evalWarmup' };
    case 'evalWarmup':
      return { epoch: p.epoch, phase: 'joint' };
    case 'evaluate': {
      const epoch = p.epoch + 1;
      return { epoch, phase: epoch < config.warmupEpochs ? 'searchWarmup' : 'follow' };
    }
  }
}

export function checkCdartsResume(config: CdartsConfig, p: CdartsPosition, perEpoch: number): void {
  if (!Number.isInteger(p.epoch) || p.epoch < 0 || p.epoch > config.epochs) {
    throw new Error(
      `position: epoch must be an integer from 0 to ${config.epochs}, got ${p.epoch}`,
    );
  }
  const warm = p.epoch < config.warmupEpochs;
  const allowed: readonly CdartsPhase[] = warm
    ? ['searchWarmup', 'evaluate']
    : ['follow', 'evalWarmup', 'joint', 'evaluate'];
  if (p.epoch < config.epochs && !allowed.includes(p.phase)) {
    throw new Error(`position: epoch ${p.epoch} has no phase "${p.phase}"`);
  }
  const length = phaseLength(config, p.phase, perEpoch);
  if (!Number.isInteger(p.stepInPhase) || p.stepInPhase < 0 || p.stepInPhase >= length) {
    throw new Error(
      `position: ${p.stepInPhase} steps taken in phase "${p.phase}", which has ${length}`,
    );
  }
}
