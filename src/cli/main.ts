/** Entry of the `nas-lab` command line. Returns the process exit code. */
import { parseSearchArgs, SEARCH_USAGE } from './args';
import { CDARTS_USAGE, parseCdartsArgs } from './cdartsArgs';
import { runCdartsCommand } from './cdartsCommand';
import { EVALUATE_USAGE, parseEvaluateArgs } from './evaluateArgs';
import { runEvaluateCommand } from './evaluateCommand';
import { parseRetrainArgs, RETRAIN_USAGE } from './retrainArgs';
import { runRetrainCommand } from './retrainCommand';
import { parseRnnSearchArgs, RNN_SEARCH_USAGE } from './rnnArgs';
import { parseRnnRetrainArgs, RNN_RETRAIN_USAGE } from './rnnRetrainArgs';
import { runRnnRetrainCommand } from './rnnRetrainCommand';
import { runRnnSearchCommand } from './rnnSearchCommand';
import { searchAlgorithm } from './searchAlgorithm';
import { runSearchCommand } from './searchCommand';
import { splitSearchSpace } from './searchSpace';

const USAGE = `Usage: nas-lab <command> [options]

Commands:
  search    run a DARTS or CDARTS architecture search (nas-lab search --help,
            nas-lab search --algorithm cdarts --help), or a DARTS recurrent-cell
            search on text (nas-lab search --space rnn --help)
  retrain   train the network of a genotype from scratch (nas-lab retrain --help), or the
            language model of a recurrent genotype (nas-lab retrain --space rnn --help)
  evaluate  measure a trained model on a test set (nas-lab evaluate --help)
`;

/** Parses the command's flags and runs it, or prints its usage for --help. */
async function run<T>(
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

/** `nas-lab search`: DARTS, CDARTS with --algorithm cdarts, the recurrent space with --space rnn. */
function search(args: readonly string[]): Promise<number> {
  const { space, rest: argv } = splitSearchSpace(args);
  if (space === 'rnn') {
    return run(parseRnnSearchArgs(argv), RNN_SEARCH_USAGE, (c) => runRnnSearchCommand(c));
  }
  if (searchAlgorithm(argv) === 'cdarts') {
    return run(parseCdartsArgs(argv), CDARTS_USAGE, (c) => runCdartsCommand(c));
  }
  return run(parseSearchArgs(argv), SEARCH_USAGE, (c) => runSearchCommand(c));
}

/** `nas-lab retrain`: a convolutional genotype, or a recurrent one with --space rnn. */
function retrain(args: readonly string[]): Promise<number> {
  const { space, rest: argv } = splitSearchSpace(args);
  if (space === 'rnn') {
    return run(parseRnnRetrainArgs(argv), RNN_RETRAIN_USAGE, (c) => runRnnRetrainCommand(c));
  }
  return run(parseRetrainArgs(argv), RETRAIN_USAGE, (c) => runRetrainCommand(c));
}

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'search':
        return await search(rest);
      case 'retrain':
        return await retrain(rest);
      case 'evaluate':
        return await run(parseEvaluateArgs(rest), EVALUATE_USAGE, (c) => runEvaluateCommand(c));
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
