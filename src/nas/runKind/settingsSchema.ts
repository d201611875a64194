/**
 * A run kind's settings as data, written once: each field's key (the settings object's key and
 * the URL parameter), command-line flag, type, range, default per preset, help text, its name in
 * DARTS or NNI, and whether it may change while the run goes on. The CLI's parser and usage text,
 * the lab's URL codec and settings form, and the worker's validation of what the page sends are
 * all generated from a schema, so that no layer spells a setting again. No tfjs here: the page
 * imports it.
 */

/** A setting's value: numbers, choices and texts, switches, and lists of choices. */
export type SettingValue = number | string | boolean | readonly string[];

/** A run's settings: one value per field of its kind's schema, by key. */
export type Settings = Readonly<Record<string, SettingValue>>;

/** Where a setting is shown: the settings form groups fields by it. */
export type FieldGroup = 'data' | 'network' | 'method' | 'optimizer' | 'run';

/** Which host offers a field: the command line, the lab, or both (the default). */
export type FieldScope = 'both' | 'cli' | 'lab';

interface FieldBase<T extends SettingValue> {
  /** The settings key and the URL parameter, in camelCase: `alphaLr`. */
  readonly key: string;
  /** The command-line flag without its dashes; the key in kebab-case when absent: `alpha-lr`. */
  readonly flag?: string;
  /** What the settings form calls it: `Alpha learning rate`; from the key when absent. */
  readonly label?: string;
  /** One line: what the setting means (usage text, the form's tooltip). */
  readonly help: string;
  readonly group: FieldGroup;
  /** Its name in the official code or NNI, e.g. `train_search.py --arch_learning_rate`. */
  readonly reference?: string;
  /** The default, when no preset names another. */
  readonly default: T;
  /** Defaults that differ by preset (keys are the schema's preset names). */
  readonly presets?: Readonly<Record<string, T>>;
  /** The setting may change while the run goes on (a learning rate); else fixed at the start. */
  readonly live?: boolean;
  /** 'cli': the command line only (a folder, an output path); 'lab': the page only. */
  readonly scope?: FieldScope;
  /** Folded away in the settings form. */
  readonly advanced?: boolean;
}

export interface NumberField extends FieldBase<number> {
  /** 'int': an integer; 'number': any finite number. */
  readonly type: 'int' | 'number';
  readonly min?: number;
  readonly max?: number;
  /**
   * The largest value a link may set, where the setting sizes the work (cells, images): a link
   * must not make a tab allocate whatever it names. Absent: `max`.
   */
  readonly linkMax?: number;
}

export interface ChoiceField extends FieldBase<string> {
  readonly type: 'choice';
  readonly choices: readonly string[];
  /** Other spellings read as a choice (old links, the command line's short names). */
  readonly aliases?: Readonly<Record<string, string>>;
}

export interface BooleanField extends FieldBase<boolean> {
  readonly type: 'boolean';
}

export interface TextField extends FieldBase<string> {
  readonly type: 'text';
  readonly maxLength: number;
  /**
   * On the command line, the value may name a file whose text is the value (a genotype file);
   * the CLI reads it. Values in `literals` (published genotype names) are never read as files.
   */
  readonly file?: { readonly literals: readonly string[] };
}

export interface ListField extends FieldBase<readonly string[]> {
  /** Comma-separated on the command line and in the URL. */
  readonly type: 'list';
  /** Allowed items, in their canonical order; absent: any non-empty item. */
  readonly choices?: readonly string[];
  readonly minItems?: number;
}

export type FieldSpec = NumberField | ChoiceField | BooleanField | TextField | ListField;

