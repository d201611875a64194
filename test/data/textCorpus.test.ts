import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { folderSource } from '../../src/cli/folderSource';
import { BUILTIN_TEXT_FOLDER, BUILTIN_TEXT_OPTIONS } from '../../src/data/builtinText';
import type { FileSource } from '../../src/data/catalog';
import type { TextCorpus } from '../../src/data/textCorpus';
import { buildTextCorpus, loadTextCorpus } from '../../src/data/textCorpus';
import { EOS, forEachToken, SPACE, UNK } from '../../src/data/textTokens';
import { decodeUtf8Text } from '../../src/data/utf8Text';

interface TokenCase {
  readonly text: string;
  readonly tokens: readonly string[];
}
const FIXTURE = JSON.parse(
  readFileSync(new URL('../fixtures/textTokens.json', import.meta.url), 'utf8'),
) as { cases: TokenCase[] };

const enc = (s: string) => new TextEncoder().encode(s);

function memorySource(files: Record<string, Uint8Array | string>): FileSource {
  return {
    async read(candidates) {
      for (const name of candidates) {
        const f = files[name];
        if (f !== undefined) return { name, bytes: typeof f === 'string' ? enc(f) : f };
      }
      throw new Error(`cannot find ${candidates.join(' or ')} in memory`);
    },
  };
}

const tokensOf = (text: string, level: 'word' | 'char') => {
  const out: string[] = [];
  forEachToken(text, level, (t) => out.push(t));
  return out;
};
const decode = (c: TextCorpus, ids: Int32Array) => Array.from(ids, (id) => c.vocabulary[id]);
const WORDS = { level: 'word', maxVocabulary: 100 } as const;

describe('PTB-style tokens', () => {
  it(`match DARTS's rnn/data.py on ${FIXTURE.cases.length} texts (line ends, Unicode spaces)`, () => {
    expect(FIXTURE.cases.length).toBeGreaterThan(15);
    for (const { text, tokens } of FIXTURE.cases) {
      expect({ text, tokens: tokensOf(text, 'word') }).toEqual({ text, tokens });
    }
  });

  it('at character level: code points, one space between words, <eos>, markers whole', () => {
    expect(tokensOf(' ab  c\n\té😀 <unk>\n', 'char')).toEqual([
      'a',
      'b',
      SPACE,
      'c',
      EOS,
      'é',
      '😀',
      SPACE,
      UNK,
      EOS,
    ]);
    expect(tokensOf('', 'char')).toEqual([]);
    expect(tokensOf('\n', 'char')).toEqual([EOS]);
  });
});

describe('buildTextCorpus', () => {
  const files = {
    train: 'b a c\na b\nd b a\n',
    valid: 'a z b\n',
    test: 'c c <unk> d\n',
  };

  it('ids: <eos> 0, <unk> 1, then by count, ties by first appearance', () => {
    const c = buildTextCorpus(files, WORDS);
    // counts: b 3, a 3 (b first), <eos> 3, c 1, d 1 (c first).
    expect(c.vocabulary).toEqual([EOS, UNK, 'b', 'a', 'c', 'd']);
    expect(Array.from(c.train)).toEqual([2, 3, 4, 0, 3, 2, 0, 5, 2, 3, 0]);
    expect(c.level).toBe('word');
  });

  it('maps valid/test words missing from the vocabulary, and PTB <unk>, to <unk>', () => {
    const c = buildTextCorpus(files, WORDS);
    expect(decode(c, c.valid)).toEqual(['a', UNK, 'b', EOS]);
    expect(decode(c, c.test)).toEqual(['c', 'c', UNK, 'd', EOS]);
  });

  it('keeps the most frequent words up to the cap, <eos> and <unk> included', () => {
    const c = buildTextCorpus(files, { level: 'word', maxVocabulary: 4 });
    expect(c.vocabulary).toEqual([EOS, UNK, 'b', 'a']);
    expect(decode(c, c.train)).toEqual(['b', 'a', UNK, EOS, 'a', 'b', EOS, UNK, 'b', 'a', EOS]);
    expect(decode(c, c.test)).toEqual([UNK, UNK, UNK, UNK, EOS]);
    expect(buildTextCorpus(files, { level: 'word', maxVocabulary: 2 }).vocabulary).toEqual([
      EOS,
      UNK,
    ]);
  });

  it('counts PTB <unk> in the text as <unk>, not as a word of its own', () => {
    const c = buildTextCorpus(
      { train: '<unk> <unk> <unk> x\n', valid: 'x\n', test: '<unk>\n' },
      WORDS,
    );
    expect(c.vocabulary).toEqual([EOS, UNK, 'x']);
    expect(Array.from(c.train)).toEqual([1, 1, 1, 2, 0]);
  });

  it('builds a character corpus with a space token', () => {
    const c = buildTextCorpus(
      { train: 'aab b\n', valid: 'ab c\n', test: 'b\n' },
      { level: 'char', maxVocabulary: 10 },
    );
    expect(c.level).toBe('char');
    expect(c.vocabulary).toEqual([EOS, UNK, 'a', 'b', SPACE]);
    expect(decode(c, c.valid)).toEqual(['a', 'b', SPACE, UNK, EOS]);
  });

  it('refuses empty splits, naming them', () => {
    expect(() => buildTextCorpus({ ...files, train: '' }, WORDS)).toThrow(
      /^the train text is empty: each split needs at least one word$/,
    );
    expect(() => buildTextCorpus({ ...files, valid: '\n \n\t\n' }, WORDS)).toThrow(
      /^the valid text has 3 lines and no words: each split needs at least one word$/,
    );
    expect(() => buildTextCorpus({ ...files, test: '' }, WORDS)).toThrow(/^the test text is empty/);
  });

  it('refuses a bad level or vocabulary cap', () => {
    const bad = (options: object) => () =>
      buildTextCorpus(files, options as Parameters<typeof buildTextCorpus>[1]);
    expect(bad({ level: 'byte', maxVocabulary: 9 })).toThrow(
      /^text level must be word or char, got byte$/,
    );
    for (const cap of [1, 2.5, Number.NaN, -3]) {
      expect(bad({ level: 'word', maxVocabulary: cap })).toThrow(
        /^the vocabulary cap must be an integer of at least 2 \(<eos> and <unk>\), got /,
      );
    }
  });
});

