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
import type { TokenCursor as Cursor } from '../../genotype/genotypeReprTokens';
import { cursorOver, endOfElement, reprError, unexpected } from '../../genotype/genotypeReprTokens';
import { checkGenotypeTextSize } from '../../genotype/genotypeTextLimit';
import type { RnnGenotype } from './rnnGenotype';
import { MAX_RNN_NODES, rnnGenotypeFromJson } from './rnnGenotype';

const FIELDS = ['recurrent', 'concat'] as const;
type Field = (typeof FIELDS)[number];

const CNN_FIELDS = new Set(['normal', 'normal_concat', 'reduce', 'reduce_concat']);

type GenePair = [op: string, input: number];

export interface NamedRnnGenotype {
  /** The assignment target (`DARTS_V2` in `DARTS_V2 = Genotype(...)`), or null. */
  readonly name: string | null;
  readonly genotype: RnnGenotype;
}

function parseGene(cursor: Cursor): GenePair {
  cursor.expect('(', "a gene ('op', input) in recurrent");
  const op = cursor.expect('string', 'the op name of a gene, as a quoted string');
  cursor.expect(',', "',' after the op name");
  const input = cursor.expectInt('the input state of a gene, an integer');
  cursor.accept(',');
  cursor.expect(')', "')' closing the gene");
  return [op.kind === 'string' ? op.value : '', input];
}

function parseGenes(cursor: Cursor): GenePair[] {
  const open = cursor.expect('[', 'a list of genes for recurrent');
  const genes: GenePair[] = [];
  if (cursor.accept(']')) return genes;
  do {
    if (genes.length === MAX_RNN_NODES) {
      throw reprError(open, `recurrent has more than ${MAX_RNN_NODES} genes`);
    }
    genes.push(parseGene(cursor));
  } while (!endOfElement(cursor, ']', 'in the gene list of recurrent'));
  return genes;
}

function parseRange(cursor: Cursor): number[] {
  const call = cursor.next();
  cursor.expect('(', "'(' after range");
  const first = cursor.expectInt('an integer in range(...)');
  let start = 0;
  let stop = first;
  if (cursor.accept(',') && cursor.peek().kind === 'int') {
    start = first;
    stop = cursor.expectInt('an integer in range(...)');
    cursor.accept(',');
  }
  cursor.expect(')', "')' closing range(...) (only range(stop) and range(start, stop))");
  if (stop - start > MAX_RNN_NODES + 1) {
    throw reprError(call, `concat = range(${start}, ${stop}) is longer than ${MAX_RNN_NODES + 1}`);
  }
  const out: number[] = [];
  for (let i = start; i < stop; i++) out.push(i);
  return out;
}

function parseConcat(cursor: Cursor): number[] {
  const token = cursor.peek();
  if (token.kind === 'name') {
    if (token.name !== 'range') {
      throw reprError(token, `only range(...) may be called in concat, found ${token.name}`);
    }
    return parseRange(cursor);
  }
  const open = cursor.expect('[', 'range(a, b) or a list of integers for concat');
  const out: number[] = [];
  if (cursor.accept(']')) return out;
  do {
    if (out.length > MAX_RNN_NODES) throw reprError(open, 'concat lists too many states');
    out.push(cursor.expectInt('a state index (integer) in concat'));
  } while (!endOfElement(cursor, ']', 'in concat'));
  return out;
}

function isField(name: string): name is Field {
  return (FIELDS as readonly string[]).includes(name);
}

function parseArguments(cursor: Cursor): Map<Field, GenePair[] | number[]> {
  const values = new Map<Field, GenePair[] | number[]>();
  let positional = 0;
  let sawKeyword = false;
  if (cursor.accept(')')) return values;
  do {
    const token = cursor.peek();
    let field: Field;
    if (token.kind === 'name' && cursor.peek(1).kind === '=') {
      if (!isField(token.name)) {
        const hint = CNN_FIELDS.has(token.name) ? ' (this is a convolutional genotype)' : '';
        throw reprError(
          token,
          `unknown field ${token.name}${hint}; a recurrent Genotype has ${FIELDS.join(', ')}`,
        );
      }
      field = token.name;
      if (values.has(field)) throw reprError(token, `field ${field} is given twice`);
      cursor.next();
      cursor.next();
      sawKeyword = true;
    } else {
      if (sawKeyword) throw reprError(token, 'positional argument after keyword arguments');
      const next = FIELDS[positional++];
      if (next === undefined) throw reprError(token, 'a recurrent Genotype takes 2 fields');
      field = next;
    }
    values.set(field, field === 'concat' ? parseConcat(cursor) : parseGenes(cursor));
  } while (!endOfElement(cursor, ')', 'in the arguments of Genotype(...)'));
  return values;
}

/** Parses a `[NAME =] Genotype(recurrent=..., concat=...)` statement into a validated genotype. */
export function parseNamedRnnGenotypeRepr(text: string): NamedRnnGenotype {
  checkGenotypeTextSize(text, 'the genotype repr');
  const cursor = cursorOver(text);
  let name: string | null = null;
  if (cursor.peek().kind === 'name' && cursor.peek(1).kind === '=') {
    const target = cursor.next();
    name = target.kind === 'name' ? target.name : null;
    cursor.next();
  }
  const call = cursor.peek();
  if (call.kind !== 'name' || call.name !== 'Genotype') {
    throw unexpected(
      call,
      name === null ? 'Genotype(...) or NAME = Genotype(...)' : 'Genotype(...)',
    );
  }
  cursor.next();
  cursor.expect('(', "'(' after Genotype");
  const fields = parseArguments(cursor);
  const missing = FIELDS.filter((f) => !fields.has(f));
  if (missing.length > 0) throw reprError(call, `Genotype(...) is missing ${missing.join(', ')}`);
  cursor.expect('end', 'the end of the text after Genotype(...)');
  return { name, genotype: rnnGenotypeFromJson(Object.fromEntries(fields)) };
}

export function parseRnnGenotypeRepr(text: string): RnnGenotype {
  return parseNamedRnnGenotypeRepr(text).genotype;
}

/** Python's repr of the concat: `range(a, b)` for two or more consecutive states, else a list. */
function concatToRepr(concat: readonly number[]): string {
  const first = concat[0] as number;
  const contiguous = concat.length >= 2 && concat.every((v, i) => v === first + i);
  return contiguous ? `range(${first}, ${first + concat.length})` : `[${concat.join(', ')}]`;
}

/**
 * DARTS's form, as Python prints the namedtuple (`concat=range(1, 9)` for DARTS's cells). With a
 * name: `NAME = Genotype(...)`, a line that `rnn/genotypes.py` can hold.
 */
export function rnnGenotypeToRepr(genotype: RnnGenotype, name?: string): string {
  if (name !== undefined && (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name) || name.includes('__'))) {
    throw new Error(`genotype name ${JSON.stringify(name)} is not a plain Python identifier`);
  }
  const g = rnnGenotypeFromJson({ recurrent: genotype.recurrent, concat: genotype.concat });
  const genes = g.recurrent.map(([op, input]) => `('${op}', ${input})`).join(', ');
  const call = `Genotype(recurrent=[${genes}], concat=${concatToRepr(g.concat)})`;
  return name === undefined ? call : `${name} = ${call}`;
}
