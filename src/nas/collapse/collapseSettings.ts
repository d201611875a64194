/**
 * The DARTS search's collapse settings, written once for its schema: the Hessian monitor's
 * period, the early-stopping rule, what a firing rule does, and from which epoch the rules look.
 * Off by default: a checkpoint written before they existed resumes with these defaults (the
 * `fill`). No tfjs here: the kind's descriptor uses it.
 */
import type { MetricSpec } from '../runKind/runKind';
import type { Settings } from '../runKind/settingsSchema';

export const COLLAPSE_FIELDS = [
  {
    key: 'hessianEvery',
    label: 'Hessian eigenvalue every',
    type: 'int',
    min: 0,
    default: 0 as number,
    group: 'method',
    help:
      'steps between measurements of the dominant eigenvalue of the validation loss Hessian ' +
      'w.r.t. the alphas (power iteration; about 2 to 40 gradient passes each); 0: off',
    reference: 'R-DARTS train_search.py --compute_hessian --report_freq_hessian',
    advanced: true,
  },
  {
    key: 'earlyStop',
    label: 'Early stopping',
    type: 'choice',
    choices: ['off', 'rdarts', 'skips'],
    default: 'off' as string,
    group: 'method',
    help:
      "rdarts: R-DARTS's rule on the eigenvalue's local averages (needs hessianEvery); " +
      "skips: DARTS+'s rule, two skip connections in the normal cell",
    reference: 'R-DARTS train_search.py --early_stop; DARTS+ (arXiv:1909.06035) section 3.3',
    advanced: true,
  },
  {
    key: 'earlyStopAction',
    label: 'When a rule fires',
    type: 'choice',
    choices: ['pause', 'stop'],
    default: 'pause' as string,
    group: 'method',
    help: 'pause the run (it may go on), or stop it with the genotype the rule offers',
    advanced: true,
  },
  {
    key: 'earlyStopStart',
    label: 'Early stopping from epoch',
    type: 'int',
    min: 0,
    default: 10 as number,
    group: 'method',
    help: 'the rules look at positions from this epoch on (R-DARTS: the earlier local average)',
    reference: 'R-DARTS train_search.py --es_start_epoch',
    advanced: true,
  },
] as const;

/** The settings of a checkpoint written before them: the monitor and the rules off. */
export const COLLAPSE_FILL = {
  hessianEvery: 0,
  earlyStop: 'off',
  earlyStopAction: 'pause',
  earlyStopStart: 10,
} as const;

/** What is wrong across the collapse settings (each problem naming its keys). */
export function collapseProblems(s: Settings): string[] {
  return s.earlyStop === 'rdarts' && s.hessianEvery === 0
    ? ['earlyStop rdarts needs the eigenvalue: set hessianEvery above 0']
    : [];
}

/**
 * The monitor's figures: the normal cell's skips at every step; the eigenvalue and its time as
 * a share of the step's where measured.
 */
export const COLLAPSE_METRICS: readonly MetricSpec[] = [
  { key: 'hessianEigenvalue', label: 'dominant Hessian eigenvalue (alphas)', kind: 'other' },
  { key: 'normalSkips', label: 'skip connections in the normal cell', kind: 'other' },
  { key: 'hessianCost', label: 'Hessian time / step time', kind: 'other' },
];
