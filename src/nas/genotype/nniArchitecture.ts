/**
 * NNI's exported DARTS architecture (`epoch_N.json`, `Mutator.export()` as JSON), read and written.
 *
 * Keys (NNI's `examples/nas/darts/model.py`), for node d = 2..n+1 of each cell type:
 * - `{normal|reduce}_n{d}_p{j}` (LayerChoice, j = 0..d−1): the op on the edge from state j;
 * - `{normal|reduce}_n{d}_switch` (InputChoice, `choose_from` = those keys, n_chosen = 2).
 *
 * Reading follows NNI's `FixedArchitecture` (`nni/nas/pytorch/fixed.py`):
 * - The key set must equal the model's exactly; missing and unexpected keys are named. The node
 *   count n is taken from the largest node key present (NNI's example model has n = 4).
 * - A LayerChoice value may be an op name (`"sepconv3x3"`; CDARTS's unnamed candidates `"0"`..`"6"`),
 *   an index, a list of names/indices, or a boolean mask over the 7 candidates (NNI CDARTS
 *   writes raw masks, `cdarts/trainer.py`). `[]` or an all-false mask selects nothing.
 * - An InputChoice value may be a list of `choose_from` keys, of indices (NNI 2.x one-shot
 *   exports), or a boolean mask over `choose_from`; it must choose exactly 2 distinct inputs.
 * - Numbers are indices, as Python reads JSON integers. A 0/1 float mask written `1.0` cannot be
 *   told from an integer once JavaScript has parsed the JSON, so a list that repeats an index is
 *   refused (write masks with true/false).
 *
 * Strictness (decided here): each chosen edge's LayerChoice must select exactly one op. A
 * non-chosen edge may select nothing (`[]`, what NNI 1.x/2.x classic exporters write) or one op,
 * which is ignored: NNI 2.x one-shot exports name the argmax op on every edge, and NNI's own
 * FixedArchitecture builds such an op but never reads it. Two or more ops on any edge are refused
 * (a DARTS genotype has one op per edge).
 *
 * Gene order: NNI keeps no strength order, so each node's two genes come in `choose_from` order
 * (lower predecessor first), whatever order the file lists them in. DARTS's own genotypes list
 * the stronger edge first; compare per node as sets.
 *
 * Writing gives what NNI's `Trainer.export` writes (`json.dump(..., indent=2, sort_keys=True)`),
 * and refuses genotypes NNI's search space cannot express: ops other than its 7, a node reading
 * one state twice, a concat other than all intermediate nodes in order, or normal and reduction
 * cells with different node counts.
 */
import type { Gene, Genotype } from './genotype';
import { concatRange, genotypeFromJson, genotypeToJson, nodeCount } from './genotype';
import { checkGenotypeTextSize } from './genotypeTextLimit';
import type { OpName } from '../ops/primitives';

/** NNI's DARTS candidates in LayerChoice order (its `model.py`) and the DARTS op of each. */
export const NNI_DARTS_OPS = [
  ['maxpool', 'max_pool_3x3'],
  ['avgpool', 'avg_pool_3x3'],
  ['skipconnect', 'skip_connect'],
  ['sepconv3x3', 'sep_conv_3x3'],
  ['sepconv5x5', 'sep_conv_5x5'],
  ['dilconv3x3', 'dil_conv_3x3'],
  ['dilconv5x5', 'dil_conv_5x5'],
] as const satisfies readonly (readonly [string, OpName])[];

const NNI_NAMES: readonly string[] = NNI_DARTS_OPS.map(([nni]) => nni);
const CANDIDATES = NNI_DARTS_OPS.length;

/** The most intermediate nodes a file may describe (NNI's example has 4). */
const MAX_NODES = 16;

const CELL_TYPES = ['normal', 'reduce'] as const;
type CellType = (typeof CELL_TYPES)[number];

/** Matches every NNI DARTS key: cell type, node d, then `p{j}` or `switch`. */
const NNI_KEY = /^(normal|reduce)_n(\d+)_(?:p\d+|switch)$/;

/** An NNI architecture as NNI's human-readable export writes it. */
export type NniArchitecture = Record<string, string | string[]>;

function fail(message: string): never {
  throw new Error(`invalid NNI architecture: ${message}`);
}

const show = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

const listNames = (names: readonly string[]): string =>
  names.length <= 8
    ? names.join(', ')
    : `${names.slice(0, 8).join(', ')} and ${names.length - 8} more`;

const nodeId = (cell: CellType, d: number): string => `${cell}_n${d}`;
const edgeKey = (cell: CellType, d: number, j: number): string => `${nodeId(cell, d)}_p${j}`;
const switchKey = (cell: CellType, d: number): string => `${nodeId(cell, d)}_switch`;

