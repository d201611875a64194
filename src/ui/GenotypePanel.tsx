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

const FORMATS: readonly { value: GenotypeTextFormat; label: string; extension: string }[] = [
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

export const GenotypePanel = memo(function GenotypePanel({
  genotype,
  step,
}: {
  genotype: GenotypeJson | null;
  step: number;
}) {
  const [copied, setCopied] = useState(false);
  const [format, setFormat] = useState<GenotypeTextFormat>('json');
  if (!genotype) return <p className="muted">The genotype appears after the first step.</p>;
  const json = formatGenotypeJson(genotype);
  const chosen = formatted(genotype, format);
  const extension = FORMATS.find((f) => f.value === format)?.extension ?? 'txt';
  const download = () => {
    if ('text' in chosen)
      downloadBytes(chosen.text, `genotype-step-${step}.${extension}`, 'text/plain');
  };
  const copy = async () => {
    if (!('text' in chosen)) return;
    await navigator.clipboard.writeText(chosen.text);
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <div className="genotype">
      <div className="buttons">
        <select
          name="genotype-format"
          aria-label="Genotype format"
          value={format}
          onChange={(e) => setFormat(e.target.value as GenotypeTextFormat)}
        >
          {FORMATS.map((f) => (
            <option key={f.value} value={f.value}>
              {f.label}
            </option>
          ))}
        </select>
        <button type="button" onClick={download} disabled={!('text' in chosen)}>
          Download genotype
        </button>
        <button type="button" onClick={() => void copy()} disabled={!('text' in chosen)}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
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
