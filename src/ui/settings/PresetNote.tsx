/**
 * One line under the preset picker saying which preset the settings are and what it is for
 * (the schema's `presetNotes`), so that a user sees where the default departs from the paper's
 * recipe; settings changed by hand are named as changes to the closest preset.
 */
import type { RunKindInfo } from '../../nas/runKind/runKind';
import type { Settings } from '../../nas/runKind/settingsSchema';
import { closestPreset } from '../../nas/runKind/settingsSchema';

export function PresetNote(props: { readonly info: RunKindInfo; readonly settings: Settings }) {
  const { schema } = props.info;
  const { preset, changed } = closestPreset(schema, props.settings);
  const note = schema.presetNotes?.[preset];
  const what =
    changed.length === 0
      ? `Preset “${preset}”`
      : `Preset “${preset}” with ${changed.length} ${changed.length === 1 ? 'change' : 'changes'} (${changed.join(', ')})`;
  return (
    <p className="preset-note" data-testid="preset-note" data-preset={preset}>
      {note === undefined ? what : `${what}: ${note}.`}
    </p>
  );
}
