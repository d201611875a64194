/**
 * Typed readers for the JSON manifests of NAS Lab's files (search, retrain, CDARTS and recurrent
 * checkpoints, trained models), written once: each reads one field, checks it and throws an
 * error that names the file's kind and the field ("invalid retrain checkpoint: position.step
 * must be an integer of at least 0, got -1"). Also the parts several manifests hold alike:
 * random states, an image order, the host's settings, the data shape.
 */
import type { RngSnapshot } from '../tensor/random';
import { Rng } from '../tensor/random';

export type Json = Record<string, unknown>;

/** An error about a file of one kind; `detail` is the message without the kind's prefix. */
export class ManifestError extends Error {
  readonly detail: string;

  constructor(kind: string, detail: string) {
    super(`invalid ${kind}: ${detail}`);
    this.detail = detail;
  }
}

/** The host's own settings, flat (e.g. the lab's dataset, image count and size). */
export type HostSettings = Readonly<Record<string, string | number | boolean>>;

/** The images a network was built for. */
export interface ImageShape {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly numClasses: number;
}

/** A random state's name in a checkpoint's `rngs`. */
export const RNG_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const HOST_KEY = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const MAX_HOST_ENTRIES = 32;
const MAX_HOST_STRING = 256;
const SHAPE_KEYS = ['height', 'width', 'channels', 'numClasses'] as const;

function range(min: number, max: number): string {
  return max === Infinity || max === Number.MAX_SAFE_INTEGER
    ? `of at least ${min}`
    : `from ${min} to ${max}`;
}

/** The readers of one kind of file: every error they throw starts with "invalid {kind}: ". */
export class ManifestReader {
  readonly kind: string;

  constructor(kind: string) {
    this.kind = kind;
  }

  error(detail: string): ManifestError {
    return new ManifestError(this.kind, detail);
  }

  /**
   * Runs a check or another kind's reader and restates its error as this kind's, after
   * `at: ` when given (another kind's prefix is dropped, a plain message kept).
   */
  within<T>(read: () => T, at?: string): T {
    try {
      return read();
    } catch (e) {
      const detail = e instanceof ManifestError ? e.detail : (e as Error).message;
      throw this.error(at === undefined ? detail : `${at}: ${detail}`);
    }
  }

