/**
 * Genotypes: the discrete cells derived from the alphas, with the official DARTS rule
 * (`cnn/model_search.py` genotype()), and their JSON form with validation.
 */
import type { OpName } from '../ops/primitives';
import { isOpName, KNOWN_OPS } from '../ops/primitives';

/** One chosen edge: the op and the index of the state it reads (0 = c_{k−2}, 1 = c_{k−1}, 2.. = nodes). */
export type Gene = readonly [op: OpName, input: number];

export interface Genotype {
  readonly normal: readonly Gene[];
  readonly normalConcat: readonly number[];
  readonly reduce: readonly Gene[];
  readonly reduceConcat: readonly number[];
}

/** Row-wise softmax in double precision. */
export function softmaxRows(logits: readonly (readonly number[])[]): number[][] {
  return logits.map((row) => {
    const max = Math.max(...row);
    const exps = row.map((v) => Math.exp(v - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    return exps.map((e) => e / sum);
  });
}

/**
 * The official rule on one cell's op probabilities [edges, ops]: for each node, rank its
 * incoming edges by their strongest non-`none` probability (stable: on ties the earlier
 * predecessor wins), keep the top two, strongest first, each with its strongest non-`none` op
 * (on ties the earlier op wins).
 */
export function deriveCellGenes(
  probs: readonly (readonly number[])[],
  steps: number,
  primitives: readonly OpName[],
): Gene[] {
  const noneIndex = primitives.indexOf('none');
  const genes: Gene[] = [];
  let start = 0;
  for (let node = 0; node < steps; node++) {
    const count = node + 2;
    const candidates: { from: number; strength: number; op: number }[] = [];
    for (let from = 0; from < count; from++) {
      const row = probs[start + from];
      if (!row) throw new Error(`alphas have no row for edge ${start + from}`);
      let best = -1;
      for (let k = 0; k < row.length; k++) {
        if (k === noneIndex) continue;
        if (best === -1 || (row[k] as number) > (row[best] as number)) best = k;
      }
      if (best === -1) throw new Error('cannot derive a genotype from an op set with only none');
      candidates.push({ from, strength: row[best] as number, op: best });
    }
    // Array.prototype.sort is stable: equal strengths keep predecessor order.
    const kept = [...candidates].sort((a, b) => b.strength - a.strength).slice(0, 2);
    for (const c of kept) genes.push([primitives[c.op] as OpName, c.from]);
    start += count;
  }
  return genes;
}

export function concatRange(steps: number, multiplier = steps): number[] {
  const out: number[] = [];
  for (let i = 2 + steps - multiplier; i < 2 + steps; i++) out.push(i);
  return out;
}

export function deriveGenotype(
  alphaNormal: readonly (readonly number[])[],
  alphaReduce: readonly (readonly number[])[],
  steps: number,
  primitives: readonly OpName[],
  multiplier = steps,
): Genotype {
  return {
    normal: deriveCellGenes(softmaxRows(alphaNormal), steps, primitives),
    normalConcat: concatRange(steps, multiplier),
    reduce: deriveCellGenes(softmaxRows(alphaReduce), steps, primitives),
    reduceConcat: concatRange(steps, multiplier),
  };
}

export function genotypesEqual(a: Genotype, b: Genotype): boolean {
  return JSON.stringify(genotypeToJson(a)) === JSON.stringify(genotypeToJson(b));
}

/** Number of intermediate nodes of a cell: two genes per node. */
export function nodeCount(genes: readonly Gene[]): number {
  return genes.length / 2;
}

// ---------------------------------------------------------------------------------------------
// JSON

const GENOTYPE_FORMAT = 'nas-lab.genotype';

/** What every genotype file's JSON (convolutional or recurrent) opens with. */
export interface GenotypeFileHeader<F extends string> {
  format: F;
  version: 1;
}

/** The header of a genotype file of `format`. */
export function genotypeFileHeader<F extends string>(format: F): GenotypeFileHeader<F> {
  return { format, version: 1 };
}

/** Genes as the JSON files write them: [op, input] pairs. */
export type GenePairsJson = [string, number][];

/** A copy of `genes` as JSON pairs. */
export function genePairsJson(genes: readonly (readonly [string, number])[]): GenePairsJson {
  return genes.map(([op, input]) => [op, input]);
}

export interface GenotypeJson extends GenotypeFileHeader<typeof GENOTYPE_FORMAT> {
  normal: GenePairsJson;
  normal_concat: number[];
  reduce: GenePairsJson;
  reduce_concat: number[];
}

/** The JSON form uses DARTS's field names (`cnn/genotypes.py`). */
export function genotypeToJson(g: Genotype): GenotypeJson {
  return {
    ...genotypeFileHeader(GENOTYPE_FORMAT),
    normal: genePairsJson(g.normal),
    normal_concat: [...g.normalConcat],
    reduce: genePairsJson(g.reduce),
    reduce_concat: [...g.reduceConcat],
  };
}

/** Indented JSON with each [op, input] pair on one line, as DARTS prints genotypes. */
export function formatGenotypeJson(json: GenotypeJson): string {
  return formatGenePairsJson(json);
}

/** Indented JSON with each [op, input] pair on one line (either kind of genotype). */
export function formatGenePairsJson(json: unknown): string {
  const text = JSON.stringify(json, null, 2).replace(/\[\s+("[^"]*"),\s+(-?\d+)\s+\]/g, '[$1, $2]');
  return `${text}\n`;
}

export function stringifyGenotype(g: Genotype): string {
  return formatGenotypeJson(genotypeToJson(g));
}

function fail(message: string): never {
  throw new Error(`invalid genotype: ${message}`);
}

function parseGenes(value: unknown, field: string): Gene[] {
  if (!Array.isArray(value)) fail(`"${field}" must be a list of [op, input] pairs`);
  if (value.length === 0 || value.length % 2 !== 0) {
    fail(`"${field}" must hold two edges per node (an even, non-zero count), got ${value.length}`);
  }
  return value.map((gene: unknown, i): Gene => {
    if (!Array.isArray(gene) || gene.length !== 2) fail(`${field}[${i}] must be [op, input]`);
    const [op, input] = gene as unknown[];
    if (typeof op !== 'string' || !isOpName(op)) {
      fail(
        `${field}[${i}] has unknown op ${JSON.stringify(op)}; known ops: ${KNOWN_OPS.join(', ')}`,
      );
    }
    const node = Math.floor(i / 2);
    if (typeof input !== 'number' || !Number.isInteger(input) || input < 0 || input >= node + 2) {
      fail(
        `${field}[${i}] (node ${node}) reads input ${JSON.stringify(input)}; it must be an integer from 0 to ${node + 1}`,
      );
    }
    return [op, input];
  });
}

/**
 * A cell's concat (either kind of genotype): a non-empty list of distinct state indices below
 * `states`; `fail` throws the genotype kind's error.
 */
export function parseConcatList(
  value: unknown,
  field: string,
  states: number,
  fail: (message: string) => never,
): number[] {
  if (!Array.isArray(value) || value.length === 0) fail(`"${field}" must be a non-empty list`);
  const seen = new Set<number>();
  return value.map((v: unknown, i) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= states) {
      fail(`${field}[${i}] = ${JSON.stringify(v)} is not a state index from 0 to ${states - 1}`);
    }
    if (seen.has(v)) fail(`${field} lists state ${v} twice`);
    seen.add(v);
    return v;
  });
}

/** Validates an object in this project's genotype JSON form. */
export function genotypeFromJson(value: unknown): Genotype {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail('expected a JSON object');
  }
  const o = value as Record<string, unknown>;
  if (o.format !== undefined && o.format !== GENOTYPE_FORMAT) {
    fail(`unknown format ${JSON.stringify(o.format)} (expected "${GENOTYPE_FORMAT}")`);
  }
  for (const key of ['normal', 'normal_concat', 'reduce', 'reduce_concat']) {
    if (!(key in o)) fail(`missing field "${key}"`);
  }
  const normal = parseGenes(o.normal, 'normal');
  const reduce = parseGenes(o.reduce, 'reduce');
  return {
    normal,
    normalConcat: parseConcatList(o.normal_concat, 'normal_concat', nodeCount(normal) + 2, fail),
    reduce,
    reduceConcat: parseConcatList(o.reduce_concat, 'reduce_concat', nodeCount(reduce) + 2, fail),
  };
}

/** Parses genotype JSON text; errors name what is wrong. */
export function parseGenotype(text: string): Genotype {
  return genotypeFromJson(parseJsonText(text, fail));
}

/** JSON.parse, its error restated by `fail` (either kind of genotype file). */
export function parseJsonText(text: string, fail: (message: string) => never): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    return fail(`not valid JSON (${(e as Error).message})`);
  }
}
