/**
 * Entry of the `nas-lab` command line. Returns the process exit code. `search` and `retrain`
 * run any registered kind through one parser and one runner; `evaluate`, `export` and `import`
 * have their own.
 */
import { runKinds } from '../nas/runKind/registry';
import type { RunCommand } from '../nas/runKind/runKind';
import { EVALUATE_USAGE, parseEvaluateArgs } from './evaluateArgs';
import {
  EXPORT_COMMAND_LINES,
  EXPORT_USAGE,
  IMPORT_USAGE,
  parseExportArgs,
  parseImportArgs,
} from './exportArgs';
import { runExportCommand, runImportCommand } from './exportCommand';
import { experimentMain } from './experimentCommand';
import { EXPERIMENT_COMMAND_LINE } from './experimentUsage';
import { runEvaluateCommand } from './evaluateCommand';
import type { KindLine } from './kindUsage';
import { topUsage } from './kindUsage';
import { parseRunArgs } from './runArgs';
import type { CliIo } from './runCommand';
import { PROCESS_IO, runCommand } from './runCommand';

/** Every kind the usage texts list. */
function kindLines(): readonly KindLine[] {
  return runKinds().map((e) => e.info);
}

/** `nas-lab search|retrain`: the kind's flags parsed, then its run, or its usage for --help. */
async function runKindCommand(
  command: RunCommand,
  argv: readonly string[],
  io: CliIo,
): Promise<number> {
  const parsed = parseRunArgs(command, argv, kindLines());
  if ('help' in parsed) {
    io.out(parsed.help);
    return 0;
  }
  await runCommand(parsed, io);
  return 0;
}

export async function main(argv: readonly string[], io: CliIo = PROCESS_IO): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'search':
      case 'retrain':
        return await runKindCommand(command, rest, io);
      case 'experiment':
        return await experimentMain(rest, io);
      case 'evaluate': {
        const parsed = parseEvaluateArgs(rest);
        if (parsed === 'help') io.out(EVALUATE_USAGE);
        else await runEvaluateCommand(parsed);
        return 0;
      }
      case 'export': {
        const parsed = parseExportArgs(rest);
        if (parsed === 'help') io.out(EXPORT_USAGE);
        else runExportCommand(parsed, io);
        return 0;
      }
      case 'import': {
        const parsed = parseImportArgs(rest);
        if (parsed === 'help') io.out(IMPORT_USAGE);
        else runImportCommand(parsed, io);
        return 0;
      }
      case undefined:
      case '--help':
      case 'help':
        io.out(topUsage(kindLines()) + EXPERIMENT_COMMAND_LINE + EXPORT_COMMAND_LINES);
        return command === undefined ? 1 : 0;
      default:
        io.err(
          `nas-lab: unknown command "${command}"\n${topUsage(kindLines())}${EXPERIMENT_COMMAND_LINE}${EXPORT_COMMAND_LINES}`,
        );
        return 1;
    }
  } catch (e) {
    io.err(`nas-lab: ${(e as Error).message}\n`);
    return 1;
  }
}
