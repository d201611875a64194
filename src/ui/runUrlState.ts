/**
 * A run's setup in the URL's query string, generated from the run kinds' settings schemas, so
 * that a link reproduces it: `space` and `algorithm` pick the kind (as `--space` and
 * `--algorithm` do on the command line), `preset` names the preset the settings are closest to
 * where it is not the lab's (as `--preset` does), each setting is written under its key only
 * where it differs from that preset, and `backend` names the backend. A setting is read
 * under its key or its command-line flag. Reading never throws: a value it cannot use is left at
 * the default and listed in `ignored` with the reason; a link cannot ask for more than a field's
 * `linkMax`. The result may still be one the kind's cross-field check refuses: the lab's
 * validation reports that.
 *
 * Links written before the run kinds keep loading: their parameters were the settings' keys, and
 * `algorithm=cdarts` picked CDARTS; a recurrent search was `space=recurrent`, with the
 * convolutional settings beside its own and the recurrent ones that share a key with them
 * prefixed (`rnnBatchSize`, `rnnOrder`). Under that old spelling a setting is read as
 * `rnn<Key>`, and under its key or flag only where no kind of the other space has that key, so
 * that the convolutional `order=2` of an old recurrent link stays out of the recurrent search.
 */
import { runKinds, selectRunKind } from '../nas/runKind/registry';
import type { RunCommand, RunKindInfo, RunSelector } from '../nas/runKind/runKind';
import type { FieldSpec, SettingValue, Settings } from '../nas/runKind/settingsSchema';
import {
  closestPreset,
  defaultSettings,
  fieldFlag,
  fieldText,
  parseFieldText,
  sameValue,
} from '../nas/runKind/settingsSchema';
import type { BackendChoice } from '../worker/protocol';

/** The longest query string read at all; a link writes a few hundred characters at most. */
export const MAX_QUERY_LENGTH = 4096;

export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'webgpu', 'wasm', 'webgl', 'cpu'];

/** Spaces in the order messages list them, whatever order the kinds were registered in. */
const SPACE_ORDER: readonly RunSelector['space'][] = ['cnn', 'rnn'];

/**
 * Spaces as links before the run kinds named them, and the prefix those links gave the settings
 * that share a key with the other space's (see the file's comment).
 */
const SPACE_ALIASES: Readonly<Record<string, { space: RunSelector['space']; prefix?: string }>> = {
  convolutional: { space: 'cnn' },
  recurrent: { space: 'rnn', prefix: 'rnn' },
};

/** How an old link names settings: the prefix, and the keys only the prefixed name reads. */
interface LegacyNames {
  readonly prefix: string;
  readonly shared: ReadonlySet<string>;
}

/** What a link sets up: the kind, its settings, the backend. */
export interface RunLink {
  /** The kind's id. */
  readonly kind: string;
  readonly settings: Settings;
  readonly backend: BackendChoice;
}

export interface ParsedRunLink extends RunLink {
  /** Parameters that were present but unusable, with the reason. */
  readonly ignored: string[];
}

export interface LinkOptions {
  /** The command whose kinds a link may pick; 'search' unless given. */
  readonly command?: RunCommand;
  /** The lab's default settings of a kind (what a link leaves out); the schema's by default. */
  readonly base?: (info: RunKindInfo) => Settings;
  /** The backend a link leaves out; 'auto' by default. */
  readonly backend?: BackendChoice;
}

const schemaDefaults = (info: RunKindInfo): Settings => defaultSettings(info.schema);

/** A value as the ignored list shows it: cut at 40 characters. */
const clip = (raw: string): string => (raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);

const shown = (key: string, raw: string): string => `${key}=${clip(raw)}`;

/** `a, b or c`. */
function either(choices: readonly string[]): string {
  return choices.length <= 1
    ? (choices[0] ?? '')
    : `${choices.slice(0, -1).join(', ')} or ${choices.at(-1) ?? ''}`;
}

/** The fields a link may carry (the command line's own, folders and outputs, excluded). */
function linkFields(info: RunKindInfo): readonly FieldSpec[] {
  return info.schema.fields.filter((f) => f.scope !== 'cli');
}

