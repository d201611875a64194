/**
 * Recurrent genotypes (`rnn/genotypes.py`: `Genotype(recurrent, concat)`): one gene per node,
 * `(activation, predecessor)`, gene i feeding state i+1 (state 0 is s0), and the states whose mean
 * is the cell's output. The official derivation rule of `rnn/model_search.py` and the
 * JSON form of this project, with validation. Free of tfjs.
 */
import type { GenePairsJson, GenotypeFileHeader } from '../../genotype/genotype';
import {
  formatGenePairsJson,
  genePairsJson,
  genotypeFileHeader,
  parseConcatList,
  parseJsonText,
  softmaxRows,
} from '../../genotype/genotype';
import type { RnnActivationName, RnnOpName } from '../model/rnnPrimitives';
import {
  isRnnActivationName,
  RNN_ACTIVATIONS,
  RNN_PRIMITIVES,
  RNN_STEPS,
  rnnEdgeCount,
} from '../model/rnnPrimitives';

/** One node: its activation and the state it reads (0 = s0, j = node j's output). */
export type RnnGene = readonly [op: RnnActivationName, input: number];

export interface RnnGenotype {
  readonly recurrent: readonly RnnGene[];
  /** State indices averaged into the output (DARTS: 1..8, every node). */
  readonly concat: readonly number[];
}

/** Most nodes a recurrent genotype may have (DARTS 8, ENAS 11). */
export const MAX_RNN_NODES = 64;

/**
 * The official rule on the softmax of the alphas, [edges, ops] with rows node by node (node i:
 * predecessors 0..i). For each node the single predecessor whose strongest non-`none`
 * probability is largest (on ties the lower index, as Python's stable sort), with its strongest
 * non-`none` op (on ties the earlier op).
 */
export function deriveRecurrentGenes(
  probs: readonly (readonly number[])[],
  steps: number,
  primitives: readonly RnnOpName[] = RNN_PRIMITIVES,
): RnnGene[] {
  if (probs.length !== rnnEdgeCount(steps)) {
    throw new Error(
      `a recurrent cell with ${steps} nodes has ${rnnEdgeCount(steps)} edges, the alphas have ${probs.length} rows`,
    );
  }
  const genes: RnnGene[] = [];
  let start = 0;
  for (let node = 0; node < steps; node++) {
    let best: { from: number; strength: number; op: number } | null = null;
    for (let from = 0; from <= node; from++) {
      const row = probs[start + from] as readonly number[];
      if (row.length !== primitives.length) {
        throw new Error(
          `alpha row ${start + from} has ${row.length} entries for ${primitives.length} ops`,
        );
      }
      let op = -1;
      for (let k = 0; k < row.length; k++) {
        if (primitives[k] === 'none') continue;
        if (op === -1 || (row[k] as number) > (row[op] as number)) op = k;
      }
      if (op === -1) throw new Error('cannot derive a genotype from an op set with only none');
      const strength = row[op] as number;
      if (best === null || strength > best.strength) best = { from, strength, op };
    }
    const chosen = best as { from: number; op: number };
    genes.push([primitives[chosen.op] as RnnActivationName, chosen.from]);
    start += node + 1;
  }
  return genes;
}

/** The genotype of alpha logits [edges, ops]: the rule on their row softmax, concat = all nodes. */
export function deriveRnnGenotype(
  alphaLogits: readonly (readonly number[])[],
  steps: number = RNN_STEPS,
  primitives: readonly RnnOpName[] = RNN_PRIMITIVES,
): RnnGenotype {
  return {
    recurrent: deriveRecurrentGenes(softmaxRows(alphaLogits), steps, primitives),
    concat: Array.from({ length: steps }, (_, i) => i + 1),
  };
}

// ---------------------------------------------------------------------------------------------
// JSON

const RNN_GENOTYPE_FORMAT = 'nas-lab.rnn-genotype';

export interface RnnGenotypeJson extends GenotypeFileHeader<typeof RNN_GENOTYPE_FORMAT> {
  recurrent: GenePairsJson;
  concat: number[];
}

/** Whether two recurrent genotypes are the same cell (same genes and concat). */
export function rnnGenotypesEqual(a: RnnGenotype, b: RnnGenotype): boolean {
  return JSON.stringify(rnnGenotypeToJson(a)) === JSON.stringify(rnnGenotypeToJson(b));
}

/** The JSON form uses DARTS's field names (`rnn/genotypes.py`). */
export function rnnGenotypeToJson(g: RnnGenotype): RnnGenotypeJson {
  return {
    ...genotypeFileHeader(RNN_GENOTYPE_FORMAT),
    recurrent: genePairsJson(g.recurrent),
    concat: [...g.concat],
  };
}

/** Indented JSON with each [op, input] pair on one line. */
export function stringifyRnnGenotype(g: RnnGenotype): string {
  return formatGenePairsJson(rnnGenotypeToJson(g));
}

function fail(message: string): never {
  throw new Error(`invalid recurrent genotype: ${message}`);
}

function parseGenes(value: unknown): RnnGene[] {
  if (!Array.isArray(value)) fail('"recurrent" must be a list of [op, input] pairs');
  if (value.length === 0) fail('"recurrent" is empty: a cell needs at least one node');
  if (value.length > MAX_RNN_NODES) {
    fail(`"recurrent" has ${value.length} nodes; at most ${MAX_RNN_NODES} are allowed`);
  }
  return value.map((gene: unknown, i): RnnGene => {
    if (!Array.isArray(gene) || gene.length !== 2) fail(`recurrent[${i}] must be [op, input]`);
    const [op, input] = gene as unknown[];
    if (typeof op !== 'string' || !isRnnActivationName(op)) {
      const why = op === 'none' ? ' (none has no activation: a node cannot use it)' : '';
      fail(
        `recurrent[${i}] has op ${JSON.stringify(op)}${why}; the ops are ${RNN_ACTIVATIONS.join(', ')}`,
      );
    }
    if (typeof input !== 'number' || !Number.isInteger(input) || input < 0 || input > i) {
      fail(
        `recurrent[${i}] (state ${i + 1}) reads state ${JSON.stringify(input)}; it must be an integer from 0 to ${i}`,
      );
    }
    return [op, input];
  });
}

/** Validates an object in this project's recurrent genotype JSON form (format optional). */
export function rnnGenotypeFromJson(value: unknown): RnnGenotype {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail('expected a JSON object');
  }
  const o = value as Record<string, unknown>;
  if (o.format !== undefined && o.format !== RNN_GENOTYPE_FORMAT) {
    const hint = o.format === 'nas-lab.genotype' ? ' (that is a convolutional genotype)' : '';
    fail(`unknown format ${JSON.stringify(o.format)}${hint}; expected "${RNN_GENOTYPE_FORMAT}"`);
  }
  if (o.version !== undefined && o.version !== 1) {
    fail(`unknown version ${JSON.stringify(o.version)} (expected 1)`);
  }
  for (const key of ['recurrent', 'concat']) {
    if (!(key in o)) fail(`missing field "${key}"`);
  }
  const recurrent = parseGenes(o.recurrent);
  return { recurrent, concat: parseConcatList(o.concat, 'concat', recurrent.length + 1, fail) };
}

/** Parses recurrent genotype JSON text; errors name what is wrong. */
export function parseRnnGenotype(text: string): RnnGenotype {
  return rnnGenotypeFromJson(parseJsonText(text, fail));
}
