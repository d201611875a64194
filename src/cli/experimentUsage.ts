/**
 * `nas-lab experiment --help`: what the command does, its own flags from the experiment's schema,
 * and the selected search and retrain kinds' flags behind their prefixes, generated from their
 * schemas (their meaning and defaults are in `nas-lab search|retrain … --help`).
 */
import { EXPERIMENT_SCHEMA, SET_BY_EXPERIMENT } from '../experiment/experimentSettings';
import { runKinds } from '../nas/runKind/registry';
import type { RunKindInfo } from '../nas/runKind/runKind';
import { fieldFlag } from '../nas/runKind/settingsSchema';
import { cliFields } from './kindFlags';
import { selectorFlags } from './kindSelection';
import { defaultsText, usageRow } from './kindUsage';

export const DEFAULT_EXPERIMENT_OUT = 'out/experiment';
export const DEFAULT_EXPERIMENT_CHECKPOINT_EVERY = 20;

/** The line `nas-lab --help` adds for the command. */
export const EXPERIMENT_COMMAND_LINE = `  experiment  does the search beat random? searches, random cells and controls retrained and compared (nas-lab experiment --help)\n`;

/** The prefixed flags of a kind, as one wrapped row. */
function prefixedRow(prefix: 'search' | 'retrain', info: RunKindInfo): string {
  const set = SET_BY_EXPERIMENT[prefix];
  const flags = cliFields(info)
    .filter((f) => !set.includes(f.key))
    .map((f) => fieldFlag(f));
  const unset = set.length === 0 ? '' : ` (not ${set.join(', ')}: the experiment sets it per cell)`;
  return usageRow(
    `--${prefix}.FLAG VALUE`,
    `${info.title} (nas-lab ${info.command} ${selectorFlags(info.select)} --help): ${[...flags, 'preset'].join(', ')}${unset}`,
  );
}

export function experimentUsage(search: RunKindInfo, retrain: RunKindInfo): string {
  const searches = runKinds()
    .filter((e) => e.info.command === 'search')
    .map((e) => usageRow(selectorFlags(e.info.select), e.info.title));
  const own = EXPERIMENT_SCHEMA.fields.map((f) => {
    const hint = f.type === 'list' ? ` ${f.choices.join(',')}|none` : ' N';
    return usageRow(
      `--${fieldFlag(f)}${hint}`,
      `${f.help} (${defaultsText(f, EXPERIMENT_SCHEMA.presets)})`,
    );
  });
  return [
    `Usage: nas-lab experiment ${selectorFlags(search.select)} [options]`,
    '',
    'Does the search beat random? Runs N searches (seeds), draws M random cells of the same space,',
    'adds control cells, retrains every cell with one protocol over S seeds, tests each on held-out',
    'data (accuracy; recurrent: perplexity) and writes report.json, report.md and report.svg: each',
    "cell's mean ± std, where the searched cells rank among the random ones, and a bootstrap 95 %",
    'interval of searched − random. Run it again with the same flags to go on where it stopped:',
    'finished runs are kept, an interrupted one resumes from its checkpoint.',
    '',
    "The search (the retrain is the space's):",
    ...searches,
    '',
    'Experiment:',
    ...own,
    usageRow(
      '--preset NAME',
      "both kinds' starting settings: each kind's preset of that name (default: each kind's first)",
    ),
    '',
    'Settings of the runs (the flags of nas-lab search and retrain, behind a prefix):',
    prefixedRow('search', search),
    usageRow('', "search k's seed is --search.seed + k"),
    prefixedRow('retrain', retrain),
    usageRow('', "retrain seed s's seed is --retrain.seed + s"),
    '',
    'Backend, data and output:',
    usageRow('--backend wasm|cpu|webgpu', 'tfjs backend of every run (default wasm)'),
    usageRow('--data-dir PATH', "folder of the datasets' files, in place of their default folders"),
    usageRow(
      '--out DIR',
      `the experiment's folder (default ${DEFAULT_EXPERIMENT_OUT}): state.json, the reports, search/seed-k/ and retrain/<cell>/seed-s/ with each run's log.jsonl and checkpoint`,
    ),
    usageRow(
      '--checkpoint-every N',
      `each run writes its checkpoint every N steps (default ${DEFAULT_EXPERIMENT_CHECKPOINT_EVERY}): where an interrupted run resumes`,
    ),
    usageRow('--quiet', "no output of the runs themselves, only the experiment's progress"),
    usageRow('--help', 'this text (with --space / --algorithm: for that search)'),
    '',
  ].join('\n');
}
