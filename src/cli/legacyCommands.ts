/**
 * TRANSITIONAL, to delete once every kind is in the registry: the per-kind parsers and commands
 * of the kinds whose descriptors have not landed yet. main.ts asks `legacyCommand` first; a
 * selection a registered kind answers goes to the generic path (runArgs.ts, runCommand.ts).
 */
import { readFileSync } from 'node:fs';
import { runKindForCheckpoint, runKinds, selectRunKind } from '../nas/runKind/registry';
import type { RunCommand } from '../nas/runKind/runKind';
import { parseSearchArgs, SEARCH_USAGE } from './args';
import { CDARTS_USAGE, parseCdartsArgs } from './cdartsArgs';
import { runCdartsCommand } from './cdartsCommand';
import { readSelection } from './kindSelection';
import type { KindLine } from './kindUsage';
import { parseRetrainArgs, RETRAIN_USAGE } from './retrainArgs';
import { runRetrainCommand } from './retrainCommand';
import { runSearchCommand } from './searchCommand';
import { splitSearchSpace } from './searchSpace';

/** Parses the command's flags and runs it, or prints its usage for --help. */
async function legacy<T>(
  parsed: T | 'help',
  usage: string,
  command: (parsed: T) => Promise<unknown>,
): Promise<number> {
  if (parsed === 'help') {
    process.stdout.write(usage);
    return 0;
  }
  await command(parsed);
  return 0;
}

interface LegacyKind extends KindLine {
  /** Runs the command line (without --space). */
  readonly run: (argv: readonly string[]) => Promise<number>;
}

const LEGACY: readonly LegacyKind[] = [
  {
    command: 'search',
    select: { space: 'cnn', algorithm: 'darts' },
    title: 'DARTS search',
    summary: 'DARTS (first or second order) on images',
    run: (argv) => legacy(parseSearchArgs(argv), SEARCH_USAGE, (c) => runSearchCommand(c)),
  },
  {
    command: 'search',
    select: { space: 'cnn', algorithm: 'cdarts' },
    title: 'CDARTS search',
    summary: 'cyclic DARTS: a search and an evaluation network distilled into each other',
    run: (argv) => legacy(parseCdartsArgs(argv), CDARTS_USAGE, (c) => runCdartsCommand(c)),
  },
  {
    command: 'retrain',
    select: { space: 'cnn' },
    title: 'retrain',
    summary: "a genotype's network trained from scratch (DARTS's cnn/train.py)",
    run: (argv) => legacy(parseRetrainArgs(argv), RETRAIN_USAGE, (c) => runRetrainCommand(c)),
  },
];

const registered = (k: LegacyKind): boolean => {
  try {
    selectRunKind(k.command, k.select);
    return true;
  } catch {
    return false;
  }
};

/** The legacy kinds no registered kind replaces yet, for the usage texts. */
export function legacyKindLines(): readonly KindLine[] {
  return LEGACY.filter((k) => !registered(k));
}

/** The legacy command for this command line, or null when the generic path takes it. */
export function legacyCommand(
  command: RunCommand,
  argv: readonly string[],
): (() => Promise<number>) | null {
  const { select, resume } = readSelection(argv);
  if (resume !== undefined) {
    try {
      runKindForCheckpoint(new Uint8Array(readFileSync(resume)));
      return null;
    } catch {
      // Not a registered kind's checkpoint: the selection decides below.
    }
  }
  const space = select.space ?? 'cnn';
  const inSpace = LEGACY.filter((k) => k.command === command && k.select.space === space);
  const kind = inSpace.some((k) => k.select.algorithm !== undefined)
    ? inSpace.find((k) => k.select.algorithm === (select.algorithm ?? inSpace[0]?.select.algorithm))
    : inSpace[0];
  if (kind === undefined && inSpace.length > 0) {
    try {
      selectRunKind(command, select);
    } catch {
      const algorithms = [...inSpace, ...runKinds().map((e) => e.info)]
        .filter((k) => k.command === command && k.select.space === space)
        .map((k) => k.select.algorithm);
      throw new Error(
        `--algorithm must be one of ${[...new Set(algorithms)].join(', ')}, got "${select.algorithm}"`,
      );
    }
  }
  if (kind === undefined || registered(kind)) return null;
  return () => kind.run(splitSearchSpace(argv).rest);
}
