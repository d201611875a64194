/**
 * Fuzzing support: seeded edits of valid inputs (bytes or text) and a runner that turns one
 * parse into its outcome: a value, a refusal (an `Error` with a message) or a crash (anything
 * else thrown, an empty message, or a parse that takes too long). Every draw comes from the
 * seeded generator, so a failing case replays from the test's seed.
 */
import type { Rng } from '../../src/nas/tensor/random';

/** Byte values that sit on the edges of signed and unsigned ranges. */
const EDGE_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff];
/** 32-bit words that parsers of size fields trip on, written big- or little-endian. */
const EDGE_WORDS = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x10000];

export function randomBytes(rng: Rng, length: number): Uint8Array {
  return Uint8Array.from({ length }, () => rng.int(256));
}

export interface ByteMutation {
  /** Other valid inputs whose pieces may be spliced in. */
  readonly donors?: readonly Uint8Array[];
  /** Offsets where single-byte edits land half of the time (headers, label bytes). */
  readonly hot?: readonly number[];
  /** At most this many edits (default 3). */
  readonly maxEdits?: number;
}

function join(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function oneEdit(bytes: Uint8Array, rng: Rng, options: ByteMutation): Uint8Array {
  const { donors = [], hot = [] } = options;
  const position = (): number =>
    hot.length > 0 && rng.next() < 0.5
      ? Math.min(hot[rng.int(hot.length)] as number, Math.max(bytes.length - 1, 0))
      : rng.int(bytes.length + 1);
  const at = position();
  const span = 1 + rng.int(16);
  switch (rng.int(9)) {
    case 0: {
      const out = bytes.slice();
      if (at < out.length) out[at] = (out[at] as number) ^ (1 << rng.int(8));
      return out;
    }
    case 1: {
      const out = bytes.slice();
      if (at < out.length) out[at] = rng.int(256);
      return out;
    }
    case 2: {
      const out = bytes.slice();
      if (at < out.length) out[at] = EDGE_BYTES[rng.int(EDGE_BYTES.length)] as number;
      return out;
    }
    case 3: {
      const out = bytes.slice();
      const word = EDGE_WORDS[rng.int(EDGE_WORDS.length)] as number;
      const littleEndian = rng.next() < 0.5;
      for (let k = 0; k < 4 && at + k < out.length; k++) {
        out[at + k] = (word >>> (8 * (littleEndian ? k : 3 - k))) & 0xff;
      }
      return out;
    }
    case 4:
      return bytes.slice(0, at);
    case 5:
      return join(bytes.subarray(0, at), bytes.subarray(at + span));
    case 6:
      return join(bytes.subarray(0, at), randomBytes(rng, span), bytes.subarray(at));
    case 7:
      return join(bytes.subarray(0, at), bytes.subarray(at, at + span), bytes.subarray(at));
    default: {
      // Splice: this input's head, another's tail (or this one's, shifted).
      const donor = donors.length > 0 ? (donors[rng.int(donors.length)] as Uint8Array) : bytes;
      return join(bytes.subarray(0, at), donor.subarray(rng.int(donor.length + 1)));
    }
  }
}

/**
 * One to `maxEdits` random edits of a copy of `bytes` (never changed in place): bit flips, random
 * or edge-value bytes, an edge-value 32-bit word, truncation, deletion, insertion of random
 * bytes, duplication of a span, or a splice with a donor.
 */
export function mutateBytes(bytes: Uint8Array, rng: Rng, options: ByteMutation = {}): Uint8Array {
  let out = bytes;
  const edits = 1 + rng.int(options.maxEdits ?? 3);
  for (let e = 0; e < edits; e++) out = oneEdit(out, rng, options);
  return out === bytes ? bytes.slice() : out;
}

/**
 * One to three text edits: delete a span, insert one of `snippets`, duplicate a span, or copy a
 * span from elsewhere in the text over another.
 */
export function mutateText(text: string, rng: Rng, snippets: readonly string[]): string {
  let out = text;
  const edits = 1 + rng.int(3);
  for (let e = 0; e < edits; e++) {
    const at = rng.int(out.length + 1);
    const span = 1 + rng.int(12);
    switch (rng.int(4)) {
      case 0:
        out = out.slice(0, at) + out.slice(at + span);
        break;
      case 1:
        out = out.slice(0, at) + (snippets[rng.int(snippets.length)] as string) + out.slice(at);
        break;
      case 2:
        out = out.slice(0, at) + out.slice(at, at + span) + out.slice(at);
        break;
      default: {
        const other = rng.int(out.length + 1);
        out = out.slice(0, at) + out.slice(other, other + span) + out.slice(at + span);
      }
    }
  }
  return out;
}

/** What one parse came to. */
export type Outcome<T> =
  | { readonly kind: 'value'; readonly value: T }
  | { readonly kind: 'refused'; readonly message: string }
  | { readonly kind: 'crash'; readonly what: string };

/**
 * Runs `parse` and classifies the result. A crash is anything thrown that is not a plain `Error`
 * (a TypeError or RangeError is a bug, not a refusal, unless `allowSubclasses`), an `Error`
 * whose message is shorter than 10 characters, or a parse that does not settle within `limitMs`
 * (an async parse is abandoned then; a synchronous one is measured when it returns).
 */
export async function outcomeOf<T>(
  parse: () => T | Promise<T>,
  limitMs: number,
  allowSubclasses = false,
): Promise<Outcome<T>> {
  const started = performance.now();
  const HANG = Symbol('hang');
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<typeof HANG>((resolve) => {
    timer = setTimeout(() => resolve(HANG), limitMs);
  });
  try {
    const settled = await Promise.race([Promise.resolve().then(parse), hang]);
    if (settled === HANG) return { kind: 'crash', what: `no answer within ${limitMs} ms` };
    const took = performance.now() - started;
    if (took > limitMs) return { kind: 'crash', what: `took ${took.toFixed(0)} ms` };
    return { kind: 'value', value: settled };
  } catch (e) {
    if (!(e instanceof Error)) return { kind: 'crash', what: `threw a non-Error: ${String(e)}` };
    if (!allowSubclasses && e.constructor !== Error) {
      return { kind: 'crash', what: `threw a ${e.constructor.name}: ${e.message}` };
    }
    if (e.message.length < 10) return { kind: 'crash', what: `unclear message "${e.message}"` };
    return { kind: 'refused', message: e.message };
  } finally {
    clearTimeout(timer);
  }
}
