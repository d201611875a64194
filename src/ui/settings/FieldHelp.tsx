/**
 * A setting's guidance where everyone can reach it, not only a mouse's tooltip: an "i" beside the
 * control unfolds what the setting means, its name in DARTS or NNI and its default in each preset
 * (the paper's among them), and the control's accessible description points at the same text,
 * folded or not, so that a screen reader reads it with the control. A `<details>`, so that it
 * needs no state (the settings form's components have no hooks).
 */
import type { FieldSpec, SettingsSchema } from '../../nas/runKind/settingsSchema';
import { fieldDefault, fieldLabel, fieldText } from '../../nas/runKind/settingsSchema';

export const fieldHelpId = (name: string): string => `${name}-help`;

/** The field's defaults by preset: "small 3 · paper 50 · demo 1". */
export function presetDefaults(field: FieldSpec, schema: SettingsSchema): string {
  return schema.presets.map((p) => `${p} ${fieldText(fieldDefault(field, p)) || '—'}`).join(' · ');
}

/** The help as a sentence: with a full stop where it ends without one. */
const sentence = (help: string): string => (/[.!?)]$/.test(help.trim()) ? help : `${help}.`);

export function FieldHelp({
  field,
  schema,
  name,
}: {
  readonly field: FieldSpec;
  readonly schema: SettingsSchema;
  readonly name: string;
}) {
  return (
    <details className="field-help">
      <summary aria-label={`About ${fieldLabel(field)}`} title={`About ${fieldLabel(field)}`}>
        i
      </summary>
      <div id={fieldHelpId(name)} className="field-help-text">
        <span className="help-line">{sentence(field.help)}</span>
        {field.reference && (
          <span className="help-line">
            {' '}
            Official name: <code>{field.reference}</code>.
          </span>
        )}
        <span className="help-line"> Default: {presetDefaults(field, schema)}.</span>
      </div>
    </details>
  );
}
