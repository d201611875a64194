/**
 * One entry point for genotype files in any of the formats the DARTS family writes:
 * - `json`: this project's genotype JSON (`format: "nas-lab.genotype"`) or any object with
 *   DARTS's field names (`normal`, `normal_concat`, `reduce`, `reduce_concat`);
 * - `nni`: NNI's exported architecture (`epoch_N.json`), recognised by its keys;
 * - `repr`: the Python repr `[NAME =] Genotype(...)` of DARTS/pt.darts/CDARTS (`cnn/genotypes.py`);
 * - `cdarts-cells`: CDARTS's `cells/*.json` (stage → `"Genotype(...)"` string), read
 *   when every stage holds the same genotype, as this project uses one genotype for all cells.
 * The size limit is checked before anything is parsed; nothing is ever evaluated.
 */
import type { Genotype } from './genotype';
import { genotypeFromJson, genotypesEqual, stringifyGenotype } from './genotype';
import { genotypeToRepr, parseNamedGenotypeRepr } from './genotypeRepr';
import { checkGenotypeTextSize } from './genotypeTextLimit';
import { formatNniArchitecture, genotypeFromNni, hasNniArchitectureKeys } from './nniArchitecture';

/** Formats genotypes can be written in. */
export type GenotypeTextFormat = 'json' | 'repr' | 'nni';
export const GENOTYPE_TEXT_FORMATS: readonly GenotypeTextFormat[] = ['json', 'repr', 'nni'];

/** Formats genotypes can be read from. */
export type GenotypeSourceFormat = GenotypeTextFormat | 'cdarts-cells';

export interface ImportedGenotype {
  readonly genotype: Genotype;
  readonly format: GenotypeSourceFormat;
  /** The name a repr assigns (`DARTS_V2 = Genotype(...)`), else null. */
  readonly name: string | null;
}

const DARTS_FIELDS = ['normal', 'normal_concat', 'reduce', 'reduce_concat'];
const REPR_CALL = /\bGenotype\s*\(/;

const hasOwn = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

function fromCdartsCells(cells: Record<string, string>): ImportedGenotype {
  const stages = Object.keys(cells);
  let first: Genotype | null = null;
  for (const stage of stages) {
    let genotype: Genotype;
    try {
      genotype = parseNamedGenotypeRepr(cells[stage] as string).genotype;
    } catch (e) {
      throw new Error(`CDARTS cells stage "${stage}": ${(e as Error).message}`);
    }
    if (first === null) first = genotype;
    else if (!genotypesEqual(first, genotype)) {
      throw new Error(
        `CDARTS cells stage "${stage}" differs from stage "${stages[0]}"; this project uses one genotype for every cell`,
      );
    }
  }
  return { genotype: first as Genotype, format: 'cdarts-cells', name: null };
}

function fromJsonObject(o: Record<string, unknown>): ImportedGenotype {
  if (hasOwn(o, 'format') || DARTS_FIELDS.some((f) => hasOwn(o, f))) {
    return { genotype: genotypeFromJson(o), format: 'json', name: null };
  }
  if (hasNniArchitectureKeys(o)) return { genotype: genotypeFromNni(o), format: 'nni', name: null };
  const values = Object.values(o);
  if (values.length > 0 && values.every((v) => typeof v === 'string' && REPR_CALL.test(v))) {
    return fromCdartsCells(o as Record<string, string>);
  }
  const keys = Object.keys(o);
  const shown =
    keys.length > 0
      ? `keys ${keys.slice(0, 6).join(', ')}${keys.length > 6 ? ', ...' : ''}`
      : 'no keys';
  throw new Error(
    `unrecognised genotype JSON (${shown}): expected this project's genotype JSON ` +
      `(${DARTS_FIELDS.join(', ')}), an NNI architecture ({normal|reduce}_n{d}_p{j} and ` +
      `_switch keys) or CDARTS cells JSON (stage → "Genotype(...)")`,
  );
}

function fromText(text: string): ImportedGenotype {
  const body = text.replace(/^\uFEFF/, '');
  const start = body.trimStart()[0];
  if (start === undefined) throw new Error('the genotype text is empty');
  if (start === '{' || start === '[') {
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch (e) {
      throw new Error(`the text starts like JSON but is not valid JSON (${(e as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new Error('a genotype JSON file must hold an object, not a list');
    }
    return fromJsonObject(value as Record<string, unknown>);
  }
  if (REPR_CALL.test(body)) {
    const { name, genotype } = parseNamedGenotypeRepr(body);
    return { genotype, format: 'repr', name };
  }
  throw new Error(
    'unrecognised genotype text: expected genotype JSON, NNI architecture JSON or a Python ' +
      'Genotype(...) repr',
  );
}

/**
 * Detects the format of a genotype text and reads it. Errors name the file when a name is given.
 */
export function importGenotypeText(text: string, fileName?: string): ImportedGenotype {
  try {
    checkGenotypeTextSize(text, fileName === undefined ? 'the genotype text' : 'the file');
    return fromText(text);
  } catch (e) {
    if (fileName === undefined || !(e instanceof Error)) throw e;
    throw new Error(`${fileName}: ${e.message}`);
  }
}

/** Reads a genotype from text in any supported format (see importGenotypeText). */
export function parseGenotypeAny(text: string, fileName?: string): Genotype {
  return importGenotypeText(text, fileName).genotype;
}

/** The genotype as file text: this project's JSON, DARTS's Python repr, or NNI's JSON. */
export function formatGenotype(g: Genotype, format: GenotypeTextFormat): string {
  switch (format) {
    case 'json':
      return stringifyGenotype(g);
    case 'repr':
      return `${genotypeToRepr(g)}\n`;
    case 'nni':
      return formatNniArchitecture(g);
    default:
      throw new Error(
        `unknown genotype format ${JSON.stringify(format)}; use ${GENOTYPE_TEXT_FORMATS.join(', ')}`,
      );
  }
}
