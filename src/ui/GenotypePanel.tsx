/**
 * The current genotype as this project's JSON, with download and copy in any of the three
 * formats: this JSON, DARTS's Python repr (genotypes.py) or NNI's exported architecture JSON.
 */
import { memo, useState } from 'react';
import type { GenotypeJson } from '../nas/genotype/genotype';
import { formatGenotypeJson, genotypeFromJson } from '../nas/genotype/genotype';
import type { GenotypeTextFormat } from '../nas/genotype/genotypeFormats';
import { formatGenotype } from '../nas/genotype/genotypeFormats';
import { downloadBytes } from './download';

const FORMATS: readonly TextFormatOption<GenotypeTextFormat>[] = [
  { value: 'json', label: 'NAS Lab JSON', extension: 'json' },
  { value: 'repr', label: "DARTS's genotypes.py", extension: 'py' },
  { value: 'nni', label: "NNI's epoch_N.json", extension: 'nni.json' },
];

/** The genotype in a format, or the reason it cannot be written in it. */
function formatted(
  genotype: GenotypeJson,
  format: GenotypeTextFormat,
): { text: string } | { problem: string } {
  try {
    return {
      text:
        format === 'json'
          ? formatGenotypeJson(genotype)
          : formatGenotype(genotypeFromJson(genotype), format),
    };
  } catch (e) {
    return { problem: (e as Error).message };
  }
}

/** A text format a genotype panel offers: its value, menu label and file extension. */
export interface TextFormatOption<F extends string> {
  readonly value: F;
  readonly label: string;
  readonly extension: string;
}

/**
 * The format menu and the download and copy buttons of a genotype panel (either kind of
 * genotype). `text` is the genotype in the chosen format, or null when it cannot be written in it.
 */
export function GenotypeTextButtons<F extends string>({
  formats,
  format,
  onFormat,
  text,
  fileStem,
  selectName,
  downloadTestId,
}: {
  readonly formats: readonly TextFormatOption<F>[];
  readonly format: F;
  readonly onFormat: (format: F) => void;
  readonly text: string | null;
  /** The downloaded file's name before its extension. */
  readonly fileStem: string;
  readonly selectName: string;
  readonly downloadTestId?: string;
}) {
  const [copied, setCopied] = useState(false);
  const extension = formats.find((f) => f.value === format)?.extension ?? 'txt';
  const download = () => {
    if (text !== null) downloadBytes(text, `${fileStem}.${extension}`, 'text/plain');
  };
  const copy = async () => {
    if (text === null) return;
    await navigator.clipboard.writeText(text);
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <div className="buttons">
      <select
        name={selectName}
        aria-label="Genotype format"
        value={format}
        onChange={(e) => onFormat(formats.find((f) => f.value === e.target.value)?.value ?? format)}
      >
        {formats.map((f) => (
          <option key={f.value} value={f.value}>
            {f.label}
          </option>
        ))}
      </select>
      <button
        type="button"
        data-testid={downloadTestId}
        onClick={download}
        disabled={text === null}
      >
        Download genotype
      </button>
      <button type="button" onClick={() => void copy()} disabled={text === null}>
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}

export const GenotypePanel = memo(function GenotypePanel({
  genotype,
  step,
}: {
  genotype: GenotypeJson | null;
  step: number;
}) {
  const [format, setFormat] = useState<GenotypeTextFormat>('json');
  if (!genotype) return <p className="muted">The genotype appears after the first step.</p>;
  const json = formatGenotypeJson(genotype);
  const chosen = formatted(genotype, format);
  return (
    <div className="genotype">
      <GenotypeTextButtons
        formats={FORMATS}
        format={format}
        onFormat={setFormat}
        text={'text' in chosen ? chosen.text : null}
        fileStem={`genotype-step-${step}`}
        selectName="genotype-format"
      />
      <pre data-testid="genotype-json">{json}</pre>
      {format !== 'json' &&
        ('text' in chosen ? (
          <pre data-testid="genotype-text">{chosen.text}</pre>
        ) : (
          <p className="problem" data-testid="genotype-format-problem">
            {chosen.problem}
          </p>
        ))}
    </div>
  );
});