function expectedKeys(nodes: number): string[] {
  const keys: string[] = [];
  for (const cell of CELL_TYPES) {
    for (let d = 2; d < nodes + 2; d++) {
      for (let j = 0; j < d; j++) keys.push(edgeKey(cell, d, j));
      keys.push(switchKey(cell, d));
    }
  }
  return keys;
}

/** True when the object has at least one key of NNI's DARTS search space (format detection). */
export function hasNniArchitectureKeys(o: Record<string, unknown>): boolean {
  return Object.keys(o).some((k) => NNI_KEY.test(k));
}

/**
 * The node count the keys describe: the largest node id present, minus one (at least one node;
 * keys of nodes n0 and n1, which do not exist, are then reported as unexpected).
 */
function inferNodeCount(keys: readonly string[]): number {
  let maxNode = -1;
  for (const key of keys) {
    const m = NNI_KEY.exec(key);
    if (m) maxNode = Math.max(maxNode, Number(m[2]));
  }
  if (maxNode < 0) {
    fail("no {normal|reduce}_n{d}_p{j} or _switch keys (the keys of NNI's DARTS search space)");
  }
  if (maxNode > MAX_NODES + 1) {
    fail(`node n${maxNode} is beyond the ${MAX_NODES} intermediate nodes this reader accepts`);
  }
  return Math.max(1, maxNode - 1);
}

function checkKeySet(o: Record<string, unknown>, nodes: number): void {
  const expected = expectedKeys(nodes);
  const present = new Set(Object.keys(o));
  const wanted = new Set(expected);
  const missing = expected.filter((k) => !present.has(k));
  const extra = Object.keys(o).filter((k) => !wanted.has(k));
  const problems: string[] = [];
  if (missing.length > 0) problems.push(`missing keys ${listNames(missing)}`);
  if (extra.length > 0) problems.push(`unexpected keys ${listNames(extra)}`);
  if (problems.length > 0) {
    fail(`${problems.join('; ')} (a ${nodes}-node cell has exactly ${expected.length} keys)`);
  }
}

/**
 * The indices a choice value selects. `resolve` maps a string to an index (or null when
 * unknown); `count` is the number of candidates (the length of a boolean mask).
 */
function selectedIndices(
  key: string,
  value: unknown,
  count: number,
  resolve: (name: string) => number | null,
  candidatesText: string,
): number[] {
  const items: unknown[] = Array.isArray(value) ? value : [value];
  if (items.length > 0 && items.every((v) => typeof v === 'boolean')) {
    if (items.length !== count) {
      fail(`"${key}" is a boolean mask of length ${items.length}; it must have ${count} entries`);
    }
    return items.flatMap((on, i) => (on ? [i] : []));
  }
  const out: number[] = [];
  for (const item of items) {
    let index: number | null;
    if (typeof item === 'string') {
      index = resolve(item);
      if (index === null) {
        fail(`"${key}" names unknown candidate ${show(item)}; candidates: ${candidatesText}`);
      }
    } else if (typeof item === 'number') {
      if (!Number.isInteger(item) || item < 0 || item >= count) {
        fail(`"${key}" has index ${show(item)}; indices run from 0 to ${count - 1}`);
      }
      index = item;
    } else {
      fail(
        `"${key}" must be a name, an index, a list of them or a boolean mask, got ${show(value)}`,
      );
    }
    if (out.includes(index)) {
      const hint = typeof item === 'number' ? '; write a 0/1 mask as true/false' : '';
      fail(`"${key}" lists candidate ${index} twice (${show(value)})${hint}`);
    }
    out.push(index);
  }
  return out;
}

/** The op index a LayerChoice selects, or null when it selects none. */
function layerChoiceOp(key: string, value: unknown): number | null {
  const resolve = (name: string): number | null => {
    const byName = NNI_NAMES.indexOf(name);
    if (byName >= 0) return byName;
    // CDARTS's example builds its LayerChoice from an unnamed list: candidates "0".."6".
    return /^[0-9]$/.test(name) && Number(name) < CANDIDATES ? Number(name) : null;
  };
  const ops = selectedIndices(key, value, CANDIDATES, resolve, NNI_NAMES.join(', '));
  if (ops.length > 1) {
    fail(
      `"${key}" selects ${ops.length} ops (${ops.map((i) => NNI_NAMES[i]).join(', ')}); a DARTS edge has one op`,
    );
  }
  return ops[0] ?? null;
}