/**
 * The parameter names a link may use for a field: its key, then its command-line flag; in an old
 * link, first its prefixed name, and only that where the other space has the key too.
 */
function paramNames(field: FieldSpec, legacy: LegacyNames | null): readonly string[] {
  const flag = fieldFlag(field);
  const own = flag === field.key ? [field.key] : [field.key, flag];
  if (!legacy) return own;
  const prefixed = `${legacy.prefix}${field.key.charAt(0).toUpperCase()}${field.key.slice(1)}`;
  return legacy.shared.has(field.key) ? [prefixed] : [prefixed, ...own];
}

/** The kinds a link may pick, for the command. */
function commandKinds(command: RunCommand): readonly RunKindInfo[] {
  return runKinds()
    .map((e) => e.info)
    .filter((i) => i.command === command);
}

/** Why a field's text is unusable, in the words the ignored list uses. */
function reasonFor(field: FieldSpec, raw: string, problem: string): string {
  if (field.type === 'choice' && problem.startsWith('is not one of')) {
    return `use ${either(field.choices)}`;
  }
  if (field.type === 'list' && field.choices && problem.includes(', not among ')) {
    const unknown = raw
      .split(',')
      .filter((s) => s.trim() !== '' && !field.choices?.includes(s.trim()));
    return `unknown item ${clip(unknown.join(', '))}`;
  }
  if (field.type === 'list' && problem.startsWith('names fewer than')) return 'no item named';
  return problem.replace(/^is /, '');
}

/** Writes a link: the kind where it is not the command's default, and what differs from base. */
export function runLinkToQuery(link: RunLink, options: LinkOptions = {}): string {
  const command = options.command ?? 'search';
  const info = commandKinds(command).find((i) => i.id === link.kind);
  if (!info) throw new Error(`no ${command} run kind "${link.kind}"`);
  const q = new URLSearchParams();
  if (selectRunKind(command, {}).info.id !== info.id) {
    const { space, algorithm } = info.select;
    if (space !== 'cnn') q.set('space', space);
    if (algorithm !== undefined && selectRunKind(command, { space }).info.id !== info.id) {
      q.set('algorithm', algorithm);
    }
  }
  const labBase = (options.base ?? schemaDefaults)(info);
  const labPreset = closestPreset(info.schema, labBase).preset;
  const near = closestPreset(info.schema, link.settings, labPreset);
  const base = near.preset === labPreset ? labBase : defaultSettings(info.schema, near.preset);
  if (near.preset !== labPreset) q.set('preset', near.preset);
  for (const field of linkFields(info)) {
    const value = link.settings[field.key];
    const fallback = base[field.key];
    if (value !== undefined && (fallback === undefined || !sameValue(value, fallback))) {
      q.set(field.key, fieldText(value));
    }
  }
  if (link.backend !== (options.backend ?? 'auto')) q.set('backend', link.backend);
  return q.toString();
}

/** The names an old link's `prefix` gives the settings of `info` (see the file's comment). */
function legacyNames(info: RunKindInfo, command: RunCommand, prefix: string): LegacyNames {
  const others = commandKinds(command).filter((i) => i.select.space !== info.select.space);
  return { prefix, shared: new Set(others.flatMap((i) => i.schema.fields.map((f) => f.key))) };
}

interface LinkKind {
  readonly info: RunKindInfo;
  /** The old spelling's prefix, where the link used it. */
  readonly prefix?: string;
}

