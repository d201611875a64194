/**
 * The page's settings as state: which search kind the form shows, the settings of every kind the
 * page has edited (searches and retrains, by kind id), the backend, and what the link could not
 * use. A pure reduction, so that switching kinds, picking a preset and restoring a run's
 * settings are tested without a page; useLabSettings.ts holds it in React and writes the link.
 */
import { findRunKind, runKindById, selectRunKind } from '../../nas/runKind/registry';
import type { RunKindInfo } from '../../nas/runKind/runKind';
import type { SettingValue, Settings } from '../../nas/runKind/settingsSchema';
import { defaultSettings } from '../../nas/runKind/settingsSchema';
import type { BackendChoice } from '../../worker/protocol';
import type { ParsedRunLink } from '../runUrlState';
import { labDefaults, switchedSettings } from './labSettings';

export interface LabSettingsState {
  /** The search kind the form shows (its space picks the page's views). */
  readonly searchKind: string;
  /** Settings by kind id, where the page has any. */
  readonly byKind: Readonly<Record<string, Settings>>;
  readonly backend: BackendChoice;
  /** Link parameters that could not be used, until the settings are edited. */
  readonly ignored: readonly string[];
}

export type LabSettingsAction =
  | { readonly type: 'pickSearch'; readonly kind: string }
  | {
      readonly type: 'change';
      readonly kind: string;
      readonly key: string;
      readonly value: SettingValue;
    }
  | { readonly type: 'preset'; readonly kind: string; readonly preset: string }
  | { readonly type: 'backend'; readonly backend: BackendChoice }
  /** A run restored from a checkpoint or an autosave: its settings, its space shown. */
  | { readonly type: 'restore'; readonly kind: string; readonly settings: Settings };

/** The state a link sets up. */
export function labSettingsFromLink(link: ParsedRunLink): LabSettingsState {
  return {
    searchKind: link.kind,
    byKind: { [link.kind]: link.settings },
    backend: link.backend,
    ignored: link.ignored,
  };
}

/** A kind's settings: as last edited, else the lab's defaults. */
export function settingsOf(state: LabSettingsState, kind: string): Settings {
  return state.byKind[kind] ?? labDefaults(runKindById(kind).info);
}

function pickSearch(state: LabSettingsState, to: RunKindInfo): LabSettingsState {
  if (to.id === state.searchKind) return state;
  const from = { kind: state.searchKind, settings: settingsOf(state, state.searchKind) };
  const settings = switchedSettings(to, from, state.byKind);
  return { ...state, searchKind: to.id, byKind: { ...state.byKind, [to.id]: settings } };
}

export function reduceLabSettings(
  state: LabSettingsState,
  action: LabSettingsAction,
): LabSettingsState {
  switch (action.type) {
    case 'pickSearch': {
      const info = findRunKind(action.kind)?.info;
      return info?.command === 'search' ? { ...pickSearch(state, info), ignored: [] } : state;
    }
    case 'change': {
      const settings = { ...settingsOf(state, action.kind), [action.key]: action.value };
      return { ...state, byKind: { ...state.byKind, [action.kind]: settings }, ignored: [] };
    }
    case 'preset': {
      const info = runKindById(action.kind).info;
      const settings = defaultSettings(info.schema, action.preset);
      return { ...state, byKind: { ...state.byKind, [action.kind]: settings }, ignored: [] };
    }
    case 'backend':
      return { ...state, backend: action.backend, ignored: [] };
    case 'restore': {
      const info = findRunKind(action.kind)?.info;
      if (!info) return state;
      const restored = { ...state, byKind: { ...state.byKind, [info.id]: action.settings } };
      if (info.command === 'search') return { ...restored, searchKind: info.id };
      const shown = runKindById(state.searchKind).info.select.space;
      return shown === info.select.space
        ? restored
        : pickSearch(restored, selectRunKind('search', { space: info.select.space }).info);
    }
  }
}
