/**
 * The recurrent search's genotype as this project's JSON, with download and copy as that JSON or
 * as DARTS's `rnn/genotypes.py` repr (`genotype = Genotype(recurrent=[...], concat=range(1, 9))`).
 */
import { memo, useState } from 'react';
import type { RnnGenotypeJson } from '../nas/rnn/genotype/rnnGenotype';
import { rnnGenotypeFromJson } from '../nas/rnn/genotype/rnnGenotype';
import type { RnnGenotypeTextFormat } from '../nas/rnn/genotype/rnnGenotypeText';
import { formatRnnGenotype } from '../nas/rnn/genotype/rnnGenotypeText';
import { downloadBytes } from './download';

const FORMATS: readonly { value: RnnGenotypeTextFormat; label: string; extension: string }[] = [
  { value: 'json', label: 'NAS Lab JSON', extension: 'json' },
  { value: 'repr', label: "DARTS's rnn/genotypes.py", extension: 'py' },
];

/** The repr's assignment target: a name rnn/genotypes.py can hold. */
export const REPR_NAME = 'genotype';

export const RecurrentGenotypePanel = memo(function RecurrentGenotypePanel({
  genotype,
  step,
}: {
  genotype: RnnGenotypeJson | null;
  step: number;
}) {
  const [copied, setCopied] = useState(false);
  const [format, setFormat] = useState<RnnGenotypeTextFormat>('json');
  if (!genotype) return <p className="muted">The genotype appears after the first step.</p>;
  const parsed = rnnGenotypeFromJson(genotype);
  const json = formatRnnGenotype(parsed, 'json');
  const text = formatRnnGenotype(parsed, format, REPR_NAME);
  const extension = FORMATS.find((f) => f.value === format)?.extension ?? 'txt';
  const copy = async () => {
    await navigator.clipboard.writeText(text);
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <div className="genotype">
      <div className="buttons">
        <select
          name="rnn-genotype-format"
          aria-label="Genotype format"
          value={format}
          onChange={(e) => setFormat(e.target.value === 'repr' ? 'repr' : 'json')}
        >
          {FORMATS.map((f) => (
            <option key={f.value} value={f.value}>
              {f.label}
            </option>
          ))}
        </select>
        <button
          type="button"
          data-testid="rnn-genotype-download"
          onClick={() =>
            downloadBytes(text, `rnn-genotype-step-${step}.${extension}`, 'text/plain')
          }
        >
          Download genotype
        </button>
        <button type="button" onClick={() => void copy()}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <pre data-testid="rnn-genotype-json">{json}</pre>
      {format !== 'json' && <pre data-testid="rnn-genotype-text">{text}</pre>}
    </div>
  );
});
