/**
 * Lines and tokens of a PTB-style text as DARTS's `rnn/data.py` reads it: a line is what
 * Python's text-mode file iteration yields (universal newlines: \n, \r\n or \r ends a line; a
 * final line without a newline still counts; an empty file has no lines); a line's words are
 * Python's `line.split()` (runs of Unicode whitespace); each line ends with `<eos>`.
 *
 * At character level each Unicode code point of a word is a token, the words of a line are
 * separated by one SPACE token, and the line still ends with `<eos>`; the markers `<unk>` and
 * `<eos>` written in the text stay one token each.
 */
import type { TextLevel } from './textCorpus';

export const EOS = '<eos>';
export const UNK = '<unk>';
/** The word separator at character level. */
export const SPACE = ' ';

/** The characters Python's `str.split()` splits on (`str.isspace()`), as a character class. */
const PY_WHITESPACE =
  '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const WORD = new RegExp(`[^${PY_WHITESPACE}]+`, 'gu');
const NEWLINE = /\r\n|\r|\n/;

/** The lines of `text` (without their line ends). */
function textLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(NEWLINE);
  // "a\n" is one line in Python, not "a" and "".
  if (/[\r\n]$/.test(text)) lines.pop();
  return lines;
}

/** The whitespace-separated words of one line. */
function lineWords(line: string): string[] {
  return line.match(WORD) ?? [];
}

function isMarker(word: string): boolean {
  return word === UNK || word === EOS;
}

/**
 * Calls `visit` with every token of `text` at `level`, `<eos>` after each line, in order.
 * Returns the number of words (not counting `<eos>` or SPACE).
 */
export function forEachToken(
  text: string,
  level: TextLevel,
  visit: (token: string) => void,
): number {
  let words = 0;
  for (const line of textLines(text)) {
    const ws = lineWords(line);
    words += ws.length;
    if (level === 'word') {
      for (const w of ws) visit(w);
    } else {
      ws.forEach((w, i) => {
        if (i > 0) visit(SPACE);
        if (isMarker(w)) visit(w);
        else for (const c of w) visit(c);
      });
    }
    visit(EOS);
  }
  return words;
}