describe('loadTextCorpus', () => {
  const ptb = { 'ptb.train.txt': 'a b\n', 'ptb.valid.txt': 'b\n', 'ptb.test.txt': 'a\n' };

  it('reads the PTB distribution names and the plain ones', async () => {
    const c = await loadTextCorpus(memorySource(ptb), WORDS);
    expect(c.vocabulary).toEqual([EOS, UNK, 'a', 'b']);
    expect(Array.from(c.test)).toEqual([2, 0]);
    const plain = await loadTextCorpus(
      memorySource({ 'train.txt': 'x\n', 'valid.txt': 'x\n', 'test.txt': 'x\n', ...ptb }),
      WORDS,
    );
    expect(plain.vocabulary).toEqual([EOS, UNK, 'x']);
  });

  it('names the file that is missing, empty, too large, not UTF-8 or binary', async () => {
    const load = (files: Record<string, Uint8Array | string>, maxBytes?: number) =>
      loadTextCorpus(memorySource({ ...ptb, ...files }), WORDS, maxBytes);
    await expect(loadTextCorpus(memorySource({ 'train.txt': 'a\n' }), WORDS)).rejects.toThrow(
      /^cannot find valid\.txt or ptb\.valid\.txt in memory$/,
    );
    await expect(load({ 'ptb.valid.txt': '' })).rejects.toThrow(
      /^ptb\.valid\.txt is empty: each split needs at least one word$/,
    );
    await expect(load({}, 3)).rejects.toThrow(
      /^ptb\.train\.txt: 4 bytes is over the size limit of 3 bytes$/,
    );
    await expect(load({ 'ptb.test.txt': Uint8Array.of(0x61, 0x20, 0xc3, 0x28) })).rejects.toThrow(
      /^ptb\.test\.txt: not UTF-8 text: invalid byte sequence at offset 2 \(c3 28\)$/,
    );
    await expect(load({ 'ptb.test.txt': Uint8Array.of(0x61, 0, 0x62) })).rejects.toThrow(
      /^ptb\.test\.txt: a NUL byte at offset 1: this is not a text file$/,
    );
  });

  it('accepts a file of exactly the size limit', async () => {
    await expect(loadTextCorpus(memorySource(ptb), WORDS, 4)).resolves.toBeDefined();
  });

  it('drops a leading byte-order mark, not one inside the text', () => {
    expect(decodeUtf8Text(enc('\ufeffa\ufeffb'), 'x.txt')).toBe('a\ufeffb');
  });
});

describe('the built-in corpus', () => {
  const dir = new URL(`../../public/data/${BUILTIN_TEXT_FOLDER}/`, import.meta.url);

  it('has a README that names its source and licence', () => {
    const readme = readFileSync(new URL('README.md', dir), 'utf8');
    expect(readme).toMatch(/Pride and Prejudice/);
    expect(readme).toMatch(/public domain/i);
    expect(readme).toMatch(/r-cran-janeaustenr/);
    expect(readme).toMatch(/make_austen_corpus\.py/);
  });

  it('loads with its defaults: the capped vocabulary, every line ended, few <unk>', async () => {
    expect(existsSync(dir)).toBe(true);
    const c = await loadTextCorpus(folderSource(dir.pathname), BUILTIN_TEXT_OPTIONS);
    expect(c.level).toBe('word');
    expect(c.vocabulary.length).toBe(BUILTIN_TEXT_OPTIONS.maxVocabulary);
    for (const split of ['train', 'valid', 'test'] as const) {
      const text = readFileSync(new URL(`${split}.txt`, dir), 'utf8');
      const lines = text.split('\n').length - 1;
      const words = text.split(/\s+/).filter((w) => w !== '').length;
      const ids = c[split];
      expect(ids.length).toBe(words + lines);
      expect(ids.filter((id) => id === 0).length).toBe(lines);
      const unk = ids.filter((id) => id === 1).length / words;
      // The cap keeps every word seen 3 times in train: a few percent <unk>, as PTB.
      expect(unk).toBeGreaterThan(split === 'train' ? 0.01 : 0.02);
      expect(unk).toBeLessThan(split === 'train' ? 0.05 : 0.1);
      // PTB style: lowercase words, digits as N, no punctuation but clitics and hyphens.
      expect(text).toMatch(/^[a-z'\- N\n]+$/);
    }
    expect(c.train.length).toBeGreaterThan(80_000);
    expect(c.valid.length + c.test.length).toBeGreaterThan(15_000);
  });
});
