/**
 * What a search's log.jsonl says about whether it learns, minute by minute: how far the
 * architecture weights have moved off uniform (the mean over edges of the softmax's entropy
 * divided by log(ops): 1 = uniform; and the mean share of each edge's strongest op), and the
 * latest epoch-end validation figure (accuracy or perplexity). Pure: the first-minutes
 * benchmark (firstMinutes.ts) reads a run's log through it, and its test feeds it lines.
 */
import type { SoftmaxRows } from '../src/nas/runKind/alphaSpread';
import { alphaSpread } from '../src/nas/runKind/alphaSpread';

/** One moment of a run, as the log shows it at `seconds`. */
export interface LearningSnapshot {
  readonly seconds: number;
  readonly step: number;
  readonly epoch: number;
  /** Mean normalised entropy of the edges' alpha softmax (1: uniform). */
  readonly alphaEntropy: number;
  /** Mean share of each edge's strongest op. */
  readonly strongestOp: number;
  /** The last finished epoch's validation figure, or null before the first. */
  readonly validation: number | null;
}

interface LogLine {
  readonly type?: string;
  readonly step?: number;
  readonly epoch?: number;
  readonly elapsedMs?: number;
  readonly metrics?: Readonly<Record<string, number>>;
  readonly alphas?: readonly SoftmaxRows[];
}

/**
 * The run at each of `marks` (seconds since its first step began): the last step logged by
 * then, with the validation of the last epoch finished by then. `validationKey`: the epoch
 * metric to report (`valAccuracy`, `valPerplexity`). Marks the run did not reach are left out.
 */
export function learningCurve(
  lines: readonly string[],
  marks: readonly number[],
  validationKey: string,
): LearningSnapshot[] {
  const steps: { seconds: number; step: number; epoch: number; alphas: SoftmaxRows[] }[] = [];
  const epochs: { step: number; value: number }[] = [];
  for (const text of lines) {
    if (text.trim() === '') continue;
    const line = JSON.parse(text) as LogLine;
    if (line.type === 'step' && line.alphas && line.elapsedMs !== undefined) {
      steps.push({
        seconds: line.elapsedMs / 1000,
        step: line.step ?? 0,
        epoch: line.epoch ?? 0,
        alphas: [...line.alphas],
      });
    } else if (line.type === 'epoch' && line.metrics?.[validationKey] !== undefined) {
      epochs.push({ step: line.step ?? 0, value: line.metrics[validationKey] });
    }
  }
  const out: LearningSnapshot[] = [];
  for (const mark of marks) {
    const last = steps.filter((s) => s.seconds <= mark).at(-1);
    if (!last || (steps.at(-1)?.seconds ?? 0) < mark * 0.98) continue;
    const spread = alphaSpread(last.alphas);
    out.push({
      seconds: mark,
      step: last.step,
      epoch: last.epoch,
      alphaEntropy: spread.entropy,
      strongestOp: spread.strongest,
      validation: epochs.filter((e) => e.step <= last.step).at(-1)?.value ?? null,
    });
  }
  return out;
}
