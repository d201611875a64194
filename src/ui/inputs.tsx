/**
 * The hand-written controls the panels share beside the generated settings form: a labelled
 * select of options (the search space, the algorithm, the backend, a genotype to retrain) and a
 * labelled file picker that hands over one file and can take the same file again.
 */
import type { ReactNode } from 'react';

export interface SelectOption {
  readonly value: string;
  readonly label: string;
  readonly disabled?: boolean;
}

export function LabelledSelect({
  label,
  name,
  value,
  options,
  disabled,
  title,
  onChange,
}: {
  readonly label: ReactNode;
  readonly name: string;
  readonly value: string;
  readonly options: readonly SelectOption[];
  readonly disabled: boolean;
  readonly title?: string;
  readonly onChange: (value: string) => void;
}) {
  return (
    <label className="field" title={title}>
      <span>{label}</span>
      <select
        name={name}
        value={value}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value)}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value} disabled={o.disabled}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}

export function FileInput({
  label,
  name,
  accept,
  disabled,
  className = 'field',
  onFile,
}: {
  readonly label: string;
  readonly name: string;
  readonly accept: string;
  readonly disabled: boolean;
  readonly className?: string;
  readonly onFile: (file: File) => void;
}) {
  return (
    <label className={className}>
      <span>{label}</span>
      <input
        type="file"
        name={name}
        accept={accept}
        disabled={disabled}
        onChange={(e) => {
          const file = e.target.files?.[0];
          // Cleared, so that choosing the same file again is a change too.
          e.target.value = '';
          if (file) onFile(file);
        }}
      />
    </label>
  );
}
