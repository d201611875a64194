/**
 * The lab's settings of a run kind, from its schema alone: the preset the lab starts a kind at,
 * the link the page keeps in its address bar (runUrlState.ts over those defaults), the problems
 * the settings form shows next to the fields they name, and the live values a change sends to the
 * running run. Nothing here names a kind, so a new kind gets all of it from its descriptor.
 */
import { findRunKind } from '../../nas/runKind/registry';
import type { RunKindInfo } from '../../nas/runKind/runKind';
import type { FieldSpec, SettingValue, Settings } from '../../nas/runKind/settingsSchema';
import { defaultSettings, fieldProblem } from '../../nas/runKind/settingsSchema';
import type { LinkOptions, ParsedRunLink, RunLink } from '../runUrlState';
import { runLinkFromQuery, runLinkToQuery } from '../runUrlState';

/**
 * The preset the lab starts `info` at: the schema's `labPreset` where it names one of its
 * presets, else its first (the command line's default), so that a search starts in the lab as
 * `npx nas-lab search` does.
 */
export function labPreset(info: RunKindInfo): string {
  const { presets, labPreset: own } = info.schema;
  return own !== undefined && presets.includes(own) ? own : (presets[0] ?? '');
}

const defaultsOf = new WeakMap<RunKindInfo, Settings>();

/** Every setting of `info` at the lab's preset (one object per kind: views may compare it). */
export function labDefaults(info: RunKindInfo): Settings {
  const known = defaultsOf.get(info);
  if (known) return known;
  const settings = Object.freeze(defaultSettings(info.schema, labPreset(info)));
  defaultsOf.set(info, settings);
  return settings;
}

/** A kind and its settings: what the page edits and starts. */
export interface KindSettings {
  readonly kind: string;
  readonly settings: Settings;
}

/** The page's link: a search, written against the lab's defaults. */
const LAB_LINK: LinkOptions = { command: 'search', base: labDefaults };

/** The search the page's address bar sets up (never throws). */
export function readLabLink(query: string): ParsedRunLink {
  return runLinkFromQuery(query, LAB_LINK);
}

/** The query string of a search: only what differs from the lab's defaults. */
export function writeLabLink(link: RunLink): string {
  return runLinkToQuery(link, LAB_LINK);
}

/** What is wrong with settings, by the field each problem names. */
export interface SettingsProblems {
  /** Problems by the key of the first field they name. */
  readonly byKey: Readonly<Record<string, readonly string[]>>;
  /** Problems that name no field. */
  readonly general: readonly string[];
  /** Every problem, in order: the first is why the run cannot start. */
  readonly all: readonly string[];
}

const NO_PROBLEMS: SettingsProblems = { byKey: {}, general: [], all: [] };

/** The field a problem names first (by key, as a whole word), or null. */
function namedField(fields: readonly FieldSpec[], problem: string): FieldSpec | null {
  let first: { field: FieldSpec; at: number } | null = null;
  for (const field of fields) {
    const at = problem.search(new RegExp(`(^|[^A-Za-z0-9])${field.key}(?![A-Za-z0-9])`));
    if (at >= 0 && (first === null || at < first.at)) first = { field, at };
  }
  return first?.field ?? null;
}

/**
 * The problems of settings, as `validateSettings` finds them: each field's own (type, range,
 * choices), then, where every field holds, the schema's cross-field check.
 */
export function settingsProblems(info: RunKindInfo, settings: Settings): SettingsProblems {
  const { fields, check } = info.schema;
  const all: string[] = [];
  for (const field of fields) {
    const problem = fieldProblem(field, settings[field.key]);
    if (problem) all.push(`${field.key} ${problem}`);
  }
  if (all.length === 0 && check) {
    try {
      all.push(...check(settings));
    } catch (e) {
      all.push((e as Error).message);
    }
  }
  if (all.length === 0) return NO_PROBLEMS;
  const byKey: Record<string, string[]> = {};
  const general: string[] = [];
  for (const problem of all) {
    const field = namedField(fields, problem);
    if (field) (byKey[field.key] ??= []).push(problem);
    else general.push(problem);
  }
  return { byKey, general, all };
}

/** The live settings among `changes` whose values are valid: what a running run may take now. */
export function liveChanges(
  info: RunKindInfo,
  changes: Readonly<Record<string, SettingValue>>,
): Record<string, number> {
  const live: Record<string, number> = {};
  for (const field of info.schema.fields) {
    const value = changes[field.key];
    if (field.live && typeof value === 'number' && fieldProblem(field, value) === null) {
      live[field.key] = value;
    }
  }
  return live;
}

/**
 * The settings the lab shows for a kind it switches to: those last edited for it, else its lab
 * defaults with the values of the settings it shares with `from` (a kind of the same space:
 * DARTS and CDARTS share the data, the cell and the optimiser's sizes).
 */
export function switchedSettings(
  to: RunKindInfo,
  from: KindSettings,
  remembered: Readonly<Record<string, Settings>>,
): Settings {
  const kept = remembered[to.id];
  if (kept) return kept;
  const defaults = labDefaults(to);
  const fromInfo = findRunKind(from.kind)?.info;
  if (!fromInfo || fromInfo.select.space !== to.select.space) return defaults;
  const shared: Record<string, SettingValue> = {};
  for (const field of to.schema.fields) {
    const value = from.settings[field.key];
    if (value !== undefined && fieldProblem(field, value) === null) shared[field.key] = value;
  }
  return { ...defaults, ...shared };
}
