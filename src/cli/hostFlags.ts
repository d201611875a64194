/**
 * The flags every `nas-lab search|retrain` kind takes besides its settings: how to pick the kind,
 * the backend, where data is read and output written, checkpoints, quiet and help. Written once
 * here; a kind's own flags come from its settings schema (kindFlags.ts).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { RunKindInfo } from '../nas/runKind/runKind';
import { nodeBackend, number } from './flagValues';
import type { NodeBackendName } from './nodeBackend';

export const HOST_OPTIONS = {
  space: { type: 'string' },
  algorithm: { type: 'string' },
  preset: { type: 'string' },
  backend: { type: 'string' },
  'data-dir': { type: 'string' },
  out: { type: 'string' },
  'checkpoint-every': { type: 'string' },
  resume: { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

/** The flags a resumed run still takes: the rest is the checkpoint's. */
export const RESUME_FLAGS = ['backend', 'data-dir', 'out', 'quiet', 'checkpoint-every'] as const;

/** The values of the host flags, parsed. */
export interface HostSettings {
  readonly backend: NodeBackendName;
  /** --data-dir: the folder a kind's data is read from, in place of the dataset's own. */
  readonly dataDir: string | undefined;
  readonly outDir: string;
  readonly quiet: boolean;
  /** Write <out>/checkpoint.naslab every this many steps. */
  readonly checkpointEvery: number | undefined;
  /** The checkpoint the run continues from. */
  readonly resume: string | undefined;
}

export type HostValues = { readonly [K in keyof typeof HOST_OPTIONS]?: string | boolean };

const text = (v: string | boolean | undefined): string | undefined =>
  typeof v === 'string' ? v : undefined;

export function hostSettings(values: HostValues, info: RunKindInfo): HostSettings {
  return {
    backend: nodeBackend(text(values.backend)),
    dataDir: text(values['data-dir']),
    outDir: text(values.out) ?? defaultOutDir(info),
    quiet: values.quiet === true,
    checkpointEvery: checkpointEvery(text(values['checkpoint-every'])),
    resume: text(values.resume),
  };
}

/** `--checkpoint-every`'s value: a whole number of steps of at least 1, or undefined. */
function checkpointEvery(value: string | undefined): number | undefined {
  const n = number('checkpoint-every', value);
  if (n !== undefined && (!Number.isInteger(n) || n < 1)) {
    throw new Error(`--checkpoint-every expects a whole number of steps of at least 1, got ${n}`);
  }
  return n;
}

export const defaultOutDir = (info: RunKindInfo): string => `out/${info.id}`;

/** The host flags' lines of the usage text: flag with its value, and help. */
export function hostUsage(info: RunKindInfo): readonly (readonly [string, string])[] {
  const only = RESUME_FLAGS.map((f) => `--${f}`).join(', ');
  return [
    ['--backend wasm|cpu|webgpu', 'tfjs backend (default wasm)'],
    ['--data-dir PATH', "folder of the dataset's files, in place of its default folder"],
    ['--out DIR', `output folder (default ${defaultOutDir(info)})`],
    ['--checkpoint-every N', 'write DIR/checkpoint.naslab every N steps (the latest is kept)'],
    [
      '--resume FILE',
      `continue a run from its checkpoint: the file decides the kind, its settings and data (only ${only} may be given)`,
    ],
    ['--quiet', 'no progress bar'],
    ['--help', 'this text'],
  ] as const;
}

/** The largest checkpoint read (a paper-size search writes about 15 MB). */
export const MAX_CHECKPOINT_FILE_BYTES = 2 ** 30;

/** A file's bytes, at most `limit` of them; errors name the flag and the path. */
export function readLimitedFile(flag: string, path: string, limit: number): Uint8Array {
  if (!existsSync(path)) throw new Error(`--${flag} ${path}: no such file`);
  const stat = statSync(path);
  if (!stat.isFile()) throw new Error(`--${flag} ${path} is not a file`);
  if (stat.size > limit) {
    throw new Error(`--${flag} ${path}: ${stat.size} bytes is above the limit of ${limit} bytes`);
  }
  return new Uint8Array(readFileSync(path));
}
