/**
 * The tokenizer of the Python genotype repr (see genotypeRepr.ts). It knows only what a
 * `Genotype(...)` statement needs: names, plain quoted strings, plain decimal integers, the
 * punctuation `( ) [ ] , =`, whitespace and `#` comments. Everything else (escapes, string
 * prefixes such as f-strings, floats, operators, dots, names with `__`) is refused here with
 * the line and column, so nothing that could be code reaches the parser.
 */

export type Punctuation = '(' | ')' | '[' | ']' | ',' | '=';

interface Position {
  /** 0-based character offset. */
  readonly offset: number;
  /** 1-based line and column. */
  readonly line: number;
  readonly column: number;
}

export type Token = Position &
  (
    | { readonly kind: 'name'; readonly name: string }
    | { readonly kind: 'string'; readonly value: string }
    | { readonly kind: 'int'; readonly value: number }
    | { readonly kind: Punctuation }
    | { readonly kind: 'end' }
  );

/** Longest string literal accepted (op names are short; this keeps messages short too). */
const MAX_STRING_CHARS = 64;
/** Longest name accepted (field names and `DARTS_V2`-style targets are short). */
const MAX_NAME_CHARS = 64;
/** Longest integer literal accepted (state indices are small). */
const MAX_INT_DIGITS = 6;

const PUNCTUATION = new Set<string>(['(', ')', '[', ']', ',', '=']);
const STRING_PREFIXES = new Set(['f', 'r', 'b', 'u', 'fr', 'rf', 'br', 'rb']);

export function reprError(pos: Position, message: string): Error {
  return new Error(`invalid genotype repr at line ${pos.line}, column ${pos.column}: ${message}`);
}

/** A character as a message shows it. */
function showChar(ch: string): string {
  return /^[\x21-\x7e]$/.test(ch) ? `'${ch}'` : JSON.stringify(ch);
}

const isDigit = (ch: string | undefined): boolean => ch !== undefined && ch >= '0' && ch <= '9';
const isNameStart = (ch: string | undefined): boolean => ch !== undefined && /[A-Za-z_]/.test(ch);
const isNameChar = (ch: string | undefined): boolean => ch !== undefined && /[A-Za-z0-9_]/.test(ch);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let offset = 0;
  let line = 1;
  let lineStart = 0;
  const here = (at = offset): Position => ({ offset: at, line, column: at - lineStart + 1 });

  while (offset < text.length) {
    const ch = text[offset] as string;
    if (ch === '\n') {
      offset++;
      line++;
      lineStart = offset;
    } else if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\f') {
      offset++;
    } else if (ch === '#') {
      while (offset < text.length && text[offset] !== '\n') offset++;
    } else if (PUNCTUATION.has(ch)) {
      tokens.push({ ...here(), kind: ch as Punctuation });
      offset++;
    } else if (ch === "'" || ch === '"') {
      const start = here();
      if (text.startsWith(ch.repeat(3), offset)) {
        throw reprError(start, 'triple-quoted strings are not allowed');
      }
      let end = offset + 1;
      while (end < text.length && text[end] !== ch) {
        const c = text[end] as string;
        if (c === '\\') {
          throw reprError(here(end), 'escape sequences (\\) are not allowed in strings');
        }
        if (c === '\n' || c === '\r') throw reprError(start, 'unterminated string');
        end++;
      }
      if (end >= text.length) throw reprError(start, 'unterminated string');
      const value = text.slice(offset + 1, end);
      if (value.length > MAX_STRING_CHARS) {
        throw reprError(start, `string longer than ${MAX_STRING_CHARS} characters`);
      }
      tokens.push({ ...start, kind: 'string', value });
      offset = end + 1;
    } else if (isDigit(ch) || (ch === '-' && isDigit(text[offset + 1]))) {
      const start = here();
      let end = ch === '-' ? offset + 1 : offset;
      while (isDigit(text[end])) end++;
      const digits = text.slice(ch === '-' ? offset + 1 : offset, end);
      const next = text[end];
      if (next !== undefined && (isNameChar(next) || next === '.')) {
        throw reprError(start, 'only plain decimal integers are allowed (no floats, hex or _)');
      }
      if (digits.length > 1 && digits.startsWith('0')) {
        throw reprError(start, `integer ${text.slice(offset, end)} has a leading zero`);
      }
      if (digits.length > MAX_INT_DIGITS) {
        throw reprError(start, `integer ${text.slice(offset, end)} is too large`);
      }
      tokens.push({ ...start, kind: 'int', value: Number(text.slice(offset, end)) });
      offset = end;
    } else if (isNameStart(ch)) {
      const start = here();
      let end = offset;
      while (isNameChar(text[end])) end++;
      const name = text.slice(offset, end);
      const next = text[end];
      if ((next === "'" || next === '"') && STRING_PREFIXES.has(name.toLowerCase())) {
        throw reprError(
          start,
          `string prefix ${name} is not allowed (no f-strings, raw or byte strings)`,
        );
      }
      if (name.length > MAX_NAME_CHARS) {
        throw reprError(start, `name longer than ${MAX_NAME_CHARS} characters`);
      }
      if (name.includes('__')) {
        throw reprError(start, `names containing '__' are not allowed (found ${name})`);
      }
      tokens.push({ ...start, kind: 'name', name });
      offset = end;
    } else if (ch === '\\') {
      throw reprError(here(), 'line continuations (\\) are not allowed');
    } else {
      const hint = ch === '.' ? ' (attribute access and floats are not allowed)' : '';
      throw reprError(here(), `unexpected character ${showChar(ch)}${hint}`);
    }
  }
  tokens.push({ ...here(), kind: 'end' });
  return tokens;
}

/** How a message names a token: `'('`, `name lambda`, `string 'x'`, `end of input`. */
function describeToken(token: Token): string {
  switch (token.kind) {
    case 'name':
      return `name ${token.name}`;
    case 'string':
      return `string ${JSON.stringify(token.value)}`;
    case 'int':
      return `integer ${token.value}`;
    case 'end':
      return 'end of input';
    default:
      return `'${token.kind}'`;
  }
}

/** A cursor over the tokens. */
export class TokenCursor {
  private index = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  peek(ahead = 0): Token {
    const last = this.tokens[this.tokens.length - 1] as Token;
    return this.tokens[this.index + ahead] ?? last;
  }

  next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index++;
    return token;
  }

  /** Consumes the token if it is `kind`. */
  accept(kind: Punctuation): boolean {
    if (this.peek().kind !== kind) return false;
    this.next();
    return true;
  }

  /** Consumes a token of `kind` or throws naming `what` was expected. */
  expect(kind: Token['kind'], what: string): Token {
    const token = this.peek();
    if (token.kind !== kind) throw unexpected(token, what);
    return this.next();
  }

  expectInt(what: string): number {
    const token = this.expect('int', what);
    return token.kind === 'int' ? token.value : 0;
  }
}

export function unexpected(token: Token, what: string): Error {
  return reprError(token, `expected ${what}, found ${describeToken(token)}`);
}

/** After an element of a bracketed list: a ',' (then maybe the closer) or the closer. */
export function endOfElement(cursor: TokenCursor, closer: ')' | ']', what: string): boolean {
  if (cursor.accept(',')) return cursor.accept(closer);
  if (cursor.accept(closer)) return true;
  throw unexpected(cursor.peek(), `',' or '${closer}' ${what}`);
}

/** A cursor over the tokens of `text`. */
export function cursorOver(text: string): TokenCursor {
  return new TokenCursor(tokenize(text));
}
