/**
 * A CDARTS loop's events as the run kind's reports: each step's figures by phase (only those the
 * phase has: a warm-up step trains one network), the alphas and genotypes as last seen, the
 * phase and the distillation as details, and a note when a cycle begins. No tfjs here.
 */
import type { Genotype } from '../genotype/genotype';
import { genotypeToJson } from '../genotype/genotype';
import type { NoteReport, StepReport } from '../runKind/runKind';
import { cellAlphaGroups, genotypeFile } from '../runKind/runReports';
import type { CdartsEpochEvent, CdartsStepEvent, CycleEvent } from './cdartsLoop';
import type { AlphaProbabilities } from './cdartsState';

/** What the reports carry between events: the alphas and both genotypes as last seen. */
export interface CdartsTracked {
  softmax: AlphaProbabilities;
  genotype: Genotype;
  /** The genotype the evaluation network follows; null before the first cycle. */
  evalGenotype: Genotype | null;
}

/** The step's figures: the search network's, the evaluation network's, the distillation's. */
function stepMetrics(event: CdartsStepEvent): Record<string, number> {
  switch (event.phase) {
    case 'searchWarmup':
      return { trainLoss: event.trainLoss, trainAccuracy: event.trainAccuracy };
    case 'evalWarmup':
      return { evalLoss: event.evalLoss, evalAccuracy: event.evalAccuracy };
    case 'joint':
      return {
        trainLoss: event.search.trainLoss,
        trainAccuracy: event.search.trainAccuracy,
        valLoss: event.search.valLoss,
        valAccuracy: event.search.valAccuracy,
        evalLoss: event.eval.valLoss,
        evalAccuracy: event.eval.valAccuracy,
        distillationLoss: event.distillationLoss,
        penalty: event.penalty,
        alphaObjective: event.alphaObjective,
      };
  }
}

/** A step report; a joint step moves the alphas and the genotype (`tracked` follows). */
export function cdartsStepReport(
  event: CdartsStepEvent,
  tracked: CdartsTracked,
  totalSteps: number,
  ops: readonly string[],
): StepReport {
  const joint = event.phase === 'joint' ? event : null;
  if (joint) {
    tracked.softmax = joint.alphaSoftmax;
    tracked.genotype = joint.genotype;
  }
  return {
    type: 'step',
    step: event.step,
    epoch: event.epoch,
    totalSteps,
    elapsedMs: event.elapsedMs,
    throughput: event.imagesPerSecond,
    metrics: stepMetrics(event),
    alphas: cellAlphaGroups(tracked.softmax, ops),
    ...(joint ? { alphaMaxAbs: joint.alphaMaxAbs } : {}),
    genotype: genotypeToJson(tracked.genotype),
    detail: {
      phase: event.phase,
      stepInPhase: event.stepInPhase,
      stepsInPhase: event.stepsInPhase,
      ...(joint ? { regDecay: joint.regDecay } : {}),
      evalGenotype: tracked.evalGenotype && genotypeToJson(tracked.evalGenotype),
    },
    ...(joint ? { files: [genotypeFile(joint.genotype)] } : {}),
  };
}

/** A cycle begins: the evaluation network follows the search network's genotype. */
export function cycleNote(event: CycleEvent): NoteReport {
  const what = event.changed
    ? `a new genotype (weight tensors: ${event.kept} kept, ${event.restored} restored, ${event.created} new)`
    : 'an unchanged genotype';
  return {
    type: 'note',
    text: `cycle at epoch ${event.epoch + 1}: the evaluation network follows ${what}`,
    detail: {
      cycle: {
        epoch: event.epoch,
        changed: event.changed,
        kept: event.kept,
        restored: event.restored,
        created: event.created,
        cutNum: event.cutNum,
      },
      genotype: genotypeToJson(event.genotype),
    },
  };
}

/** An epoch's figures over the alpha half: the search network's, and the evaluation network's. */
export function epochMetrics(event: CdartsEpochEvent): Record<string, number> {
  return {
    valLoss: event.search.valLoss,
    valAccuracy: event.search.valAccuracy,
    ...(event.eval ? { evalLoss: event.eval.valLoss, evalAccuracy: event.eval.valAccuracy } : {}),
  };
}
