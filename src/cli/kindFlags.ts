/**
 * A kind's command-line flags, generated from its settings schema: one flag per field the command
 * line offers (`--no-x` too for a switch), each value read by the schema's own parser, starting
 * from the preset's defaults and validated as a whole. Errors name the flag and the value given,
 * in the wording the per-kind parsers used.
 */
import { existsSync } from 'node:fs';
import { CHECKPOINT_MAGIC } from '../nas/io/checkpointFormat';
import type { RunKindInfo } from '../nas/runKind/runKind';
import type { FieldSpec, Settings, SettingValue, TextField } from '../nas/runKind/settingsSchema';
import {
  defaultSettings,
  fieldFlag,
  fieldProblem,
  parseFieldText,
  validateSettings,
} from '../nas/runKind/settingsSchema';
import { readLimitedFile } from './hostFlags';

export type FlagValues = Readonly<Record<string, string | boolean | undefined>>;

/** The fields the command line offers (not the lab's own). */
export function cliFields(info: RunKindInfo): readonly FieldSpec[] {
  return info.schema.fields.filter((f) => f.scope !== 'lab');
}

/** The flags of a field: `--x`, and `--no-x` for a switch. */
export function flagsOf(field: FieldSpec): string[] {
  const flag = fieldFlag(field);
  return field.type === 'boolean' ? [flag, `no-${flag}`] : [flag];
}

/** parseArgs options for the kind's flags; a flag that is another's (`reserved`) is an error. */
export function kindOptions(
  info: RunKindInfo,
  reserved: readonly string[],
): Record<string, { readonly type: 'string' | 'boolean' }> {
  const options: Record<string, { readonly type: 'string' | 'boolean' }> = {};
  for (const field of cliFields(info)) {
    for (const flag of flagsOf(field)) {
      if (reserved.includes(flag) || flag in options) {
        throw new Error(`run kind ${info.id}: --${flag} (${field.key}) is another flag's name`);
      }
      options[flag] = { type: field.type === 'boolean' ? 'boolean' : 'string' };
    }
  }
  return options;
}

/** The values of an integer field of a few whole values (`--order 1|2`), else null. */
export function fewValues(field: FieldSpec): number[] | null {
  if (field.type !== 'int' || field.min === undefined || field.max === undefined) return null;
  const { min, max } = field;
  return max - min > 3 ? null : Array.from({ length: max - min + 1 }, (_, i) => min + i);
}

/** A field's problem with the text `raw` as a flag's error, in the wording of flagValues.ts. */
export function flagProblem(field: FieldSpec, raw: string, problem: string): string {
  const flag = fieldFlag(field);
  const few = fewValues(field);
  if (few && /^is (below|above)/.test(problem)) {
    return `--${flag} must be one of ${few.join(', ')}, got "${raw}"`;
  }
  if (problem === 'is not a number') return `--${flag} expects a number, got "${raw}"`;
  if (problem === 'is not an integer') return `--${flag} expects an integer, got "${raw}"`;
  const choices = /^is not one of (.*)$/.exec(problem);
  if (choices) return `--${flag} must be one of ${choices[1]}, got "${raw}"`;
  return `--${flag} ${problem}, got "${raw}"`;
}

/**
 * A problem naming fields by key (a schema's check), with their flags instead: a camelCase key
 * anywhere, a one-word key where it starts the message or a clause or stands in parentheses
 * (elsewhere it is the plain word: `a dropout rate`, `the 256 images`).
 */
export function withFlags(
  info: RunKindInfo,
  message: string,
  files: Readonly<Record<string, string>> = {},
): string {
  const fields = [...cliFields(info)].sort((a, b) => b.key.length - a.key.length);
  return fields.reduce((text, f) => {
    const where = /[A-Z]/.test(f.key) ? '(?<![\\w-])' : '(?<=^|; |\\()';
    // A field read from a file is named with the file: `--genotype cells.py`.
    const named = files[f.key] === undefined ? '' : ` ${files[f.key]}`;
    return text.replace(new RegExp(`${where}${f.key}(?![\\w-])`, 'g'), `--${fieldFlag(f)}${named}`);
  }, message);
}

/** The text of a `file` field: a literal as spelled in the schema, else the named file's text. */
function textOrFile(field: TextField & { file: object }, flag: string, raw: string): string {
  const literals = field.file.literals;
  const literal = literals.find((l) => l.toLowerCase() === raw.toLowerCase());
  if (literal !== undefined) return literal;
  if (!existsSync(raw)) {
    throw new Error(`--${flag} ${raw}: no such file, and not one of ${literals.join(', ')}`);
  }
  // UTF-8 takes at most 4 bytes a character: a longer file is over the limit for sure.
  const bytes = readLimitedFile(flag, raw, 4 * field.maxLength);
  if (new TextDecoder('latin1').decode(bytes.subarray(0, 8)) === CHECKPOINT_MAGIC) {
    throw new Error(`--${flag} ${raw} is a NAS Lab binary file (a checkpoint or a trained model)`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`--${flag} ${raw} is not UTF-8 text`);
  }
  const problem = fieldProblem(field, text);
  if (problem) throw new Error(`--${flag} ${raw}: the file's text ${problem}`);
  return text;
}

/** The value a field's flags give, or undefined when none is given. */
function flagValue(field: FieldSpec, values: FlagValues): SettingValue | undefined {
  const [flag, negated] = flagsOf(field) as [string, string | undefined];
  const raw = values[flag];
  if (negated !== undefined && values[negated] !== undefined) {
    if (raw !== undefined) throw new Error(`--${flag} and --${negated} contradict each other`);
    return false;
  }
  if (raw === undefined || typeof raw === 'boolean') return raw;
  if (field.type === 'text' && field.file)
    return textOrFile({ ...field, file: field.file }, flag, raw);
  const parsed = parseFieldText(field, raw);
  if ('problem' in parsed) throw new Error(flagProblem(field, raw, parsed.problem));
  return parsed.value;
}

/** The settings a command line asks for: the preset's defaults, the flags given, validated. */
export function settingsFromFlags(info: RunKindInfo, values: FlagValues): Settings {
  const { presets } = info.schema;
  const preset = values.preset;
  if (typeof preset === 'string' && !presets.includes(preset)) {
    throw new Error(`--preset must be one of ${presets.join(', ')}, got "${preset}"`);
  }
  const settings: Record<string, SettingValue> = {
    ...defaultSettings(info.schema, typeof preset === 'string' ? preset : undefined),
  };
  const files: Record<string, string> = {};
  for (const field of cliFields(info)) {
    const value = flagValue(field, values);
    if (value === undefined) continue;
    settings[field.key] = value;
    const raw = values[fieldFlag(field)];
    if (field.type === 'text' && field.file && typeof raw === 'string' && raw !== value) {
      files[field.key] = raw;
    }
  }
  try {
    return validateSettings(info.schema, settings);
  } catch (e) {
    const message = (e as Error).message.replace(/^invalid settings: /, '');
    throw new Error(withFlags(info, message, files));
  }
}
