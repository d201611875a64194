/**
 * The page's settings in React (labSettingsState.ts), read from the address bar once and written
 * back to it at every change, through the kinds' link codec only (runUrlState.ts, over the lab's
 * defaults): the search kind, its settings and the backend, with the view shown (labView.ts).
 * The retrains' settings are kept too, by kind, but not in the link.
 */
import { useCallback, useEffect, useMemo, useReducer } from 'react';
import type { SettingValue, Settings } from '../../nas/runKind/settingsSchema';
import type { BackendChoice } from '../../worker/protocol';
import type { LabView } from '../labView';
import { withLabView } from '../labView';
import { readLabLink, writeLabLink } from './labSettings';
import type { LabSettingsState } from './labSettingsState';
import { labSettingsFromLink, reduceLabSettings, settingsOf } from './labSettingsState';

export interface LabSettingsActions {
  pickSearch(kind: string): void;
  change(kind: string, key: string, value: SettingValue): void;
  pickPreset(kind: string, preset: string): void;
  setBackend(backend: BackendChoice): void;
  restore(kind: string, settings: Settings): void;
}

export interface LabSettings extends LabSettingsState, LabSettingsActions {
  /** The settings of a kind (as edited, else the lab's defaults). */
  settingsOf(kind: string): Settings;
}

const fromAddressBar = (): LabSettingsState =>
  labSettingsFromLink(readLabLink(window.location.search));

export function useLabSettings(view: LabView = 'search'): LabSettings {
  const [state, dispatch] = useReducer(reduceLabSettings, undefined, fromAddressBar);
  const { searchKind, backend } = state;
  const search = settingsOf(state, searchKind);
  useEffect(() => {
    const query = withLabView(writeLabLink({ kind: searchKind, settings: search, backend }), view);
    window.history.replaceState(null, '', query ? `?${query}` : window.location.pathname);
  }, [searchKind, search, backend, view]);
  const actions = useMemo<LabSettingsActions>(
    () => ({
      pickSearch: (kind) => dispatch({ type: 'pickSearch', kind }),
      change: (kind, key, value) => dispatch({ type: 'change', kind, key, value }),
      pickPreset: (kind, preset) => dispatch({ type: 'preset', kind, preset }),
      setBackend: (b) => dispatch({ type: 'backend', backend: b }),
      restore: (kind, settings) => dispatch({ type: 'restore', kind, settings }),
    }),
    [],
  );
  const of = useCallback((kind: string) => settingsOf(state, kind), [state]);
  return { ...state, ...actions, settingsOf: of };
}
