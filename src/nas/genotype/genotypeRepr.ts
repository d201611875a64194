/**
 * The Python repr of a genotype, as DARTS's `cnn/genotypes.py` writes it:
 *
 *   DARTS_V2 = Genotype(normal=[('sep_conv_3x3', 0), ...], normal_concat=[2, 3, 4, 5], reduce=[...], reduce_concat=range(2, 6))
 *
 * Read WITHOUT evaluating anything: a tokenizer (genotypeReprTokens.ts) and a recursive-descent
 * parser that accept exactly this grammar and refuse everything else with the line, column and
 * what was expected:
 *
 *   statement := [NAME '='] 'Genotype' '(' args ')'          (then only whitespace/comments)
 *   args      := arg (',' arg)* [',']    positional args in namedtuple order, then keywords
 *   arg       := [field '='] value       field: normal | normal_concat | reduce | reduce_concat
 *   genes     := '[' ']' | '[' gene (',' gene)* [','] ']'             (DARTS: flat)
 *              | '[' node (',' node)* [','] ']'                       (pt.darts, CDARTS: nested)
 *   node      := '[' gene ',' gene [','] ']'                            (two genes per node)
 *   gene      := '(' STRING ',' INT [','] ')'
 *   concat    := 'range' '(' INT [',' INT] [','] ')' | '[' [INT (',' INT)* [',']] ']'
 *
 * Strings take single or double quotes (no escapes or prefixes), integers are plain decimals,
 * `#` comments and any whitespace are allowed. The result is checked by genotype.ts's
 * validation (known ops, inputs in range, two edges per node, concat indices).
 */
import type { Genotype } from './genotype';
import { genotypeFromJson, genotypeToJson } from './genotype';
import type { TokenCursor } from './genotypeReprTokens';
import { cursorOver, endOfElement, reprError, unexpected } from './genotypeReprTokens';
import { checkGenotypeTextSize } from './genotypeTextLimit';

const FIELDS = ['normal', 'normal_concat', 'reduce', 'reduce_concat'] as const;
type Field = (typeof FIELDS)[number];

/** Longest concat a `range(...)` may produce (a cell has a handful of states). */
const MAX_RANGE_LENGTH = 64;

const PYTHON_FILE_WORDS = new Set(['from', 'import', 'def', 'class']);

type GenePair = [op: string, input: number];

export interface NamedGenotype {
  /** The assignment target (`DARTS_V2` in `DARTS_V2 = Genotype(...)`), or null. */
  readonly name: string | null;
  readonly genotype: Genotype;
}

function parseGene(cursor: TokenCursor, field: Field): GenePair {
  cursor.expect('(', `a gene ('op', input) in ${field}`);
  const op = cursor.expect('string', `the op name of a gene in ${field}, as a quoted string`);
  cursor.expect(',', `',' after the op name`);
  const input = cursor.expectInt(`the input index of a gene in ${field}, an integer`);
  cursor.accept(',');
  cursor.expect(')', `')' closing the gene`);
  return [op.kind === 'string' ? op.value : '', input];
}

/** A pt.darts/CDARTS node: `[gene, gene]`. */
function parseNode(cursor: TokenCursor, field: Field, node: number): GenePair[] {
  const open = cursor.expect('[', `'[' opening node ${node} of ${field}`);
  const genes: GenePair[] = [];
  if (cursor.peek().kind !== ']') {
    do genes.push(parseGene(cursor, field));
    while (!endOfElement(cursor, ']', `in node ${node} of ${field}`));
  } else {
    cursor.next();
  }
  if (genes.length !== 2) {
    throw reprError(
      open,
      `node ${node} of ${field} lists ${genes.length} genes; each node takes exactly 2 inputs`,
    );
  }
  return genes;
}

/** A flat list of genes (DARTS) or a list of two-gene nodes (pt.darts, CDARTS). */
function parseGenes(cursor: TokenCursor, field: Field): GenePair[] {
  cursor.expect('[', `a list of genes for ${field}`);
  if (cursor.accept(']')) return [];
  const first = cursor.peek();
  if (first.kind === '(') {
    const genes: GenePair[] = [];
    do genes.push(parseGene(cursor, field));
    while (!endOfElement(cursor, ']', `in the gene list of ${field}`));
    return genes;
  }
  if (first.kind === '[') {
    const genes: GenePair[] = [];
    let node = 0;
    do genes.push(...parseNode(cursor, field, node++));
    while (!endOfElement(cursor, ']', `in the node list of ${field}`));
    return genes;
  }
  throw unexpected(first, `'(' (a gene) or '[' (a node's genes) in ${field}`);
}

function parseRange(cursor: TokenCursor, field: Field): number[] {
  const call = cursor.next();
  cursor.expect('(', `'(' after range`);
  const first = cursor.expectInt('an integer in range(...)');
  let start = 0;
  let stop = first;
  if (cursor.accept(',') && cursor.peek().kind === 'int') {
    start = first;
    stop = cursor.expectInt('an integer in range(...)');
    cursor.accept(',');
  }
  cursor.expect(')', `')' closing range(...) (only range(stop) and range(start, stop))`);
  if (stop - start > MAX_RANGE_LENGTH) {
    throw reprError(call, `${field} = range(${start}, ${stop}) is longer than ${MAX_RANGE_LENGTH}`);
  }
  const out: number[] = [];
  for (let i = start; i < stop; i++) out.push(i);
  return out;
}

