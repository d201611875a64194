/** The current genotype as JSON, with download and copy. */
import { useState } from 'react';
import type { GenotypeJson } from '../nas/genotype';
import { formatGenotypeJson } from '../nas/genotype';

export function GenotypePanel({ genotype, step }: { genotype: GenotypeJson | null; step: number }) {
  const [copied, setCopied] = useState(false);
  if (!genotype) return <p className="muted">The genotype appears after the first step.</p>;
  const text = formatGenotypeJson(genotype);
  const download = () => {
    const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `genotype-step-${step}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  const copy = async () => {
    await navigator.clipboard.writeText(text);
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <div className="genotype">
      <div className="buttons">
        <button type="button" onClick={download}>
          Download genotype
        </button>
        <button type="button" onClick={() => void copy()}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <pre data-testid="genotype-json">{text}</pre>
    </div>
  );
}
