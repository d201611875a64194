/**
 * `nas-lab retrain --space rnn --genotype FILE|NAME`: a published recurrent genotype by the name
 * `rnn/genotypes.py` gives it (DARTS_V1, DARTS_V2, ENAS; DARTS is DARTS_V2 there, and the
 * RNN_-prefixed names this project's code uses are accepted too), else a file holding this
 * project's recurrent genotype JSON or DARTS's repr (`Genotype(recurrent=[...], concat=...)`).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { RnnGenotype } from '../nas/rnn/genotype/rnnGenotype';
import { importRnnGenotypeText } from '../nas/rnn/genotype/rnnGenotypeText';
import type { RnnPublishedGenotypeName } from '../nas/rnn/genotype/rnnPublishedGenotypes';
import { RNN_PUBLISHED_GENOTYPES } from '../nas/rnn/genotype/rnnPublishedGenotypes';
import { MAX_GENOTYPE_TEXT_CHARS } from '../nas/genotype/genotypeTextLimit';

export interface RnnGenotypeArg {
  readonly genotype: RnnGenotype;
  /** The published name, the name a repr assigns, or the file's name. */
  readonly label: string;
  readonly source: 'published' | 'json' | 'repr';
}

const PUBLISHED = Object.keys(RNN_PUBLISHED_GENOTYPES) as RnnPublishedGenotypeName[];

/** The published genotype `value` names (case ignored, `RNN_` prefix optional, DARTS = V2). */
export function rnnPublishedName(value: string): RnnPublishedGenotypeName | null {
  const bare = value.toUpperCase().replace(/^RNN_/, '');
  if (bare === 'DARTS') return 'DARTS_V2';
  return PUBLISHED.find((name) => name === bare) ?? null;
}

function readRnnGenotypeFile(path: string): RnnGenotypeArg {
  if (!statSync(path).isFile()) throw new Error(`--genotype ${path} is not a file`);
  const size = statSync(path).size;
  if (size > 4 * MAX_GENOTYPE_TEXT_CHARS) {
    throw new Error(
      `${path}: the file takes ${size} bytes; genotype texts are limited to ${MAX_GENOTYPE_TEXT_CHARS} characters`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(path));
  } catch {
    throw new Error(`${path} is not UTF-8 text, so not a genotype file`);
  }
  const imported = importRnnGenotypeText(text, path);
  return {
    genotype: imported.genotype,
    label: imported.name ?? basename(path),
    source: imported.format,
  };
}

/** Resolves the flag's value; errors name the value and what was expected. */
export function resolveRnnGenotypeArg(value: string): RnnGenotypeArg {
  const name = rnnPublishedName(value);
  if (name !== null) {
    return { genotype: RNN_PUBLISHED_GENOTYPES[name], label: name, source: 'published' };
  }
  if (!existsSync(value)) {
    throw new Error(
      `--genotype ${value}: no such file, and not a published recurrent genotype (${PUBLISHED.join(', ')})`,
    );
  }
  return readRnnGenotypeFile(value);
}