  object(value: unknown, at: string): Json {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw this.error(`${at} must be a JSON object`);
    }
    return value as Json;
  }

  /** Refuses a missing key of `keys` and any key of neither `keys` nor `optional`. */
  exactKeys(o: Json, keys: readonly string[], at: string, optional: readonly string[] = []): void {
    for (const key of keys) {
      if (!Object.hasOwn(o, key)) throw this.error(`${at} has no "${key}"`);
    }
    for (const key of Object.keys(o)) {
      if (!keys.includes(key) && !optional.includes(key)) {
        throw this.error(`${at} has an unknown field "${key}"`);
      }
    }
  }

  /** An object with exactly `keys` (and any of `optional`). */
  record(value: unknown, at: string, keys: readonly string[], optional?: readonly string[]): Json {
    const o = this.object(value, at);
    this.exactKeys(o, keys, at, optional);
    return o;
  }

  integer(value: unknown, at: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
      throw this.error(`${at} must be an integer ${range(min, max)}, got ${JSON.stringify(value)}`);
    }
    return value;
  }

  /** A finite number, within [min, max] when given. */
  number(value: unknown, at: string, min = -Infinity, max = Infinity): number {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      const what = min === -Infinity ? 'a finite number' : `a number ${range(min, max)}`;
      throw this.error(`${at} must be ${what}, got ${JSON.stringify(value)}`);
    }
    return value;
  }

  /** The manifest's `format` and `version`, against this build's. */
  formatAndVersion(json: Json, format: string, version: number, versionName = 'version'): void {
    if (json.format !== format) {
      throw this.error(
        `the manifest's format is ${JSON.stringify(json.format)}, expected "${format}"`,
      );
    }
    if (json.version !== version) {
      throw this.error(
        `unsupported ${versionName} ${JSON.stringify(json.version)}; this build reads version ${version}`,
      );
    }
  }

  /**
   * A manifest's format and version against this build's, and its top-level fields: `format`,
   * `version` and exactly `keys`, and any of `optional`.
   */
  manifestKeys(
    json: Json,
    head: { readonly format: string; readonly version: number },
    keys: readonly string[],
    optional: readonly string[] = [],
  ): void {
    this.formatAndVersion(json, head.format, head.version);
    this.exactKeys(json, ['format', 'version', ...keys], 'the manifest', optional);
  }

  /** An image order (`position.order`): a list of indices, or null before an epoch's draw. */
  order(value: unknown, at: string): Int32Array | null {
    if (value === null) return null;
    if (!Array.isArray(value)) throw this.error(`${at} must be a list or null`);
    const order = new Int32Array(value.length);
    value.forEach((v: unknown, i) => {
      order[i] = this.integer(v, `${at}[${i}]`);
    });
    return order;
  }

  /** A random source's state: four 32-bit words and the spare normal draw. */
  rng(value: unknown, at: string): RngSnapshot {
    const o = this.record(value, at, ['words', 'spareNormal']);
    if (!Array.isArray(o.words) || o.words.length !== 4) {
      throw this.error(`${at}.words must be a list of four 32-bit words`);
    }
    const words = o.words.map((w: unknown, i) => {
      const v = this.integer(w, `${at}.words[${i}]`);
      if (v > 0xffffffff) throw this.error(`${at}.words[${i}] = ${v} exceeds 32 bits`);
      return v;
    });
    const spare = o.spareNormal;
    if (spare !== null && !(typeof spare === 'number' && Number.isFinite(spare))) {
      throw this.error(`${at}.spareNormal must be a finite number or null`);
    }
    return { words: words as [number, number, number, number], spareNormal: spare };
  }

  /** Random states by name; `required` must be among them when given. */
  rngs(value: unknown, at: string, name: RegExp, required?: string): Record<string, RngSnapshot> {
    const o = this.object(value, at);
    if (required !== undefined && !Object.hasOwn(o, required)) {
      throw this.error(`${at} has no "${required}" state`);
    }
    return Object.fromEntries(
      Object.entries(o).map(([key, state]) => {
        if (!name.test(key)) throw this.error(`${at} has a bad name ${JSON.stringify(key)}`);
        return [key, this.rng(state, `${at}.${key}`)];
      }),
    );
  }

  /** The host's settings: at most 32, each a finite number, a boolean or a short string. */
  host(value: unknown): HostSettings {
    const o = this.object(value, 'host');
    const entries = Object.entries(o);
    if (entries.length > MAX_HOST_ENTRIES) {
      throw this.error(`host holds ${entries.length} settings, at most ${MAX_HOST_ENTRIES}`);
    }
    for (const [key, v] of entries) {
      if (!HOST_KEY.test(key)) {
        throw this.error(`host has a bad setting name ${JSON.stringify(key)}`);
      }
      const ok =
        typeof v === 'boolean' ||
        (typeof v === 'number' && Number.isFinite(v)) ||
        (typeof v === 'string' && v.length <= MAX_HOST_STRING);
      if (!ok) {
        throw this.error(
          `host.${key} must be a finite number, a boolean or a string of at most ${MAX_HOST_STRING} characters`,
        );
      }
    }
    return o as HostSettings;
  }

  /** The `data` field: image height, width, channels and class count. */
  imageShape(value: unknown, minClasses: number): ImageShape {
    const o = this.record(value, 'data', SHAPE_KEYS);
    return {
      height: this.integer(o.height, 'data.height', 1),
      width: this.integer(o.width, 'data.width', 1),
      channels: this.integer(o.channels, 'data.channels', 1),
      numClasses: this.integer(o.numClasses, 'data.numClasses', minClasses),
    };
  }
}

export function rngToJson(r: RngSnapshot): Json {
  return { words: [...r.words], spareNormal: r.spareNormal };
}

export function rngsToJson(rngs: Readonly<Record<string, RngSnapshot>>): Json {
  return Object.fromEntries(Object.entries(rngs).map(([name, r]) => [name, rngToJson(r)]));
}

/** "32×32×3 images in 10 classes". */
export function imageShapeText(d: ImageShape): string {
  return `${d.height}×${d.width}×${d.channels} images in ${d.numClasses} classes`;
}

export function imageShapeToJson(d: ImageShape): Json {
  return Object.fromEntries(SHAPE_KEYS.map((key) => [key, d[key]]));
}

/**
 * The snapshots a checkpoint's `rngs` holds: the state's own source under `ownName` and the
 * host's by name (refusing the own name and names a file could not hold).
 */
export function snapshotRngs(
  ownName: string,
  own: Rng,
  host: Readonly<Record<string, Rng>>,
  owner: string,
): Record<string, RngSnapshot> {
  for (const name of Object.keys(host)) {
    if (name === ownName) {
      throw new Error(`the random source name "${ownName}" is the ${owner}'s own`);
    }
    if (!RNG_NAME.test(name)) {
      throw new Error(
        `random source name ${JSON.stringify(name)} must be 1–64 of A–Z a–z 0–9 _ . -`,
      );
    }
  }
  return Object.fromEntries([
    [ownName, own.snapshot()],
    ...Object.entries(host).map(([name, rng]) => [name, rng.snapshot()]),
  ]);
}

/** The random source a checkpoint saved under `name`, as a new Rng. */
export function rngFromSnapshots(rngs: Readonly<Record<string, RngSnapshot>>, name: string): Rng {
  const snapshot = Object.hasOwn(rngs, name) ? rngs[name] : undefined;
  if (!snapshot) {
    const names = Object.keys(rngs).join(', ');
    throw new Error(`the checkpoint has no random state "${name}" (it has: ${names})`);
  }
  return Rng.fromSnapshot(snapshot);
}
