/**
 * The run kinds, one line each: the descriptor (pure, so the page may import this file) and a
 * loader of the engine (tfjs; imported only where it runs: the worker, the CLI, tests). The
 * command line, the URL codec and the worker's session find kinds here and nowhere else, so a
 * new kind is its own folder plus one line below. Tests register toy kinds with
 * `registerRunKind`.
 */
import { CDARTS_INFO } from '../cdarts/cdartsKindInfo';
import { DARTS_INFO } from '../darts/dartsKindInfo';
import { decodeManifestOnly } from '../io/checkpointFormat';
import { RETRAIN_INFO } from '../retrain/retrainKindInfo';
import { RNN_RETRAIN_INFO } from '../rnn/retrain/rnnRetrainKindInfo';
import { RNN_SEARCH_INFO } from '../rnn/search/rnnSearchKindInfo';
import type { RunCommand, RunKind, RunKindInfo, RunSelector } from './runKind';

export interface RunKindEntry {
  readonly info: RunKindInfo;
  readonly load: () => Promise<RunKind>;
}

/** The kinds, in the order usage texts and selectors list them. */
const BUILT_IN: readonly RunKindEntry[] = [
  { info: DARTS_INFO, load: () => import('../darts/dartsRunKind').then((m) => m.DARTS_RUN_KIND) },
  {
    info: CDARTS_INFO,
    load: () => import('../cdarts/cdartsRunKind').then((m) => m.CDARTS_RUN_KIND),
  },
  {
    info: RETRAIN_INFO,
    load: () => import('../retrain/retrainRunKind').then((m) => m.RETRAIN_RUN_KIND),
  },
  {
    info: RNN_SEARCH_INFO,
    load: () => import('../rnn/search/rnnSearchRunKind').then((m) => m.RNN_SEARCH_RUN_KIND),
  },
  {
    info: RNN_RETRAIN_INFO,
    load: () => import('../rnn/retrain/rnnRetrainRunKind').then((m) => m.RNN_RETRAIN_RUN_KIND),
  },
];

const registered: RunKindEntry[] = [...BUILT_IN];

/** Every kind: the built-in ones, then those registered since. */
export function runKinds(): readonly RunKindEntry[] {
  return registered;
}

/** Adds a kind (tests, plug-ins); returns what removes it again. */
export function registerRunKind(entry: RunKindEntry): () => void {
  if (registered.some((e) => e.info.id === entry.info.id)) {
    throw new Error(`a run kind "${entry.info.id}" is registered already`);
  }
  if (registered.some((e) => e.info.checkpointFormat === entry.info.checkpointFormat)) {
    throw new Error(`another run kind writes checkpoints of "${entry.info.checkpointFormat}"`);
  }
  registered.push(entry);
  return () => {
    const i = registered.indexOf(entry);
    if (i >= 0) registered.splice(i, 1);
  };
}

export function findRunKind(id: string): RunKindEntry | undefined {
  return registered.find((e) => e.info.id === id);
}

/** The kind with this id, or an error listing the ids there are. */
export function runKindById(id: string): RunKindEntry {
  const entry = findRunKind(id);
  if (!entry) {
    throw new Error(`unknown run kind "${id}": use ${registered.map((e) => e.info.id).join(', ')}`);
  }
  return entry;
}

/**
 * The kind a command line or link asks for: the command's kinds in `space` (default 'cnn'), the
 * one of `algorithm`, else the space's first. Errors name the choices.
 */
export function selectRunKind(command: RunCommand, select: Partial<RunSelector>): RunKindEntry {
  const space = select.space ?? 'cnn';
  const inSpace = registered.filter(
    (e) => e.info.command === command && e.info.select.space === space,
  );
  if (inSpace.length === 0) {
    throw new Error(`nas-lab ${command} has no run kind for --space ${space}`);
  }
  if (select.algorithm === undefined) return inSpace[0] as RunKindEntry;
  const entry = inSpace.find((e) => e.info.select.algorithm === select.algorithm);
  if (!entry) {
    const algorithms = inSpace.map((e) => e.info.select.algorithm).filter((a) => a !== undefined);
    throw new Error(
      algorithms.length === 0
        ? `nas-lab ${command} --space ${space} takes no --algorithm`
        : `--algorithm must be one of ${algorithms.join(', ')}, got "${select.algorithm}"`,
    );
  }
  return entry;
}

/** The `format` named in a checkpoint's manifest (reads the manifest only, not the tensors). */
export function checkpointFormatOf(bytes: Uint8Array): string {
  const format = decodeManifestOnly(bytes).format;
  if (typeof format !== 'string')
    throw new Error('the file does not say what it holds (no format)');
  return format;
}

/** The kind whose checkpoints these bytes are, or an error naming what the file is. */
export function runKindForCheckpoint(bytes: Uint8Array): RunKindEntry {
  const format = checkpointFormatOf(bytes);
  const entry = registered.find((e) => e.info.checkpointFormat === format);
  if (!entry) {
    throw new Error(
      `this file is a "${format}", not a checkpoint of a run (${registered
        .map((e) => e.info.checkpointFormat)
        .join(', ')})`,
    );
  }
  return entry;
}