export interface SettingsSchema {
  /** Preset names, the first the default. */
  readonly presets: readonly string[];
  /**
   * One line per preset saying what it is for and where it departs from the official recipe
   * (the settings form shows the chosen preset's, the usage text lists them all).
   */
  readonly presetNotes?: Readonly<Record<string, string>>;
  /**
   * The preset the lab starts at where it is not the first: a lighter one, where the command
   * line's default is too heavy for a first look in a browser tab.
   */
  readonly labPreset?: string;
  readonly fields: readonly FieldSpec[];
  /**
   * Checks across fields (nodes ≥ 2 when …), after each field passed its own: the problems, each
   * naming the fields by key; empty when the settings hold.
   */
  readonly check?: (settings: Settings) => readonly string[];
}

/** The value type of a field. */
export type ValueOf<F extends FieldSpec> = F extends FieldBase<infer T> ? T : never;

/** The typed settings of a schema whose fields are declared `as const`. */
export type SettingsOf<S extends { readonly fields: readonly FieldSpec[] }> = {
  readonly [F in S['fields'][number] as F['key']]: ValueOf<F>;
};

/** The field's command-line flag, without its dashes. */
export function fieldFlag(field: FieldSpec): string {
  return field.flag ?? field.key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The field's name for people: its `label`, else its key in words (`imageSize`: `Image size`). */
export function fieldLabel(field: FieldSpec): string {
  if (field.label !== undefined) return field.label;
  const words = field.key.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}`;
}

export function findField(schema: SettingsSchema, key: string): FieldSpec | undefined {
  return schema.fields.find((f) => f.key === key);
}

/** The field's default under `preset` (its plain default where the preset names none). */
export function fieldDefault(field: FieldSpec, preset: string): SettingValue {
  return field.presets?.[preset] ?? field.default;
}

/** Every field's default under `preset` (the schema's first preset when absent). */
export function defaultSettings(schema: SettingsSchema, preset?: string): Settings {
  const name = preset ?? schema.presets[0] ?? '';
  if (preset !== undefined && !schema.presets.includes(preset)) {
    throw new Error(`unknown preset "${preset}": use ${schema.presets.join(', ')}`);
  }
  return Object.fromEntries(schema.fields.map((f) => [f.key, fieldDefault(f, name)]));
}

const clip = (raw: string): string => (raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);

/** Why `value` is not a value of `field`, or null when it is. Checks type, range and choices. */
export function fieldProblem(field: FieldSpec, value: unknown): string | null {
  switch (field.type) {
    case 'int':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'is not a number';
      if (field.type === 'int' && !Number.isInteger(value)) return 'is not an integer';
      if (field.min !== undefined && value < field.min) return `is below ${field.min}`;
      if (field.max !== undefined && value > field.max) return `is above ${field.max}`;
      return null;
    }
    case 'choice':
      if (typeof value !== 'string' || !field.choices.includes(value)) {
        return `is not one of ${field.choices.join(', ')}`;
      }
      return null;
    case 'boolean':
      return typeof value === 'boolean' ? null : 'is not true or false';
    case 'text':
      if (typeof value !== 'string') return 'is not a text';
      if (value.length > field.maxLength) {
        return `is ${value.length} characters, over the limit of ${field.maxLength}`;
      }
      return null;
    case 'list': {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v !== '')) {
        return 'is not a list of names';
      }
      const items = value as readonly string[];
      if (items.length < (field.minItems ?? 1)) {
        return `names fewer than ${field.minItems ?? 1} item(s)`;
      }
      const unknown = field.choices ? items.filter((v) => !field.choices?.includes(v)) : [];
      if (unknown.length > 0) {
        return `names ${clip(unknown.join(', '))}, not among ${field.choices?.join(', ')}`;
      }
      if (new Set(items).size !== items.length) return 'names an item twice';
      return null;
    }
  }
}

/**
 * A field's value from its text on the command line or in a URL, or why it is not one. `limit`
 * applies `linkMax` (links); range and choices are checked as `fieldProblem` does.
 */
export function parseFieldText(
  field: FieldSpec,
  raw: string,
  limit: 'link' | 'none' = 'none',
): { readonly value: SettingValue } | { readonly problem: string } {
  let value: SettingValue;
  switch (field.type) {
    case 'int':
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) return { problem: 'is not a number' };
      const linkMax = field.linkMax ?? field.max;
      if (limit === 'link' && linkMax !== undefined && n > linkMax) {
        return { problem: `is above the link limit of ${linkMax}` };
      }
      value = n;
      break;
    }
    case 'choice':
      value = field.aliases?.[raw] ?? raw;
      break;
    case 'boolean':
      if (raw === 'true' || raw === '1') value = true;
      else if (raw === 'false' || raw === '0') value = false;
      else return { problem: 'is not true or false' };
      break;
    case 'text':
      value = raw;
      break;
    case 'list':
      value = raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      break;
  }
  const problem = fieldProblem(field, value);
  return problem === null ? { value } : { problem };
}

/** A value as the command line and the URL write it. */
export function fieldText(value: SettingValue): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** Whether two values of a field are the same setting. */
export function sameValue(a: SettingValue, b: SettingValue): boolean {
  return Array.isArray(a) && Array.isArray(b) ? a.join(',') === b.join(',') : a === b;
}

/** A preset and how many settings differ from it. */
export interface PresetDistance {
  readonly preset: string;
  /** Keys whose value differs from the preset's, in the schema's order. */
  readonly changed: readonly string[];
}

/**
 * The preset `settings` are closest to (fewest differing values over the fields the lab shows:
 * the command line's own left out): `prefer` on a tie where given, else the earliest.
 */
export function closestPreset(
  schema: SettingsSchema,
  settings: Settings,
  prefer?: string,
): PresetDistance {
  const fields = schema.fields.filter((f) => f.scope !== 'cli');
  const order =
    prefer !== undefined && schema.presets.includes(prefer)
      ? [prefer, ...schema.presets.filter((p) => p !== prefer)]
      : schema.presets;
  let best: PresetDistance | null = null;
  for (const preset of order) {
    const changed = fields
      .filter((f) => {
        const value = settings[f.key];
        return value !== undefined && !sameValue(value, fieldDefault(f, preset));
      })
      .map((f) => f.key);
    if (best === null || changed.length < best.changed.length) best = { preset, changed };
  }
  return best ?? { preset: '', changed: [] };
}

/**
 * Checks a whole settings object as a host received it (a worker message, a checkpoint's
 * manifest): every field present and valid, no unknown key, the cross-field checks. Throws one
 * error naming every problem; returns the settings typed.
 */
export function validateSettings(
  schema: SettingsSchema,
  raw: unknown,
  what = 'settings',
): Settings {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(`the ${what} are not an object`);
  }
  const record = raw as Record<string, unknown>;
  const problems: string[] = [];
  for (const field of schema.fields) {
    if (!(field.key in record)) problems.push(`${field.key} is missing`);
    else {
      const problem = fieldProblem(field, record[field.key]);
      if (problem) problems.push(`${field.key} ${problem}`);
    }
  }
  for (const key of Object.keys(record)) {
    if (!findField(schema, key)) problems.push(`${key} is not a setting of this kind`);
  }
  if (problems.length === 0 && schema.check) problems.push(...schema.check(record as Settings));
  if (problems.length > 0) throw new Error(`invalid ${what}: ${problems.join('; ')}`);
  return record as Settings;
}

/** `base` with `changes` applied, validated as a whole. */
export function withSettings(
  schema: SettingsSchema,
  base: Settings,
  changes: Readonly<Record<string, SettingValue>>,
): Settings {
  return validateSettings(schema, { ...base, ...changes });
}

/** The keys whose values differ between two settings of one schema (what a link writes). */
export function changedKeys(schema: SettingsSchema, a: Settings, b: Settings): string[] {
  return schema.fields
    .filter((f) => {
      const x = a[f.key];
      const y = b[f.key];
      return x === undefined || y === undefined ? x !== y : !sameValue(x, y);
    })
    .map((f) => f.key);
}
