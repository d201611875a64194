/**
 * The grammar the convolutional and the recurrent genotype reprs share (genotypeRepr.ts,
 * rnn/genotype/rnnGenotypeRepr.ts), parsed once over genotypeReprTokens.ts's tokens:
 *
 *   statement := [NAME '='] 'Genotype' '(' args ')'          (then only whitespace/comments)
 *   args      := arg (',' arg)* [',']    positional args in namedtuple order, then keywords
 *   arg       := [field '='] value
 *   gene      := '(' STRING ',' INT [','] ')'
 *   concat    := 'range' '(' INT [',' INT] [','] ')' | '[' [INT (',' INT)* [',']] ']'
 *
 * Each repr supplies its fields and how to read a field's value; the writer's side writes the
 * whole `NAME = Genotype(...)` statement from the fields' genes and concats.
 */
import type { TokenCursor } from './genotypeReprTokens';
import { cursorOver, endOfElement, reprError, unexpected } from './genotypeReprTokens';
import { checkGenotypeTextSize } from './genotypeTextLimit';

export type GenePair = [op: string, input: number];

/** A parsed statement: the assignment target (`DARTS_V2` in `DARTS_V2 = Genotype(...)`) or null. */
export interface NamedGenotypeOf<G> {
  readonly name: string | null;
  readonly genotype: G;
}

/** First words of a Python file, refused with a message that says what is read instead. */
const PYTHON_FILE_WORDS = new Set(['from', 'import', 'def', 'class']);

/** `('op', input)`, a gene of `field`. */
export function parseGene(cursor: TokenCursor, field: string): GenePair {
  cursor.expect('(', `a gene ('op', input) in ${field}`);
  const op = cursor.expect('string', `the op name of a gene in ${field}, as a quoted string`);
  cursor.expect(',', `',' after the op name`);
  const input = cursor.expectInt(`the input index of a gene in ${field}, an integer`);
  cursor.accept(',');
  cursor.expect(')', `')' closing the gene`);
  return [op.kind === 'string' ? op.value : '', input];
}

function parseRange(cursor: TokenCursor, field: string, maxLength: number): number[] {
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
  if (stop - start > maxLength) {
    throw reprError(call, `${field} = range(${start}, ${stop}) is longer than ${maxLength}`);
  }
  const out: number[] = [];
  for (let i = start; i < stop; i++) out.push(i);
  return out;
}

/**
 * `range(stop)`, `range(start, stop)` or a list of integers: the concat `field`. A range may
 * hold at most `maxRange` states, a list at most `maxList`.
 */
export function parseConcat(
  cursor: TokenCursor,
  field: string,
  maxRange: number,
  maxList = Infinity,
): number[] {
  const token = cursor.peek();
  if (token.kind === 'name') {
    if (token.name !== 'range') {
      throw reprError(token, `only range(...) may be called in ${field}, found ${token.name}`);
    }
    return parseRange(cursor, field, maxRange);
  }
  const open = cursor.expect('[', `range(a, b) or a list of integers for ${field}`);
  const out: number[] = [];
  if (cursor.accept(']')) return out;
  do {
    if (out.length >= maxList) throw reprError(open, `${field} lists too many states`);
    out.push(cursor.expectInt(`a state index (integer) in ${field}`));
  } while (!endOfElement(cursor, ']', `in ${field}`));
  return out;
}

export interface GenotypeCall<Field extends string> {
  /** The namedtuple's fields, in order. */
  readonly fields: readonly Field[];
  /** What the messages call the namedtuple ("Genotype", "a recurrent Genotype"). */
  readonly title: string;
  /** Words added to the message about an unknown field `name` (e.g. whose field it is). */
  readonly unknownHint?: (name: string) => string;
  /** Reads the value of `field` at the cursor. */
  parseField(cursor: TokenCursor, field: Field): unknown;
}

function isField<Field extends string>(fields: readonly Field[], name: string): name is Field {
  return (fields as readonly string[]).includes(name);
}

