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
import { endOfElement, reprError, unexpected } from './genotypeReprTokens';
import type { GenePair, NamedGenotypeOf } from './genotypeReprGrammar';
import {
  parseConcat,
  parseGene,
  parseGenotypeStatement,
  reprStatement,
} from './genotypeReprGrammar';

const FIELDS = ['normal', 'normal_concat', 'reduce', 'reduce_concat'] as const;
type Field = (typeof FIELDS)[number];

/** Longest concat a `range(...)` may produce (a cell has a handful of states). */
const MAX_RANGE_LENGTH = 64;

export type NamedGenotype = NamedGenotypeOf<Genotype>;

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

/** Parses a `[NAME =] Genotype(...)` statement; the name is returned with the genotype. */
export function parseNamedGenotypeRepr(text: string): NamedGenotype {
  const { name, fields } = parseGenotypeStatement(text, {
    fields: FIELDS,
    title: 'Genotype',
    parseField: (cursor, field) =>
      field.endsWith('_concat')
        ? parseConcat(cursor, field, MAX_RANGE_LENGTH)
        : parseGenes(cursor, field),
  });
  return { name, genotype: genotypeFromJson(Object.fromEntries(fields)) };
}

/** Parses a `[NAME =] Genotype(...)` statement (flat or nested genes) into a validated genotype. */
export function parseGenotypeRepr(text: string): Genotype {
  return parseNamedGenotypeRepr(text).genotype;
}

/**
 * DARTS's flat form, as Python prints the namedtuple; a concat of two or more consecutive
 * states is written `range(a, b)`, any other as a list. With a name: `NAME = Genotype(...)`.
 */
export function genotypeToRepr(genotype: Genotype, name?: string): string {
  return reprStatement(name, () => {
    const g = genotypeFromJson(genotypeToJson(genotype));
    return {
      normal: { genes: g.normal },
      normal_concat: { concat: g.normalConcat },
      reduce: { genes: g.reduce },
      reduce_concat: { concat: g.reduceConcat },
    };
  });
}