/** The kind a link's `space` and `algorithm` pick, or the default with the reason ignored. */
function kindOf(q: URLSearchParams, command: RunCommand, ignored: string[]): LinkKind {
  const kinds = commandKinds(command);
  const rawSpace = q.get('space');
  const alias =
    rawSpace !== null && Object.hasOwn(SPACE_ALIASES, rawSpace) ? SPACE_ALIASES[rawSpace] : null;
  let space: RunSelector['space'] | undefined;
  if (rawSpace !== null) {
    const named = alias?.space ?? rawSpace;
    const registeredSpaces = new Set(kinds.map((i) => i.select.space));
    const spaces = SPACE_ORDER.filter((s) => registeredSpaces.has(s));
    if ((spaces as readonly string[]).includes(named)) space = named as RunSelector['space'];
    else ignored.push(`${shown('space', rawSpace)} (use ${either(spaces)})`);
  }
  const info = algorithmOf(q, kinds, selectRunKind(command, space ? { space } : {}).info, ignored);
  return alias?.prefix !== undefined && info.select.space === alias.space
    ? { info, prefix: alias.prefix }
    : { info };
}

/** The kind of the link's `algorithm` in `fallback`'s space, else `fallback`. */
function algorithmOf(
  q: URLSearchParams,
  kinds: readonly RunKindInfo[],
  fallback: RunKindInfo,
  ignored: string[],
): RunKindInfo {
  const algorithm = q.get('algorithm');
  if (algorithm === null) return fallback;
  const inSpace = kinds.filter((i) => i.select.space === fallback.select.space);
  const chosen = inSpace.find((i) => i.select.algorithm === algorithm);
  if (chosen) return chosen;
  const algorithms = inSpace.flatMap((i) => (i.select.algorithm ? [i.select.algorithm] : []));
  ignored.push(
    algorithms.length === 0
      ? `${shown('algorithm', algorithm)} (the ${fallback.select.space} space has no algorithms)`
      : `${shown('algorithm', algorithm)} (use ${either(algorithms)})`,
  );
  return fallback;
}

/** What a link's settings start from: its `preset`'s, else the lab's defaults for the kind. */
function presetBase(
  q: URLSearchParams,
  info: RunKindInfo,
  baseOf: (info: RunKindInfo) => Settings,
  ignored: string[],
): Settings {
  const preset = q.get('preset');
  if (preset === null) return baseOf(info);
  if (info.schema.presets.includes(preset)) return defaultSettings(info.schema, preset);
  ignored.push(`${shown('preset', preset)} (use ${either(info.schema.presets)})`);
  return baseOf(info);
}

/**
 * Reads a link from a query string (with or without its `?`). Never throws: settings it cannot
 * use are left at the lab's default and listed in `ignored` with the reason; parameters it does
 * not know are left alone.
 */
export function runLinkFromQuery(query: string, options: LinkOptions = {}): ParsedRunLink {
  const command = options.command ?? 'search';
  const defaultBackend = options.backend ?? 'auto';
  const baseOf = options.base ?? schemaDefaults;
  if (query.length > MAX_QUERY_LENGTH) {
    const info = selectRunKind(command, {}).info;
    return {
      kind: info.id,
      settings: baseOf(info),
      backend: defaultBackend,
      ignored: [
        `all link settings (the query is ${query.length} characters, over the limit of ${MAX_QUERY_LENGTH})`,
      ],
    };
  }
  const q = new URLSearchParams(query);
  const ignored: string[] = [];
  const { info, prefix } = kindOf(q, command, ignored);
  const legacy = prefix === undefined ? null : legacyNames(info, command, prefix);
  const values: [string, SettingValue][] = Object.entries(presetBase(q, info, baseOf, ignored));
  const settings = new Map(values);
  for (const field of linkFields(info)) {
    const name = paramNames(field, legacy).find((n) => q.has(n));
    if (name === undefined) continue;
    const raw = q.get(name) ?? '';
    const parsed = parseFieldText(field, raw, 'link');
    if ('value' in parsed) settings.set(field.key, parsed.value);
    else ignored.push(`${shown(name, raw)} (${reasonFor(field, raw, parsed.problem)})`);
  }
  let backend = defaultBackend;
  const b = q.get('backend');
  if (b !== null) {
    const choice = BACKEND_CHOICES.find((c) => c === b);
    if (choice) backend = choice;
    else ignored.push(`${shown('backend', b)} (use ${either(BACKEND_CHOICES)})`);
  }
  return { kind: info.id, settings: Object.fromEntries(settings), backend, ignored };
}
