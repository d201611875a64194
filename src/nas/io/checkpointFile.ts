/**
 * The steps every kind of checkpoint file takes around its own manifest, written once. Reading:
 * the bytes, the magic and the container, with errors in the kind's words ("invalid retrain
 * checkpoint: …"), then the manifest and the tensors matched against the slots the state it
 * describes needs. Writing: the manifest read back as the kind's decoder reads it (a refusal
 * says "cannot save {what}: …") and every tensor finite, before any byte is made. Capturing:
 * a state's random states and host copies of its tensors.
 */
import type { Container, StoredTensor } from './checkpointFormat';
import { CHECKPOINT_MAGIC, decodeContainer, encodeContainer } from './checkpointFormat';
import type { Json } from './manifestFields';
import { ManifestReader, snapshotRngs } from './manifestFields';
import type { TensorSlot } from './tensorSlots';
import { checkFiniteTensors, matchTensorSlots, readSlots } from './tensorSlots';
import type { Rng, RngSnapshot } from '../tensor/random';
import type * as tf from '../tensor/tf';

/** A state to capture: its own random source and its tensors under their file names. */
export interface CapturedState {
  /**
   * The own source's name among the file's random states, which also names the state in errors:
   * "search" (the SearchState, "the search state").
   */
  readonly name: string;
  readonly rng: Rng;
  readonly slots: readonly TensorSlot[];
  readonly tensors: ReadonlyMap<string, tf.Tensor>;
}

/**
 * The random states a checkpoint holds (the state's own and the host's by name) and host copies
 * of the state's tensors in slot order (read back with `await data()`).
 */
export async function captureState(
  state: CapturedState,
  hostRngs: Readonly<Record<string, Rng>>,
): Promise<{ rngs: Record<string, RngSnapshot>; tensors: StoredTensor[] }> {
  const { name } = state;
  const owner = `${name.charAt(0).toUpperCase()}${name.slice(1)}State`;
  const rngs = snapshotRngs(name, state.rng, hostRngs, owner);
  return { rngs, tensors: await readSlots(state.slots, state.tensors, `the ${name} state`) };
}

/** The container of a file of `kind`, its errors that kind's (the container's own restated). */
function openCheckpointFile(bytes: Uint8Array, maxBytes: number, kind: string): Container {
  const reader = new ManifestReader(kind);
  if (!(bytes instanceof Uint8Array)) throw reader.error('expected the bytes of a file');
  const magic = String.fromCharCode(...bytes.subarray(0, CHECKPOINT_MAGIC.length));
  if (magic !== CHECKPOINT_MAGIC) {
    throw reader.error(`not a NAS Lab file: it does not start with "${CHECKPOINT_MAGIC}"`);
  }
  return reader.within(() => decodeContainer(bytes, maxBytes));
}

/** How a kind reads its manifest and which tensors the state a manifest describes has. */
export interface CheckpointReading<M> {
  /** What the errors call the file: "retrain checkpoint". */
  readonly kind: string;
  readonly parse: (manifest: Json) => M;
  /** The slots of the manifest's state, in file order (`tensorCount`: the file's, for cheap checks). */
  readonly slots: (manifest: M, tensorCount: number) => readonly TensorSlot[];
  /** Who needs a missing or misshapen tensor: "the retrain of its configuration and position". */
  readonly needer: string;
  /** Who lacks an extra tensor: "the retrain". */
  readonly owner: string;
}

/** Throws, in the kind's words, unless `tensors` are exactly the manifest's state's. */
export function matchCheckpointSlots<M>(
  reading: CheckpointReading<M>,
  manifest: M,
  tensors: readonly StoredTensor[],
): void {
  const { kind, needer, owner } = reading;
  const reader = new ManifestReader(kind);
  matchTensorSlots(reading.slots(manifest, tensors.length), tensors, {
    file: 'the file',
    needer,
    owner,
    error: (message) => reader.error(message),
  });
}

/** A file of the kind: its manifest, and its tensors matched against the manifest's state. */
export function decodeCheckpointFile<M>(
  bytes: Uint8Array,
  maxBytes: number,
  reading: CheckpointReading<M>,
): M & { readonly tensors: readonly StoredTensor[] } {
  const container = openCheckpointFile(bytes, maxBytes, reading.kind);
  const manifest = reading.parse(container.manifest);
  matchCheckpointSlots(reading, manifest, container.tensors);
  return { ...manifest, tensors: container.tensors };
}

/** How a kind's encoder words its refusals, and how it reads its manifest back. */
export interface SaveChecks {
  /** What is saved, in "cannot save {what}: …": "the retrain". */
  readonly what: string;
  /** Why a tensor is not finite: "the training has diverged". */
  readonly cause: string;
  /** The kind's manifest reader, whose errors start with "invalid {kind}: ". */
  readonly reread?: { readonly kind: string; readonly parse: (manifest: Json) => unknown };
}

/** The file's bytes, refusing what its decoder would refuse. */
export function encodeCheckpointFile(
  file: { readonly manifest: Json; readonly tensors: readonly StoredTensor[] },
  maxBytes: number,
  checks: SaveChecks,
): Uint8Array {
  const { what, cause, reread } = checks;
  if (reread) {
    try {
      reread.parse(file.manifest);
    } catch (e) {
      const message = (e as Error).message;
      const prefix = `invalid ${reread.kind}: `;
      throw new Error(
        message.startsWith(prefix)
          ? `cannot save ${what}: ${message.slice(prefix.length)}`
          : message,
      );
    }
  }
  checkFiniteTensors(file.tensors, what, cause);
  return encodeContainer(file, maxBytes);
}
