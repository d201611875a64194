/**
 * A search's genotype as this project's JSON, with download and copy in the formats of its space:
 * a convolutional genotype as this JSON, DARTS's Python repr (`cnn/genotypes.py`) or NNI's
 * exported architecture JSON; a recurrent one as this JSON or DARTS's `rnn/genotypes.py` repr
 * (`genotype = Genotype(recurrent=[...], concat=range(1, 9))`).
 */
import { memo, useState } from 'react';
import type { GenotypeJson } from '../nas/genotype/genotype';
import { formatGenotypeJson, genotypeFromJson } from '../nas/genotype/genotype';
import { formatGenotype } from '../nas/genotype/genotypeFormats';
import type { RnnGenotypeJson } from '../nas/rnn/genotype/rnnGenotype';
import { rnnGenotypeFromJson } from '../nas/rnn/genotype/rnnGenotype';
import { formatRnnGenotype } from '../nas/rnn/genotype/rnnGenotypeText';
import { downloadBytes } from './download';

/** A text format a genotype panel offers; `write` throws where the genotype has no such text. */
export interface GenotypeFormat<G> {
  readonly value: string;
  readonly label: string;
  readonly extension: string;
  readonly write: (genotype: G) => string;
}

export const CELL_GENOTYPE_FORMATS: readonly GenotypeFormat<GenotypeJson>[] = [
  { value: 'json', label: 'NAS Lab JSON', extension: 'json', write: formatGenotypeJson },
  {
    value: 'repr',
    label: "DARTS's genotypes.py",
    extension: 'py',
    write: (g) => formatGenotype(genotypeFromJson(g), 'repr'),
  },
  {
    value: 'nni',
    label: "NNI's epoch_N.json",
    extension: 'nni.json',
    write: (g) => formatGenotype(genotypeFromJson(g), 'nni'),
  },
];

/** The recurrent repr's assignment target: a name rnn/genotypes.py can hold. */
export const REPR_NAME = 'genotype';

export const RNN_GENOTYPE_FORMATS: readonly GenotypeFormat<RnnGenotypeJson>[] = [
  {
    value: 'json',
    label: 'NAS Lab JSON',
    extension: 'json',
    write: (g) => formatRnnGenotype(rnnGenotypeFromJson(g), 'json'),
  },
  {
    value: 'repr',
    label: "DARTS's rnn/genotypes.py",
    extension: 'py',
    write: (g) => formatRnnGenotype(rnnGenotypeFromJson(g), 'repr', REPR_NAME),
  },
];

/** The genotype in a format, or the reason it cannot be written in it. */
function written<G>(
  genotype: G,
  format: GenotypeFormat<G>,
): { text: string } | { problem: string } {
  try {
    return { text: format.write(genotype) };
  } catch (e) {
    return { problem: (e as Error).message };
  }
}

interface GenotypePanelProps<G> {
  readonly genotype: G | null;
  /** The step it was derived at (the downloaded file's name says it). */
  readonly step: number;
  /** The formats offered; the first is the JSON shown. */
  readonly formats: readonly GenotypeFormat<G>[];
  /** Before the panel's test ids, file names and field names: '' or 'rnn-'. */
  readonly prefix: string;
}

function GenotypePanelOf<G>({ genotype, step, formats, prefix }: GenotypePanelProps<G>) {
  const [format, setFormat] = useState(formats[0]?.value ?? 'json');
  const [copied, setCopied] = useState(false);
  const json = formats[0];
  if (!genotype || !json)
    return <p className="muted">The genotype appears after the first step.</p>;
  const option = formats.find((f) => f.value === format) ?? json;
  const chosen = written(genotype, option);
  const text = 'text' in chosen ? chosen.text : null;
  const download = () => {
    if (text !== null)
      downloadBytes(text, `${prefix}genotype-step-${step}.${option.extension}`, 'text/plain');
  };
  const copy = async () => {
    if (text === null) return;
    await navigator.clipboard.writeText(text);
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  const shown = written(genotype, json);
  return (
    <div className="genotype">
      <div className="buttons">
        <select
          name={`${prefix}genotype-format`}
          aria-label="Genotype format"
          value={format}
          onChange={(e) => setFormat(e.target.value)}
        >
          {formats.map((f) => (
            <option key={f.value} value={f.value}>
              {f.label}
            </option>
          ))}
        </select>
        <button
          type="button"
          data-testid={`${prefix}genotype-download`}
          onClick={download}
          disabled={text === null}
        >
          Download genotype
        </button>
        <button type="button" onClick={() => void copy()} disabled={text === null}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      {/* Focusable: it scrolls, and a keyboard must reach it (axe scrollable-region-focusable). */}
      <pre data-testid={`${prefix}genotype-json`} tabIndex={0}>
        {'text' in shown ? shown.text : shown.problem}
      </pre>
      {option !== json &&
        ('text' in chosen ? (
          <pre data-testid={`${prefix}genotype-text`} tabIndex={0}>
            {chosen.text}
          </pre>
        ) : (
          <p className="problem" data-testid={`${prefix}genotype-format-problem`}>
            {chosen.problem}
          </p>
        ))}
    </div>
  );
}

/** Memoised: the genotype object stays the same while the architecture does not change. */
export const GenotypePanel = memo(GenotypePanelOf) as typeof GenotypePanelOf;
