/**
 * The Python repr of a recurrent genotype, as DARTS's `rnn/genotypes.py` writes it:
 *
 *   DARTS_V2 = Genotype(recurrent=[('sigmoid', 0), ('relu', 1), ...], concat=range(1, 9))
 *
 * Read WITHOUT evaluating anything, with the convolutional repr's tokenizer
 * (`genotypeReprTokens.ts`: names, plain strings, plain integers, `( ) [ ] , =`, comments; every
 * other character, escape, string prefix or `__` name is refused with line and column) and a
 * recursive-descent parser of exactly this grammar:
 *
 *   statement := [NAME '='] 'Genotype' '(' args ')'          (then only whitespace/comments)
 *   args      := arg (',' arg)* [',']    positional args in namedtuple order, then keywords
 *   arg       := [field '='] value       field: recurrent | concat
 *   genes     := '[' gene (',' gene)* [','] ']'
 *   gene      := '(' STRING ',' INT [','] ')'
 *   concat    := 'range' '(' INT [',' INT] [','] ')' | '[' INT (',' INT)* [','] ']'
 *
 * The result is validated by rnnGenotype.ts (activations only, inputs in range, concat indices).
 */
import type { TokenCursor } from '../../genotype/genotypeReprTokens';
import { endOfElement, reprError } from '../../genotype/genotypeReprTokens';
import type { GenePair, NamedGenotypeOf } from '../../genotype/genotypeReprGrammar';
import {
  parseConcat,
  parseGene,
  parseGenotypeStatement,
  reprStatement,
} from '../../genotype/genotypeReprGrammar';
import type { RnnGenotype } from './rnnGenotype';
import { MAX_RNN_NODES, rnnGenotypeFromJson } from './rnnGenotype';

const FIELDS = ['recurrent', 'concat'] as const;

const CNN_FIELDS = new Set(['normal', 'normal_concat', 'reduce', 'reduce_concat']);

export type NamedRnnGenotype = NamedGenotypeOf<RnnGenotype>;

function parseGenes(cursor: TokenCursor): GenePair[] {
  const open = cursor.expect('[', 'a list of genes for recurrent');
  const genes: GenePair[] = [];
  if (cursor.accept(']')) return genes;
  do {
    if (genes.length === MAX_RNN_NODES) {
      throw reprError(open, `recurrent has more than ${MAX_RNN_NODES} genes`);
    }
    genes.push(parseGene(cursor, 'recurrent'));
  } while (!endOfElement(cursor, ']', 'in the gene list of recurrent'));
  return genes;
}

/** Parses a `[NAME =] Genotype(recurrent=..., concat=...)` statement into a validated genotype. */
export function parseNamedRnnGenotypeRepr(text: string): NamedRnnGenotype {
  const { name, fields } = parseGenotypeStatement(text, {
    fields: FIELDS,
    title: 'a recurrent Genotype',
    unknownHint: (field) => (CNN_FIELDS.has(field) ? ' (this is a convolutional genotype)' : ''),
    parseField: (cursor, field) =>
      field === 'concat'
        ? parseConcat(cursor, field, MAX_RNN_NODES + 1, MAX_RNN_NODES + 1)
        : parseGenes(cursor),
  });
  return { name, genotype: rnnGenotypeFromJson(Object.fromEntries(fields)) };
}

export function parseRnnGenotypeRepr(text: string): RnnGenotype {
  return parseNamedRnnGenotypeRepr(text).genotype;
}

/**
 * DARTS's form, as Python prints the namedtuple (`concat=range(1, 9)` for DARTS's cells). With a
 * name: `NAME = Genotype(...)`, a line that `rnn/genotypes.py` can hold.
 */
export function rnnGenotypeToRepr(genotype: RnnGenotype, name?: string): string {
  return reprStatement(name, () => {
    const g = rnnGenotypeFromJson({ recurrent: genotype.recurrent, concat: genotype.concat });
    return { recurrent: { genes: g.recurrent }, concat: { concat: g.concat } };
  });
}