function parseConcat(cursor: TokenCursor, field: Field): number[] {
  const token = cursor.peek();
  if (token.kind === 'name') {
    if (token.name !== 'range') {
      throw reprError(token, `only range(...) may be called in ${field}, found ${token.name}`);
    }
    return parseRange(cursor, field);
  }
  if (token.kind !== '[') throw unexpected(token, `range(a, b) or a list of integers for ${field}`);
  cursor.next();
  const out: number[] = [];
  if (cursor.accept(']')) return out;
  do out.push(cursor.expectInt(`a state index (integer) in ${field}`));
  while (!endOfElement(cursor, ']', `in ${field}`));
  return out;
}

function parseField(cursor: TokenCursor, field: Field): GenePair[] | number[] {
  return field.endsWith('_concat') ? parseConcat(cursor, field) : parseGenes(cursor, field);
}

function isField(name: string): name is Field {
  return (FIELDS as readonly string[]).includes(name);
}

/** `Genotype(...)`'s arguments, positional ones in namedtuple order, then keywords. */
function parseArguments(cursor: TokenCursor): Map<Field, GenePair[] | number[]> {
  const values = new Map<Field, GenePair[] | number[]>();
  let positional = 0;
  let sawKeyword = false;
  if (cursor.accept(')')) return values;
  do {
    const token = cursor.peek();
    let field: Field;
    if (token.kind === 'name' && cursor.peek(1).kind === '=') {
      if (!isField(token.name)) {
        throw reprError(token, `unknown field ${token.name}; Genotype has ${FIELDS.join(', ')}`);
      }
      field = token.name;
      if (values.has(field)) throw reprError(token, `field ${field} is given twice`);
      cursor.next();
      cursor.next();
      sawKeyword = true;
    } else {
      if (sawKeyword) throw reprError(token, 'positional argument after keyword arguments');
      const next = FIELDS[positional++];
      if (next === undefined) throw reprError(token, 'Genotype takes 4 fields, found a 5th');
      field = next;
    }
    values.set(field, parseField(cursor, field));
  } while (!endOfElement(cursor, ')', 'in the arguments of Genotype(...)'));
  return values;
}

function parseStatement(cursor: TokenCursor): { name: string | null; fields: Map<Field, unknown> } {
  let name: string | null = null;
  const first = cursor.peek();
  if (first.kind === 'name' && cursor.peek(1).kind === '=') {
    name = first.name;
    cursor.next();
    cursor.next();
  } else if (first.kind === 'name' && PYTHON_FILE_WORDS.has(first.name)) {
    throw reprError(
      first,
      `found ${first.name}: this reads one Genotype(...) statement (e.g. DARTS_V2 = Genotype(...)), not a Python file`,
    );
  }
  const call = cursor.peek();
  if (call.kind !== 'name' || call.name !== 'Genotype') {
    throw unexpected(
      call,
      name === null ? 'Genotype(...) or NAME = Genotype(...)' : 'Genotype(...)',
    );
  }
  cursor.next();
  cursor.expect('(', `'(' after Genotype`);
  const fields = parseArguments(cursor);
  const missing = FIELDS.filter((f) => !fields.has(f));
  if (missing.length > 0) {
    throw reprError(call, `Genotype(...) is missing ${missing.join(', ')}`);
  }
  cursor.expect('end', 'the end of the text after Genotype(...)');
  return { name, fields };
}

/** Parses a `[NAME =] Genotype(...)` statement; the name is returned with the genotype. */
export function parseNamedGenotypeRepr(text: string): NamedGenotype {
  checkGenotypeTextSize(text, 'the genotype repr');
  const { name, fields } = parseStatement(cursorOver(text));
  return { name, genotype: genotypeFromJson(Object.fromEntries(fields)) };
}

/** Parses a `[NAME =] Genotype(...)` statement (flat or nested genes) into a validated genotype. */
export function parseGenotypeRepr(text: string): Genotype {
  return parseNamedGenotypeRepr(text).genotype;
}

function concatToRepr(concat: readonly number[]): string {
  const first = concat[0] as number;
  const contiguous = concat.length >= 2 && concat.every((v, i) => v === first + i);
  return contiguous ? `range(${first}, ${first + concat.length})` : `[${concat.join(', ')}]`;
}

function genesToRepr(genes: Genotype['normal']): string {
  return `[${genes.map(([op, input]) => `('${op}', ${input})`).join(', ')}]`;
}

/**
 * DARTS's flat form, as Python prints the namedtuple; a concat of two or more consecutive
 * states is written `range(a, b)`, any other as a list. With a name: `NAME = Genotype(...)`.
 */
export function genotypeToRepr(genotype: Genotype, name?: string): string {
  if (name !== undefined && (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name) || name.includes('__'))) {
    throw new Error(`genotype name ${JSON.stringify(name)} is not a plain Python identifier`);
  }
  const g = genotypeFromJson(genotypeToJson(genotype));
  const call =
    `Genotype(normal=${genesToRepr(g.normal)}, normal_concat=${concatToRepr(g.normalConcat)}, ` +
    `reduce=${genesToRepr(g.reduce)}, reduce_concat=${concatToRepr(g.reduceConcat)})`;
  return name === undefined ? call : `${name} = ${call}`;
}
