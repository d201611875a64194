/**
 * `--genotype FILE|NAME`: a published genotype by name (DARTS_V2, ...), else a file in any
 * format `parseGenotypeAny` reads (this project's JSON, DARTS's Python repr, NNI's JSON).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { CHECKPOINT_MAGIC } from '../nas/io/checkpointFormat';
import type { Genotype } from '../nas/genotype/genotype';
import type { GenotypeSourceFormat } from '../nas/genotype/genotypeFormats';
import { importGenotypeText } from '../nas/genotype/genotypeFormats';
import { MAX_GENOTYPE_TEXT_CHARS } from '../nas/genotype/genotypeTextLimit';
import type { PublishedGenotypeName } from '../nas/genotype/publishedGenotypes';
import { PUBLISHED_GENOTYPES } from '../nas/genotype/publishedGenotypes';

export interface GenotypeArg {
  readonly genotype: Genotype;
  /** What to call it in messages: the published name, the name a repr assigns, or the file's name. */
  readonly label: string;
  readonly source: 'published' | GenotypeSourceFormat;
}

const PUBLISHED_NAMES = Object.keys(PUBLISHED_GENOTYPES) as PublishedGenotypeName[];

/** The published name `value` spells, ignoring case; null when it names none. */
export function publishedGenotypeName(value: string): PublishedGenotypeName | null {
  return (
    PUBLISHED_NAMES.find((name) => name === value) ??
    PUBLISHED_NAMES.find((name) => name.toLowerCase() === value.toLowerCase()) ??
    null
  );
}

function readGenotypeFile(path: string): GenotypeArg {
  if (!statSync(path).isFile()) throw new Error(`--genotype ${path} is not a file`);
  // UTF-8 takes at most 4 bytes a character: a longer file is over the limit for sure.
  const size = statSync(path).size;
  if (size > 4 * MAX_GENOTYPE_TEXT_CHARS) {
    throw new Error(
      `${path}: the file takes ${size} bytes; genotype texts are limited to ${MAX_GENOTYPE_TEXT_CHARS} characters (64 KiB)`,
    );
  }
  const bytes = readFileSync(path);
  if (bytes.subarray(0, CHECKPOINT_MAGIC.length).toString('latin1') === CHECKPOINT_MAGIC) {
    throw new Error(
      `${path} is a NAS Lab binary file (a trained model or a search checkpoint), not a genotype`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`${path} is not UTF-8 text, so not a genotype file`);
  }
  const imported = importGenotypeText(text, path);
  return {
    genotype: imported.genotype,
    label: imported.name ?? basename(path),
    source: imported.format,
  };
}

/** Resolves the flag's value; errors name the value and what was expected. */
export function resolveGenotypeArg(value: string): GenotypeArg {
  const name = publishedGenotypeName(value);
  if (name !== null)
    return { genotype: PUBLISHED_GENOTYPES[name], label: name, source: 'published' };
  if (!existsSync(value)) {
    throw new Error(
      `--genotype ${value}: no such file, and not a published genotype (${PUBLISHED_NAMES.join(', ')})`,
    );
  }
  return readGenotypeFile(value);
}
