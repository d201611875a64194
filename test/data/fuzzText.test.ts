/**
 * Fuzzing of the text-corpus loader in the style of fuzzParsers.test.ts: mutated and random
 * files, each of which must load to a consistent corpus or be refused with an Error and a
 * message, never crash or hang; the UTF-8 check against the platform's strict decoder.
 */
import { describe, expect, it } from 'vitest';
import type { FileSource } from '../../src/data/catalog';
import type { TextCorpus, TextCorpusOptions } from '../../src/data/textCorpus';
import { loadTextCorpus } from '../../src/data/textCorpus';
import { EOS, UNK } from '../../src/data/textTokens';
import { firstInvalidUtf8 } from '../../src/data/utf8Text';
import { Rng } from '../../src/nas/tensor/random';
import { mutateBytes, outcomeOf, randomBytes } from '../support/mutate';

const LIMIT_MS = 1000;
const enc = (s: string) => new TextEncoder().encode(s);

const SEEDS = [
  enc(' the cat sat on the mat \n the dog <unk> sat \n'),
  enc('é😀 naïve\r\nline two\rthree\n\nfour'),
  enc('a\u00a0b\u3000c\u2028d\x85e\n'),
  enc('one\n'),
];

function memorySource(files: ReadonlyMap<string, Uint8Array>): FileSource {
  return {
    async read(candidates) {
      for (const name of candidates) {
        const bytes = files.get(name);
        if (bytes) return { name, bytes };
      }
      throw new Error(`cannot find ${candidates.join(' or ')} in memory`);
    },
  };
}

/** Lines as Python counts them: universal newlines, a last line without one still a line. */
function lineCount(text: string): number {
  const unix = text.replace(/\r\n?/g, '\n').replace(/^\ufeff/, '');
  if (unix === '') return 0;
  return unix.split('\n').length - (unix.endsWith('\n') ? 1 : 0);
}

function checkCorpus(
  c: TextCorpus,
  files: ReadonlyMap<string, Uint8Array>,
  options: TextCorpusOptions,
): void {
  expect(c.level).toBe(options.level);
  expect(c.vocabulary.slice(0, 2)).toEqual([EOS, UNK]);
  expect(c.vocabulary.length).toBeLessThanOrEqual(options.maxVocabulary);
  expect(new Set(c.vocabulary).size).toBe(c.vocabulary.length);
  for (const split of ['train', 'valid', 'test'] as const) {
    const ids = c[split];
    const text = new TextDecoder().decode(files.get(`${split}.txt`));
    expect(ids.every((id) => id >= 0 && id < c.vocabulary.length)).toBe(true);
    expect(ids.filter((id) => id === 0).length).toBe(lineCount(text));
    // At least one word besides the <eos>s.
    expect(ids.some((id) => id !== 0)).toBe(true);
  }
  // Every vocabulary entry past the markers occurs in the training split.
  const used = new Set(c.train);
  expect(c.vocabulary.every((_, id) => id < 2 || used.has(id))).toBe(true);
}

async function fuzz(cases: number, seed: number, make: (rng: Rng) => Map<string, Uint8Array>) {
  const rng = Rng.fromSeed(seed);
  let parsed = 0;
  let refused = 0;
  for (let i = 0; i < cases; i++) {
    const files = make(rng);
    const options: TextCorpusOptions = {
      level: rng.next() < 0.5 ? 'word' : 'char',
      maxVocabulary: 2 + rng.int(12),
    };
    const outcome = await outcomeOf(() => loadTextCorpus(memorySource(files), options), LIMIT_MS);
    if (outcome.kind === 'crash') expect({ case: i, crash: outcome.what }).toBeNull();
    else if (outcome.kind === 'value') {
      checkCorpus(outcome.value, files, options);
      parsed++;
    } else {
      if (outcome.message.length > 300) expect({ case: i, message: outcome.message }).toBeNull();
      refused++;
    }
  }
  return { parsed, refused };
}

const pick = (rng: Rng) => SEEDS[rng.int(SEEDS.length)] as Uint8Array;

describe('the UTF-8 check', () => {
  it('agrees with the strict TextDecoder on 4,000 mutated and random byte strings', () => {
    const rng = Rng.fromSeed(201);
    const strict = new TextDecoder('utf-8', { fatal: true });
    let invalid = 0;
    for (let i = 0; i < 4000; i++) {
      const bytes =
        i % 4 === 0
          ? randomBytes(rng, rng.int(12))
          : mutateBytes(pick(rng), rng, { hot: [0, 1, 2, 3, 4, 5] });
      let ok = true;
      try {
        strict.decode(bytes);
      } catch {
        ok = false;
      }
      const bad = firstInvalidUtf8(bytes);
      expect({ i, valid: bad < 0 }).toEqual({ i, valid: ok });
      if (!ok) {
        invalid++;
        // The bytes before the reported offset decode; the sequence starting there does not.
        expect(() => strict.decode(bytes.subarray(0, bad))).not.toThrow();
        expect(() => strict.decode(bytes.subarray(bad))).toThrow();
      }
    }
    expect(invalid).toBeGreaterThan(1000);
  });
});

describe('loadTextCorpus under fuzzing', () => {
  it('loads or refuses 1,500 folders with one file mutated', async () => {
    const tally = await fuzz(1500, 202, (rng) => {
      const files = new Map([
        ['train.txt', pick(rng)],
        ['valid.txt', pick(rng)],
        ['test.txt', pick(rng)],
      ]);
      const name = ['train.txt', 'valid.txt', 'test.txt'][rng.int(3)] as string;
      files.set(name, mutateBytes(files.get(name) as Uint8Array, rng, { donors: SEEDS }));
      return files;
    });
    expect(tally.parsed).toBeGreaterThan(500);
    expect(tally.refused).toBeGreaterThan(100);
  });

  it('loads or refuses 500 folders of random bytes', async () => {
    const tally = await fuzz(500, 203, (rng) => {
      const files = new Map<string, Uint8Array>();
      for (const name of ['train.txt', 'valid.txt', 'test.txt']) {
        const bytes = randomBytes(rng, rng.int(24));
        // Half of the files are ASCII, so that some folders load.
        files.set(name, rng.next() < 0.5 ? bytes.map((b) => 0x20 + (b % 0x5f)) : bytes);
      }
      return files;
    });
    expect(tally.parsed).toBeGreaterThan(20);
    expect(tally.refused).toBeGreaterThan(300);
  });
});
