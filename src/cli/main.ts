/** Entry of the `nas-lab` command line. Returns the process exit code. */
import { parseSearchArgs, SEARCH_USAGE } from './args';
import { runSearchCommand } from './searchCommand';

const USAGE = `Usage: nas-lab <command> [options]

Commands:
  search    run a DARTS architecture search (nas-lab search --help)
`;

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'search': {
        const parsed = parseSearchArgs(rest);
        if (parsed === 'help') {
          process.stdout.write(SEARCH_USAGE);
          return 0;
        }
        await runSearchCommand(parsed);
        return 0;
      }
      case undefined:
      case '--help':
      case 'help':
        process.stdout.write(USAGE);
        return command === undefined ? 1 : 0;
      default:
        process.stderr.write(`nas-lab: unknown command "${command}"\n${USAGE}`);
        return 1;
    }
  } catch (e) {
    process.stderr.write(`nas-lab: ${(e as Error).message}\n`);
    return 1;
  }
}
