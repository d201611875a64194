/**
 * What a `nas-lab search|retrain` command line says before its kind is known: `--space`,
 * `--algorithm`, `--resume` and `--help`, read leniently (the kind's own flags are not known yet),
 * so that the registry can pick the kind whose flags the strict parse then takes.
 */
import { parseArgs } from 'node:util';
import type { RunSelector } from '../nas/runKind/runKind';

export const SPACES = ['cnn', 'rnn'] as const;

/** Other spellings of the spaces. */
const SPACE_ALIASES: Readonly<Record<string, RunSelector['space']>> = {
  cnn: 'cnn',
  convolutional: 'cnn',
  rnn: 'rnn',
  recurrent: 'rnn',
};

export interface Selection {
  readonly select: Partial<RunSelector>;
  /** The checkpoint `--resume` names. */
  readonly resume: string | undefined;
  readonly help: boolean;
  /** Every flag given, in order, once each. */
  readonly flags: readonly string[];
}

/** The value of a string flag given at most once, or undefined; errors name the flag. */
function single(
  tokens: readonly { kind: string; name?: string; value?: string }[],
  name: string,
): string | undefined {
  const given = tokens.filter((t) => t.kind === 'option' && t.name === name);
  if (given.length > 1) throw new Error(`--${name} is given more than once`);
  const [flag] = given;
  if (flag === undefined) return undefined;
  if (flag.value === undefined || flag.value === '') {
    throw new Error(`--${name} expects a value`);
  }
  return flag.value;
}

/** The selector flags, the checkpoint and --help of a command line. */
export function readSelection(argv: readonly string[]): Selection {
  const { tokens } = parseArgs({
    args: [...argv],
    options: {
      space: { type: 'string' },
      algorithm: { type: 'string' },
      resume: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const spaceText = single(tokens, 'space');
  const space = spaceText === undefined ? undefined : SPACE_ALIASES[spaceText];
  if (spaceText !== undefined && space === undefined) {
    throw new Error(`--space must be one of ${SPACES.join(', ')}, got "${spaceText}"`);
  }
  const algorithm = single(tokens, 'algorithm');
  return {
    select: {
      ...(space === undefined ? {} : { space }),
      ...(algorithm === undefined ? {} : { algorithm }),
    },
    resume: single(tokens, 'resume'),
    help: tokens.some((t) => t.kind === 'option' && t.name === 'help'),
    flags: [...new Set(tokens.flatMap((t) => (t.kind === 'option' ? [t.name] : [])))],
  };
}

/** The flags that select a kind: `--space rnn --algorithm cdarts`. */
export function selectorFlags(select: RunSelector): string {
  const algorithm = select.algorithm === undefined ? '' : ` --algorithm ${select.algorithm}`;
  return `--space ${select.space}${algorithm}`;
}
