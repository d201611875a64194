/**
 * One settings field as a form control, from its spec alone: a number as a numeric input with its
 * range, a choice as a select, a switch as a checkbox, a text as an input (a text area where it
 * may be long), a list as checkboxes of its choices. Each control is labelled, carries the field's
 * guidance (what it means, its name in DARTS or NNI, its default in each preset) as its tooltip,
 * as its accessible description and behind an "i" (FieldHelp.tsx), and shows the problem that
 * names it. No hooks: the form's tests call its components as functions.
 */
import type { ReactNode } from 'react';
import type { FieldSpec, SettingValue, SettingsSchema } from '../../nas/runKind/settingsSchema';
import { fieldLabel } from '../../nas/runKind/settingsSchema';
import { FieldHelp, fieldHelpId, presetDefaults } from './FieldHelp';

/** Texts longer than this may be typed in a text area. */
const LONG_TEXT = 200;

/** The field's guidance: its help, its official name and its default in each preset. */
export function fieldTitle(field: FieldSpec, schema: SettingsSchema): string {
  return [
    field.help,
    ...(field.reference ? [`Official name: ${field.reference}`] : []),
    `Default: ${presetDefaults(field, schema)}`,
  ].join('\n');
}

export interface FieldControlProps {
  readonly field: FieldSpec;
  readonly schema: SettingsSchema;
  readonly value: SettingValue | undefined;
  /** The control's name (unique on the page). */
  readonly name: string;
  readonly disabled: boolean;
  /** What is wrong with the value, for people. */
  readonly problems: readonly string[];
  readonly onChange: (key: string, value: SettingValue) => void;
  /** A colour shown beside a list's choice (the ops' colours), where there is one. */
  readonly choiceColor?: (choice: string) => string | undefined;
}

function Problems({ id, problems }: { id: string; problems: readonly string[] }) {
  return problems.length === 0 ? null : (
    <p className="problem field-problem" id={id} data-testid={id}>
      {problems.join('; ')}
    </p>
  );
}

/** The number an input holds (NaN while it is empty or half typed). */
const numberOf = (input: HTMLInputElement): number =>
  input.value.trim() === '' ? Number.NaN : input.valueAsNumber;

/** A control's row: the labelled control and its "i", then the help and the problems. */
function FieldRow({
  props,
  label,
  title,
  control,
  problemId,
  className = 'field',
}: {
  props: FieldControlProps;
  label: string;
  title: string;
  control: ReactNode;
  problemId: string;
  className?: string;
}) {
  const { field, schema, name, problems } = props;
  const text = <span>{label}</span>;
  return (
    <div className="field-block">
      <div className="field-row">
        <label className={className} title={title}>
          {className === 'field' ? (
            <>
              {text}
              {control}
            </>
          ) : (
            <>
              {control}
              {text}
            </>
          )}
        </label>
        <FieldHelp field={field} schema={schema} name={name} />
      </div>
      <Problems id={problemId} problems={problems} />
    </div>
  );
}

export function FieldControl(props: FieldControlProps) {
  const { field, schema, value, name, disabled, problems, onChange } = props;
  const label = fieldLabel(field);
  const title = fieldTitle(field, schema);
  const problemId = `${name}-problem`;
  const invalid = problems.length > 0;
  const aria = {
    title,
    'aria-invalid': invalid || undefined,
    'aria-describedby': invalid ? `${fieldHelpId(name)} ${problemId}` : fieldHelpId(name),
  };
  const row = { props, label, title, problemId };
  let control: ReactNode;
  switch (field.type) {
    case 'int':
    case 'number':
      control = (
        <input
          type="number"
          name={name}
          min={field.min}
          max={field.max}
          step={field.type === 'int' ? 1 : 'any'}
          value={typeof value === 'number' && !Number.isNaN(value) ? value : ''}
          disabled={disabled}
          onChange={(e) => onChange(field.key, numberOf(e.target))}
          {...aria}
        />
      );
      break;
    case 'choice':
      control = (
        <select
          name={name}
          value={String(value)}
          disabled={disabled}
          onChange={(e) => onChange(field.key, e.target.value)}
          {...aria}
        >
          {field.choices.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      );
      break;
    case 'boolean':
      return (
        <FieldRow
          {...row}
          className="field checkbox"
          control={
            <input
              type="checkbox"
              name={name}
              checked={value === true}
              disabled={disabled}
              onChange={(e) => onChange(field.key, e.target.checked)}
              {...aria}
            />
          }
        />
      );
    case 'text': {
      const text = typeof value === 'string' ? value : '';
      const common = { name, value: text, disabled, maxLength: field.maxLength, ...aria };
      control =
        field.maxLength > LONG_TEXT ? (
          <textarea {...common} rows={3} onChange={(e) => onChange(field.key, e.target.value)} />
        ) : (
          <input type="text" {...common} onChange={(e) => onChange(field.key, e.target.value)} />
        );
      break;
    }
    case 'list':
      return <ListControl {...props} label={label} title={title} problemId={problemId} />;
  }
  return <FieldRow {...row} control={control} />;
}

/** A list: a checkbox per choice, kept in the choices' order; without choices, a text. */
function ListControl({
  field,
  schema,
  value,
  name,
  disabled,
  problems,
  onChange,
  choiceColor,
  label,
  title,
  problemId,
}: FieldControlProps & { label: string; title: string; problemId: string }) {
  if (field.type !== 'list') return null;
  const items: readonly string[] = Array.isArray(value) ? value : [];
  const choices = field.choices;
  if (!choices) {
    return (
      <div className="field-block">
        <label className="field" title={title}>
          <span>{label}</span>
          <input
            type="text"
            name={name}
            value={items.join(',')}
            disabled={disabled}
            onChange={(e) =>
              onChange(
                field.key,
                e.target.value.split(',').map((s) => s.trim()),
              )
            }
          />
        </label>
        <Problems id={problemId} problems={problems} />
      </div>
    );
  }
  const toggle = (choice: string, on: boolean) => {
    const chosen = new Set(items);
    if (on) chosen.add(choice);
    else chosen.delete(choice);
    onChange(
      field.key,
      choices.filter((c) => chosen.has(c)),
    );
  };
  return (
    <fieldset
      className="field-list"
      disabled={disabled}
      title={title}
      aria-invalid={problems.length > 0 || undefined}
      aria-describedby={fieldHelpId(name)}
    >
      <legend>{label}</legend>
      <FieldHelp field={field} schema={schema} name={name} />
      {choices.map((choice) => {
        const color = choiceColor?.(choice);
        return (
          <label key={choice} className="list-choice">
            <input
              type="checkbox"
              name={`${name}-${choice}`}
              checked={items.includes(choice)}
              onChange={(e) => toggle(choice, e.target.checked)}
            />
            {color && <span className="swatch" style={{ background: color }} />}
            {choice}
          </label>
        );
      })}
      <Problems id={problemId} problems={problems} />
    </fieldset>
  );
}