/** `Genotype(...)`'s arguments, positional ones in namedtuple order, then keywords. */
function parseArguments<Field extends string>(
  cursor: TokenCursor,
  call: GenotypeCall<Field>,
): Map<Field, unknown> {
  const { fields, title } = call;
  const values = new Map<Field, unknown>();
  let positional = 0;
  let sawKeyword = false;
  if (cursor.accept(')')) return values;
  do {
    const token = cursor.peek();
    let field: Field;
    if (token.kind === 'name' && cursor.peek(1).kind === '=') {
      if (!isField(fields, token.name)) {
        const hint = call.unknownHint?.(token.name) ?? '';
        throw reprError(
          token,
          `unknown field ${token.name}${hint}; ${title} has ${fields.join(', ')}`,
        );
      }
      field = token.name;
      if (values.has(field)) throw reprError(token, `field ${field} is given twice`);
      cursor.next();
      cursor.next();
      sawKeyword = true;
    } else {
      if (sawKeyword) throw reprError(token, 'positional argument after keyword arguments');
      const next = fields[positional++];
      if (next === undefined) {
        throw reprError(token, `${title} takes ${fields.length} fields, found more`);
      }
      field = next;
    }
    values.set(field, call.parseField(cursor, field));
  } while (!endOfElement(cursor, ')', 'in the arguments of Genotype(...)'));
  return values;
}

/** Parses a whole `[NAME =] Genotype(...)` statement: the target's name and every field. */
export function parseGenotypeStatement<Field extends string>(
  text: string,
  call: GenotypeCall<Field>,
): { name: string | null; fields: Map<Field, unknown> } {
  checkGenotypeTextSize(text, 'the genotype repr');
  const cursor = cursorOver(text);
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
  const head = cursor.peek();
  if (head.kind !== 'name' || head.name !== 'Genotype') {
    throw unexpected(
      head,
      name === null ? 'Genotype(...) or NAME = Genotype(...)' : 'Genotype(...)',
    );
  }
  cursor.next();
  cursor.expect('(', `'(' after Genotype`);
  const fields = parseArguments(cursor, call);
  const missing = call.fields.filter((f) => !fields.has(f));
  if (missing.length > 0) {
    throw reprError(head, `Genotype(...) is missing ${missing.join(', ')}`);
  }
  cursor.expect('end', 'the end of the text after Genotype(...)');
  return { name, fields };
}

/** Python's repr of a concat: `range(a, b)` for two or more consecutive states, else a list. */
function concatToRepr(concat: readonly number[]): string {
  const first = concat[0] as number;
  const contiguous = concat.length >= 2 && concat.every((v, i) => v === first + i);
  return contiguous ? `range(${first}, ${first + concat.length})` : `[${concat.join(', ')}]`;
}

/** The genes as Python prints a list of tuples. */
function genesToRepr(genes: readonly (readonly [string, number])[]): string {
  return `[${genes.map(([op, input]) => `('${op}', ${input})`).join(', ')}]`;
}

/** A field's value as a repr writes it: a list of genes or a concat. */
export type ReprValue =
  | { readonly genes: readonly (readonly [string, number])[] }
  | { readonly concat: readonly number[] };

/**
 * `Genotype(field=value, ...)` with the fields `fields()` gives, in its order (the namedtuple's),
 * or `NAME = Genotype(...)`; the name must be a plain Python identifier (checked before `fields`
 * runs).
 */
export function reprStatement(
  name: string | undefined,
  fields: () => Readonly<Record<string, ReprValue>>,
): string {
  if (name !== undefined && (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name) || name.includes('__'))) {
    throw new Error(`genotype name ${JSON.stringify(name)} is not a plain Python identifier`);
  }
  const args = Object.entries(fields()).map(
    ([field, v]) => `${field}=${'genes' in v ? genesToRepr(v.genes) : concatToRepr(v.concat)}`,
  );
  const call = `Genotype(${args.join(', ')})`;
  return name === undefined ? call : `${name} = ${call}`;
}
