/**
 * What a kind's settings form needs from the page, for any kind: its descriptor, its settings as
 * edited, whether it runs now (then only its live settings can change, and a change goes to the
 * run as `setLive`) or another run holds the worker (then nothing can change), and the callbacks
 * that edit it.
 */
import { useCallback, useMemo } from 'react';
import { runKindById } from '../../nas/runKind/registry';
import type { RunKindInfo } from '../../nas/runKind/runKind';
import type { SettingValue, Settings } from '../../nas/runKind/settingsSchema';
import { liveChanges } from './labSettings';
import type { LabSettings } from './useLabSettings';

export interface KindForm {
  readonly info: RunKindInfo;
  readonly settings: Settings;
  /** This kind runs: only its live settings can change. */
  readonly running: boolean;
  /** Another run holds the worker: nothing can change. */
  readonly disabled: boolean;
  readonly onChange: (key: string, value: SettingValue) => void;
  readonly onPreset: (preset: string) => void;
}

/** Where the worker stands: the kind it runs (null when idle) and how to change live settings. */
export interface RunningState {
  readonly busy: boolean;
  readonly runningKind: string | null;
  readonly setLive: (values: Readonly<Record<string, number>>) => void;
}

export function useKindForm(kind: string, lab: LabSettings, worker: RunningState): KindForm {
  const info = runKindById(kind).info;
  const settings = lab.settingsOf(kind);
  const running = worker.busy && worker.runningKind === kind;
  const { change, pickPreset } = lab;
  const { setLive } = worker;
  const onChange = useCallback(
    (key: string, value: SettingValue) => {
      if (running) {
        const live = liveChanges(info, { [key]: value });
        if (Object.keys(live).length > 0) setLive(live);
      }
      change(kind, key, value);
    },
    [running, info, kind, change, setLive],
  );
  const onPreset = useCallback((preset: string) => pickPreset(kind, preset), [kind, pickPreset]);
  return useMemo(
    () => ({ info, settings, running, disabled: worker.busy && !running, onChange, onPreset }),
    [info, settings, running, worker.busy, onChange, onPreset],
  );
}
