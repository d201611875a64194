/**
 * A tiny language-modelling corpus in memory for the recurrent run kinds' tests: PTB-layout
 * train, valid and test texts of seeded sentences over a small vocabulary, served as the host's
 * text files (`RunEnv.files`), and the same texts as a folder for the command line's loader.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunEnv } from '../../src/nas/runKind/runKind';
import type { TextFileSource, TextOrigin } from '../../src/nas/rnn/run/rnnRunCorpus';

const WORDS = ['the', 'cat', 'sat', 'on', 'a', 'mat', 'dog', 'ran', 'to', 'house', 'red', 'big'];

/** `lines` seeded sentences: a repeating phrase with every fourth word drawn. */
function text(lines: number, seed: number): string {
  let s = seed;
  const out: string[] = [];
  for (let l = 0; l < lines; l++) {
    const words: string[] = [];
    for (let i = 0; i < 8; i++) {
      s = (s * 1103515245 + 12345) % 2147483648;
      words.push(
        i % 4 === 3 ? (WORDS[(s >>> 16) % WORDS.length] as string) : (WORDS[(l + i) % 6] as string),
      );
    }
    out.push(words.join(' '));
  }
  return `${out.join('\n')}\n`;
}

export const TEXT_FILES = { train: text(60, 1), valid: text(20, 2), test: text(20, 3) };

const BY_NAME: Readonly<Record<string, string>> = {
  'train.txt': TEXT_FILES.train,
  'valid.txt': TEXT_FILES.valid,
  'test.txt': TEXT_FILES.test,
};

/** The texts as a host's file source; `origin` as a host would say it (absent: built-in). */
export function textSource(origin?: TextOrigin): TextFileSource {
  return {
    ...(origin ? { origin } : {}),
    async read(candidates) {
      for (const name of candidates) {
        const t = BY_NAME[name];
        if (t !== undefined) return { name, bytes: new TextEncoder().encode(t) };
      }
      throw new Error(`no ${candidates.join(' or ')}`);
    },
  };
}

/** A test host whose corpus is the texts above; it records the datasets asked for. */
export function textEnv(
  host: RunEnv['host'] = 'test',
  origin?: TextOrigin,
): RunEnv & {
  readonly requests: string[];
} {
  const requests: string[] = [];
  return {
    host,
    requests,
    files: (request) => {
      requests.push(request.dataset);
      return textSource(origin);
    },
  };
}

/** The texts in a new folder (for the command line's --data-dir). */
export function textFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nas-lab-text-'));
  mkdirSync(dir, { recursive: true });
  for (const [name, t] of Object.entries(BY_NAME)) writeFileSync(join(dir, name), t);
  return dir;
}
