/**
 * The settings form of any run kind, generated from its schema: a preset picker, then its fields
 * by group (data, network, method, optimiser, run), each group a section that folds, its
 * advanced fields folded away within it, the command line's own (folders, outputs) left out. While the kind runs, only its live fields
 * (learning rates) can change. Problems are shown next to the field they name; the caller shows
 * why its Start button is disabled.
 */
import { memo } from 'react';
import type { RunKindInfo } from '../../nas/runKind/runKind';
import type {
  FieldGroup,
  FieldSpec,
  SettingValue,
  Settings,
} from '../../nas/runKind/settingsSchema';
import { FieldControl } from './FieldControl';
import { PresetNote } from './PresetNote';
import type { SettingsProblems } from './labSettings';

const GROUPS: readonly FieldGroup[] = ['data', 'network', 'method', 'optimizer', 'run'];

function groupTitle(group: FieldGroup, info: RunKindInfo): string {
  switch (group) {
    case 'data':
      return 'Data';
    case 'network':
      return 'Network';
    case 'method':
      return info.command === 'search' ? 'Search method' : 'Training method';
    case 'optimizer':
      return 'Optimizer';
    case 'run':
      return 'Run';
  }
}

export interface SettingsFormProps {
  readonly info: RunKindInfo;
  readonly settings: Settings;
  readonly problems: SettingsProblems;
  /** One setting changed. */
  readonly onChange: (key: string, value: SettingValue) => void;
  /** A preset was picked: every setting at its value there. */
  readonly onPreset: (preset: string) => void;
  /** Put before each control's name, so that names are unique on the page: 'retrain-'. */
  readonly namePrefix: string;
  /** Nothing can change (another run is going on). */
  readonly disabled: boolean;
  /** This kind is running: only its live settings can change. */
  readonly running: boolean;
  /** Keys the caller edits with its own controls (a genotype picker). */
  readonly omit?: readonly string[];
  readonly choiceColor?: (choice: string) => string | undefined;
}

export const SettingsForm = memo(function SettingsForm(props: SettingsFormProps) {
  const { info, settings, problems, onChange, onPreset, namePrefix, disabled, running } = props;
  const shown = info.schema.fields.filter(
    (f) => f.scope !== 'cli' && !(props.omit ?? []).includes(f.key),
  );
  const control = (field: FieldSpec) => (
    <FieldControl
      key={field.key}
      field={field}
      schema={info.schema}
      value={settings[field.key]}
      name={`${namePrefix}${field.key}`}
      disabled={disabled || (running && field.live !== true)}
      problems={problems.byKey[field.key] ?? []}
      onChange={onChange}
      {...(props.choiceColor ? { choiceColor: props.choiceColor } : {})}
    />
  );
  return (
    <div className="settings-form" data-kind={info.id}>
      <label className="field" title="Sets every setting to the preset's value">
        <span>Preset</span>
        <select
          name={`${namePrefix}preset`}
          value=""
          disabled={disabled || running}
          onChange={(e) => {
            if (info.schema.presets.includes(e.target.value)) onPreset(e.target.value);
          }}
        >
          <option value="">choose…</option>
          {info.schema.presets.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </label>
      <PresetNote info={info} settings={settings} />
      {GROUPS.map((group) => {
        const fields = shown.filter((f) => f.group === group);
        if (fields.length === 0) return null;
        const basic = fields.filter((f) => !f.advanced);
        const advanced = fields.filter((f) => f.advanced);
        const title = groupTitle(group, info);
        const failing = advanced.some((f) => problems.byKey[f.key] !== undefined);
        return (
          <details key={group} className="settings-group" data-group={group} open>
            <summary>{title}</summary>
            <fieldset aria-label={title}>
              {basic.map(control)}
              {advanced.length > 0 && (
                <details className="advanced" open={failing || undefined}>
                  <summary>More {title.toLowerCase()} settings</summary>
                  {advanced.map(control)}
                </details>
              )}
            </fieldset>
          </details>
        );
      })}
      {problems.general.length > 0 && (
        <p className="problem" role="status">
          {problems.general.join('; ')}
        </p>
      )}
    </div>
  );
});
