/**
 * One entry point for recurrent genotype texts: this project's JSON
 * (`format: "nas-lab.rnn-genotype"`) or DARTS's Python repr (`Genotype(recurrent=..., concat=...)`),
 * told apart by the first character. Free of tfjs.
 */
import { checkGenotypeTextSize } from '../../genotype/genotypeTextLimit';
import type { RnnGenotype } from './rnnGenotype';
import { parseRnnGenotype, stringifyRnnGenotype } from './rnnGenotype';
import { parseNamedRnnGenotypeRepr, rnnGenotypeToRepr } from './rnnGenotypeRepr';

const RNN_GENOTYPE_TEXT_FORMATS = ['json', 'repr'] as const;

export type RnnGenotypeTextFormat = (typeof RNN_GENOTYPE_TEXT_FORMATS)[number];

export interface ImportedRnnGenotype {
  readonly genotype: RnnGenotype;
  readonly format: RnnGenotypeTextFormat;
  /** The repr's assignment target, or null. */
  readonly name: string | null;
}

/** Reads a recurrent genotype; `fileName`, when given, prefixes every error message. */
export function importRnnGenotypeText(text: string, fileName?: string): ImportedRnnGenotype {
  try {
    checkGenotypeTextSize(text, 'the genotype text');
    if (text.trimStart().startsWith('{')) {
      return { genotype: parseRnnGenotype(text), format: 'json', name: null };
    }
    const { genotype, name } = parseNamedRnnGenotypeRepr(text);
    return { genotype, format: 'repr', name };
  } catch (e) {
    if (fileName === undefined) throw e;
    throw new Error(`${fileName}: ${(e as Error).message}`);
  }
}

/** The text of a genotype download: JSON, or the repr line `NAME = Genotype(...)`. */
export function formatRnnGenotype(
  g: RnnGenotype,
  format: RnnGenotypeTextFormat,
  name?: string,
): string {
  switch (format) {
    case 'json':
      return stringifyRnnGenotype(g);
    case 'repr':
      return `${rnnGenotypeToRepr(g, name)}\n`;
    default:
      throw new Error(
        `unknown genotype format ${JSON.stringify(format)}; use ${RNN_GENOTYPE_TEXT_FORMATS.join(', ')}`,
      );
  }
}
