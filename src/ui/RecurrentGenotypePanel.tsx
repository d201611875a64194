/**
 * The recurrent search's genotype as this project's JSON, with download and copy as that JSON or
 * as DARTS's `rnn/genotypes.py` repr (`genotype = Genotype(recurrent=[...], concat=range(1, 9))`).
 */
import { memo, useState } from 'react';
import type { RnnGenotypeJson } from '../nas/rnn/genotype/rnnGenotype';
import { rnnGenotypeFromJson } from '../nas/rnn/genotype/rnnGenotype';
import type { RnnGenotypeTextFormat } from '../nas/rnn/genotype/rnnGenotypeText';
import { formatRnnGenotype } from '../nas/rnn/genotype/rnnGenotypeText';
import type { TextFormatOption } from './GenotypePanel';
import { GenotypeTextButtons } from './GenotypePanel';

const FORMATS: readonly TextFormatOption<RnnGenotypeTextFormat>[] = [
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
  const [format, setFormat] = useState<RnnGenotypeTextFormat>('json');
  if (!genotype) return <p className="muted">The genotype appears after the first step.</p>;
  const parsed = rnnGenotypeFromJson(genotype);
  const json = formatRnnGenotype(parsed, 'json');
  const text = formatRnnGenotype(parsed, format, REPR_NAME);
  return (
    <div className="genotype">
      <GenotypeTextButtons
        formats={FORMATS}
        format={format}
        onFormat={setFormat}
        text={text}
        fileStem={`rnn-genotype-step-${step}`}
        selectName="rnn-genotype-format"
        downloadTestId="rnn-genotype-download"
      />
      <pre data-testid="rnn-genotype-json">{json}</pre>
      {format !== 'json' && <pre data-testid="rnn-genotype-text">{text}</pre>}
    </div>
  );
});
