/**
 * Usage texts generated from the registry and the kinds' schemas: `nas-lab --help` lists the
 * commands and each command's kinds; `nas-lab search --algorithm X --help` lists the kind's
 * flags by group with value, help, reference and each preset's default, then the host flags.
 * Nothing here names a kind: a new kind's flags appear in --help without an edit.
 */
import type { RunCommand, RunKindInfo, RunSelector } from '../nas/runKind/runKind';
import type { FieldGroup, FieldSpec } from '../nas/runKind/settingsSchema';
import { fieldDefault, fieldFlag, fieldText } from '../nas/runKind/settingsSchema';
import { hostUsage } from './hostFlags';
import { cliFields, fewValues } from './kindFlags';
import { selectorFlags } from './kindSelection';

/** What the usage texts say of a kind (a registered kind's info has it all). */
export interface KindLine {
  readonly command: RunCommand;
  readonly select: RunSelector;
  readonly title: string;
  readonly summary: string;
}

const WIDTH = 100;
const COLUMN = 28;

/** A flag and its help, the help wrapped and indented under the help column. */
export function usageRow(flag: string, help: string): string {
  const words = help.split(' ');
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line !== '' && COLUMN + line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  const head = `  ${flag}`;
  const pad = ' '.repeat(COLUMN);
  const first =
    head.length <= COLUMN - 2 ? `${head.padEnd(COLUMN)}${lines[0]}` : `${head}\n${pad}${lines[0]}`;
  return [first, ...lines.slice(1).map((l) => `${pad}${l}`)].join('\n');
}

/** The value a field's flag takes, as usage shows it. */
function valueHint(field: FieldSpec): string {
  switch (field.type) {
    case 'int':
      // A few whole values: listed, as a choice's (`--order 1|2`).
      return ` ${fewValues(field)?.join('|') ?? 'N'}`;
    case 'number':
      return ' X';
    case 'choice':
      return ` ${field.choices.join('|')}`;
    case 'boolean':
      return `, --no-${fieldFlag(field)}`;
    case 'text':
      return field.file ? ' FILE|NAME' : ' TEXT';
    case 'list':
      return ' A,B,…';
  }
}

const shown = (text: string): string =>
  text === '' ? 'none' : text.length > 40 ? `${text.slice(0, 40)}…` : text;

/** `default 3` when every preset agrees, else each preset's: `small 3; big 50`. */
export function defaultsText(field: FieldSpec, presets: readonly string[]): string {
  const all = field.type === 'list' && field.choices ? fieldText(field.choices) : null;
  const values = presets.map((p) => {
    const text = fieldText(fieldDefault(field, p));
    return text === all ? 'all' : shown(text);
  });
  if (values.every((v) => v === values[0]))
    return `default ${values[0] ?? shown(fieldText(field.default))}`;
  return presets.map((p, i) => `${p} ${values[i]}`).join('; ');
}

function fieldRow(field: FieldSpec, presets: readonly string[]): string {
  const notes = [
    field.type === 'list' && field.choices ? `of ${field.choices.join(', ')}` : '',
    defaultsText(field, presets),
    field.live ? 'may change while it runs' : '',
  ].filter((n) => n !== '');
  const reference = field.reference ? ` [${field.reference}]` : '';
  return usageRow(
    `--${fieldFlag(field)}${valueHint(field)}`,
    `${field.help} (${notes.join('; ')})${reference}`,
  );
}

const GROUPS: readonly (readonly [FieldGroup, string])[] = [
  ['data', 'Data'],
  ['network', 'Network'],
  ['method', 'Method'],
  ['optimizer', 'Optimizer'],
  ['run', 'Run'],
];

/** The usage of one kind; `others` are the command's other kinds, to say how to pick them. */
export function kindUsage(info: RunKindInfo, others: readonly KindLine[]): string {
  const { presets } = info.schema;
  const fields = cliFields(info);
  const pick = others
    .filter(
      (k) => k.command === info.command && selectorFlags(k.select) !== selectorFlags(info.select),
    )
    .map((k) => usageRow(selectorFlags(k.select), k.title));
  const sections = GROUPS.flatMap(([group, title]) => {
    const rows = fields.filter((f) => f.group === group).map((f) => fieldRow(f, presets));
    return rows.length === 0 ? [] : [`${title}:`, ...rows, ''];
  });
  return [
    `Usage: nas-lab ${info.command} ${selectorFlags(info.select)} [options]`,
    '',
    `${info.title}: ${info.summary}.`,
    ...(pick.length === 0
      ? []
      : ['', `Other kinds of nas-lab ${info.command} (their flags: add --help):`, ...pick]),
    '',
    usageRow(`--preset ${presets.join('|')}`, `starting settings (default ${presets[0]})`),
    ...presets.flatMap((p) => {
      const note = info.schema.presetNotes?.[p];
      return note === undefined ? [] : [usageRow('', `${p}: ${note}`)];
    }),
    '',
    ...sections,
    'Backend, data and output:',
    ...hostUsage(info).map(([flag, help]) => usageRow(flag, help)),
    '',
  ].join('\n');
}

const COMMANDS: readonly (readonly [RunCommand, string])[] = [
  ['search', 'search for a cell architecture'],
  ['retrain', "train a found cell's network from scratch"],
];

/** `nas-lab --help`: the commands and, for search and retrain, their kinds. */
export function topUsage(kinds: readonly KindLine[]): string {
  const commands = COMMANDS.flatMap(([command, what]) => [
    `  ${command.padEnd(10)}${what}; its kinds (add --help for their flags):`,
    ...kinds
      .filter((k) => k.command === command)
      .map((k) => usageRow(`  ${selectorFlags(k.select)}`, `${k.title}: ${k.summary}`)),
  ]);
  return [
    'Usage: nas-lab <command> [options]',
    '',
    'Commands:',
    ...commands,
    `  ${'evaluate'.padEnd(10)}measure a trained model on a test set (nas-lab evaluate --help)`,
    '',
  ].join('\n');
}
