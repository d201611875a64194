/**
 * `nas-lab search --space cnn|rnn`: which search space a command line asks for, read before its
 * other flags and taken out of them, so that each space's parser sees only its own flags.
 */
import { parseArgs } from 'node:util';
import { oneOf } from './flagValues';

export const SEARCH_SPACES = ['cnn', 'rnn'] as const;
export type SearchSpace = (typeof SEARCH_SPACES)[number];

export interface SpaceArgs {
  readonly space: SearchSpace;
  /** The command line without `--space` and its value. */
  readonly rest: readonly string[];
}

/** The search space a `nas-lab search` command line names (default cnn) and the other flags. */
export function splitSearchSpace(argv: readonly string[]): SpaceArgs {
  const { tokens } = parseArgs({
    args: [...argv],
    options: { space: { type: 'string' } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const given = tokens.flatMap((t) => (t.kind === 'option' && t.name === 'space' ? [t] : []));
  if (given.length > 1) throw new Error('--space is given more than once');
  const [flag] = given;
  if (flag === undefined) return { space: 'cnn', rest: argv };
  if (flag.value === undefined || flag.value === '') {
    throw new Error(`--space expects one of ${SEARCH_SPACES.join(', ')}`);
  }
  const space = oneOf('space', flag.value, SEARCH_SPACES, 'cnn');
  // `--space rnn` takes two tokens, `--space=rnn` one.
  const width = flag.inlineValue ? 1 : 2;
  return { space, rest: [...argv.slice(0, flag.index), ...argv.slice(flag.index + width)] };
}