/** The two predecessors an InputChoice chooses, ascending. */
function inputChoice(cell: CellType, d: number, value: unknown): number[] {
  const key = switchKey(cell, d);
  const keys = Array.from({ length: d }, (_, j) => edgeKey(cell, d, j));
  const resolve = (name: string): number | null => {
    const j = keys.indexOf(name);
    return j >= 0 ? j : null;
  };
  const chosen = selectedIndices(key, value, d, resolve, `${nodeId(cell, d)}_p0 .. _p${d - 1}`);
  if (chosen.length !== 2) {
    fail(`"${key}" chooses ${chosen.length} inputs (${show(value)}); a DARTS node takes exactly 2`);
  }
  return [...chosen].sort((a, b) => a - b);
}

function cellGenes(o: Record<string, unknown>, cell: CellType, nodes: number): [string, number][] {
  const genes: [string, number][] = [];
  for (let d = 2; d < nodes + 2; d++) {
    const chosen = inputChoice(cell, d, o[switchKey(cell, d)]);
    for (let j = 0; j < d; j++) {
      const key = edgeKey(cell, d, j);
      const op = layerChoiceOp(key, o[key]);
      if (!chosen.includes(j)) continue;
      if (op === null) {
        fail(`"${key}" selects no op, but "${switchKey(cell, d)}" chooses it`);
      }
      genes.push([(NNI_DARTS_OPS[op] as (typeof NNI_DARTS_OPS)[number])[1], j]);
    }
  }
  return genes;
}

/** Reads a parsed NNI architecture object into a validated genotype (see the file comment). */
export function genotypeFromNni(value: unknown): Genotype {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail('expected a JSON object');
  }
  const o = value as Record<string, unknown>;
  const nodes = inferNodeCount(Object.keys(o));
  checkKeySet(o, nodes);
  return genotypeFromJson({
    normal: cellGenes(o, 'normal', nodes),
    normal_concat: concatRange(nodes),
    reduce: cellGenes(o, 'reduce', nodes),
    reduce_concat: concatRange(nodes),
  });
}

/** Parses NNI architecture JSON text (an `epoch_N.json`). */
export function parseNniArchitecture(text: string): Genotype {
  checkGenotypeTextSize(text, 'the NNI architecture');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    fail(`not valid JSON (${(e as Error).message})`);
  }
  return genotypeFromNni(value);
}

function refuse(message: string): never {
  throw new Error(`cannot express this genotype as an NNI DARTS architecture: ${message}`);
}

function nniName(op: OpName, where: string): string {
  const entry = NNI_DARTS_OPS.find(([, darts]) => darts === op);
  if (!entry) {
    refuse(`${where} uses ${op}; NNI's DARTS space has only ${NNI_NAMES.join(', ')}`);
  }
  return entry[0];
}

function exportCell(
  out: NniArchitecture,
  cell: CellType,
  genes: readonly Gene[],
  concat: readonly number[],
): void {
  const nodes = nodeCount(genes);
  const field = `${cell}_concat`;
  if (concat.join(',') !== concatRange(nodes).join(',')) {
    refuse(
      `${field} is [${concat.join(', ')}]; NNI concatenates all intermediate nodes [${concatRange(nodes).join(', ')}]`,
    );
  }
  for (let i = 0; i < nodes; i++) {
    const d = i + 2;
    const pair = genes.slice(2 * i, 2 * i + 2);
    const [a, b] = pair as [Gene, Gene];
    if (a[1] === b[1])
      refuse(`node ${i} of ${cell} reads state ${a[1]} twice; NNI picks 2 distinct inputs`);
    const opByInput = new Map(
      pair.map(([op, input]) => [input, nniName(op, `node ${i} of ${cell}`)]),
    );
    for (let j = 0; j < d; j++) out[edgeKey(cell, d, j)] = opByInput.get(j) ?? [];
    out[switchKey(cell, d)] = [...opByInput.keys()]
      .sort((x, y) => x - y)
      .map((j) => edgeKey(cell, d, j));
  }
}

/** The architecture NNI would export for this genotype (keys in sorted order). */
export function genotypeToNni(genotype: Genotype): NniArchitecture {
  const g = genotypeFromJson(genotypeToJson(genotype));
  const nodes = nodeCount(g.normal);
  if (nodeCount(g.reduce) !== nodes) {
    refuse(
      `the normal cell has ${nodes} nodes and the reduction cell ${nodeCount(g.reduce)}; NNI's model has one node count`,
    );
  }
  const out: NniArchitecture = {};
  exportCell(out, 'normal', g.normal, g.normalConcat);
  exportCell(out, 'reduce', g.reduce, g.reduceConcat);
  const sorted: NniArchitecture = {};
  for (const key of Object.keys(out).sort()) sorted[key] = out[key] as string | string[];
  return sorted;
}

/** The text NNI writes: `json.dump(arch, f, indent=2, sort_keys=True)` (no final newline). */
export function formatNniArchitecture(g: Genotype): string {
  return JSON.stringify(genotypeToNni(g), null, 2);
}
