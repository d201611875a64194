/**
 * `nas-lab search --algorithm darts|cdarts`: which search a command line asks for, read before
 * its other flags, and the flags that belong to one algorithm only, refused by name under the
 * other.
 */
import { parseArgs } from 'node:util';
import { oneOf } from './flagValues';

export const SEARCH_ALGORITHMS = ['darts', 'cdarts'] as const;
export type SearchAlgorithm = (typeof SEARCH_ALGORITHMS)[number];

/** Flags of the DARTS search that a CDARTS search has no use for. */
export const DARTS_ONLY_FLAGS = ['order', 'layers', 'weight-lr-min'] as const;

/** Flags of the CDARTS search that the DARTS search has no use for. */
export const CDARTS_ONLY_FLAGS = [
  'search-layers',
  'eval-layers',
  'warmup-epochs',
  'eval-warmup-epochs',
  'steps-per-epoch',
  'nasnet-lr',
  'loss-alpha',
  'loss-t',
  'interactive-type',
  'regular-coeff',
  'regular-ratio',
  'regularized-ops',
  'fix-head',
  'no-fix-head',
  'share-module',
  'no-share-module',
] as const;

/** The option names a command line gives, whether or not a command knows them. */
function givenFlags(argv: readonly string[]): {
  names: Set<string>;
  algorithm: string | boolean | undefined;
} {
  const { values, tokens } = parseArgs({
    args: [...argv],
    options: { algorithm: { type: 'string' } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const names = new Set(tokens.flatMap((t) => (t.kind === 'option' ? [t.name] : [])));
  return { names, algorithm: values.algorithm };
}

/** The search algorithm a `nas-lab search` command line names (default darts). */
export function searchAlgorithm(argv: readonly string[]): SearchAlgorithm {
  const { algorithm } = givenFlags(argv);
  if (algorithm === true || algorithm === '') {
    throw new Error(`--algorithm expects one of ${SEARCH_ALGORITHMS.join(', ')}`);
  }
  return oneOf('algorithm', algorithm || undefined, SEARCH_ALGORITHMS, 'darts');
}

/** Throws naming the first flag of `foreign` the command line gives; `why` says what it is. */
export function refuseFlags<Flag extends string>(
  argv: readonly string[],
  foreign: readonly Flag[],
  why: (flag: Flag) => string,
): void {
  const { names } = givenFlags(argv);
  const given = foreign.filter((f) => names.has(f));
  if (given.length > 0) {
    throw new Error(given.map((f) => `--${f} ${why(f)}`).join('; '));
  }
}
