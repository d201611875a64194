/**
 * The metrics kinds report in pairs, written once: a loss and its accuracy (the image kinds'
 * training, validation, test and evaluation network) or its perplexity (the recurrent kinds'
 * train, validation and test text), labelled alike. No tfjs here: the descriptors use them.
 */
import type { MetricSpec } from './runKind';

/** `{prefix}Loss` ("{label} loss") and `{prefix}{Second}` ("{label} {second}"). */
function pair(
  prefix: string,
  label: string,
  watch: boolean,
  second: 'accuracy' | 'perplexity',
): [MetricSpec, MetricSpec] {
  const Second = second.charAt(0).toUpperCase() + second.slice(1);
  return [
    { key: `${prefix}Loss`, label: `${label} loss`, kind: 'loss', ...(watch ? { watch } : {}) },
    { key: `${prefix}${Second}`, label: `${label} ${second}`, kind: second },
  ];
}

/** A loss and its accuracy; `watch`: a non-finite loss is divergence. */
export function lossAndAccuracy(prefix: string, label: string, watch: boolean): MetricSpec[] {
  return pair(prefix, label, watch, 'accuracy');
}

/**
 * A search network's figures on both halves: the weights' (training) and the alphas'
 * (validation) loss and accuracy, both watched; `labelPrefix` names the network ("search
 * network ", CDARTS's).
 */
export function trainAndValidation(labelPrefix = ''): MetricSpec[] {
  return [
    ...lossAndAccuracy('train', `${labelPrefix}training`, true),
    ...lossAndAccuracy('val', `${labelPrefix}validation`, true),
  ];
}

/** A loss and its perplexity; `watch`: a non-finite loss is divergence. */
export function lossAndPerplexity(prefix: string, label: string, watch: boolean): MetricSpec[] {
  return pair(prefix, label, watch, 'perplexity');
}

/** The recurrent kinds' figures of a train segment: its loss (watched) and its perplexity. */
export const TRAIN_TEXT_METRICS: readonly MetricSpec[] = lossAndPerplexity('train', 'train', true);
