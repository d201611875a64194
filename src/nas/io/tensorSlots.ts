/**
 * The tensor side of every checkpoint and model file, written once: naming a state's variables
 * under a prefix, reading them back into host copies, refusing to save non-finite values,
 * matching a file's tensors against the slots the rebuilt state needs (nothing missing,
 * misshapen or extra, with messages that say which file and which state), and turning stored
 * values back into variables.
 */
import * as tf from '../tensor/tf';
import type { NetworkVariables } from '../tensor/initParams';
import type { StoredTensor } from './checkpointFormat';

/** A tensor a file holds or a state needs: its name in the file and its shape. */
export interface TensorSlot {
  readonly name: string;
  readonly shape: readonly number[];
}

/** `variables` under `prefix.`: the names a file gives them. */
export function prefixed<T extends tf.Tensor>(
  prefix: string,
  variables: Readonly<Record<string, T>>,
): [string, T][] {
  return Object.entries(variables).map(([name, v]) => [`${prefix}.${name}`, v]);
}

/** Slots `prefix.<name>` of specs (a network's parameters or buffers). */
export function slotsUnder(prefix: string, specs: readonly TensorSlot[]): TensorSlot[] {
  return specs.map((s) => ({ name: `${prefix}.${s.name}`, shape: s.shape }));
}

/** A network's specs as a file holds them: `weights.<param>`, then `buffers.<buffer>`. */
export function networkSlots(net: {
  readonly params: readonly TensorSlot[];
  readonly buffers: readonly TensorSlot[];
}): TensorSlot[] {
  return [...slotsUnder('weights', net.params), ...slotsUnder('buffers', net.buffers)];
}

/** A network's variables under the names `networkSlots` gives them. */
export function networkTensors(v: NetworkVariables): [string, tf.Variable][] {
  return [...prefixed('weights', v.weights), ...prefixed('buffers', v.buffers)];
}

/** Values already on the host (a resumed run's hidden state before its first step). */
export interface HostTensor {
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/**
 * A matrix as `readTensors` takes it: a tensor, or host values of [length / columns, columns]
 * (a recurrent run resumed mid-epoch holds its carried hidden state so until its first step).
 */
function tensorOrHost(t: tf.Tensor | Float32Array, columns: number): tf.Tensor | HostTensor {
  return t instanceof Float32Array ? { shape: [t.length / columns, columns], values: t } : t;
}

/**
 * Host copies of named tensors, in order. Reads every device tensor back with `await data()`;
 * host values are copied as they are.
 */
export async function readTensors(
  named: readonly (readonly [string, tf.Tensor | HostTensor])[],
): Promise<StoredTensor[]> {
  const values = await Promise.all(
    named.map(([, t]) => (t instanceof tf.Tensor ? t.data<'float32'>() : t.values)),
  );
  // Copies: on the cpu backend data() returns the backend's own array.
  return named.map(([name, t], i) => ({
    name,
    shape: [...t.shape],
    values: new Float32Array(values[i] as Float32Array),
  }));
}

/**
 * Host copies of a recurrent run's tensors: its state's, then, once an epoch has begun (`row` >
 * 0), the hidden states it carries by name (tensors, or host copies of [batch, `nhid`] where a
 * resumed run has not stepped yet). `owner` names the run ("the search") when they are missing.
 */
export function readRunTensors(
  state: readonly (readonly [string, tf.Tensor])[],
  row: number,
  hidden: Readonly<Record<string, tf.Tensor | Float32Array>> | null,
  nhid: number,
  owner: string,
): Promise<StoredTensor[]> {
  const held: (readonly [string, tf.Tensor | HostTensor])[] = [...state];
  if (row > 0) {
    if (!hidden) throw new Error(`${owner} is inside an epoch but holds no hidden state`);
    for (const [name, t] of Object.entries(hidden)) held.push([name, tensorOrHost(t, nhid)]);
  }
  return readTensors(held);
}

/**
 * Host copies of the tensors of `slots`, in slot order, taken from `tensors` by name (`owner`
 * names the state in the error when one is missing).
 */
export function readSlots(
  slots: readonly TensorSlot[],
  tensors: ReadonlyMap<string, tf.Tensor>,
  owner: string,
): Promise<StoredTensor[]> {
  return readTensors(
    slots.map((slot) => {
      const t = tensors.get(slot.name);
      if (!t) throw new Error(`${owner} has no tensor "${slot.name}"`);
      if (t.dtype !== 'float32') {
        throw new Error(`tensor "${slot.name}" is ${t.dtype}, not float32`);
      }
      return [slot.name, t] as const;
    }),
  );
}

/**
 * Throws `cannot save {what}: tensor "…" holds NaN at index i ({cause})` for the first
 * non-finite value: a file that would be refused on reading is not written.
 */
export function checkFiniteTensors(
  tensors: readonly StoredTensor[],
  what: string,
  cause: string,
): void {
  for (const t of tensors) {
    const i = t.values.findIndex((v) => !Number.isFinite(v));
    if (i >= 0) {
      throw new Error(
        `cannot save ${what}: tensor "${t.name}" holds ${t.values[i]} at index ${i} (${cause})`,
      );
    }
  }
}

export const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** How the messages of `matchTensorSlots` name the file and the state it is matched against. */
export interface SlotWords {
  /** "the file", "the checkpoint". */
  readonly file: string;
  /** Who needs a missing or misshapen tensor: "the network of its configuration". */
  readonly needer: string;
  /** Who lacks an extra tensor: "the network". */
  readonly owner: string;
  readonly error: (message: string) => Error;
}

/** Throws naming the first slot `tensors` lacks or shapes otherwise, or a tensor of no slot. */
export function matchTensorSlots(
  slots: readonly TensorSlot[],
  tensors: readonly StoredTensor[],
  words: SlotWords,
): void {
  const { file, needer, owner, error } = words;
  const byName = new Map(tensors.map((t) => [t.name, t]));
  for (const slot of slots) {
    const saved = byName.get(slot.name);
    if (!saved) throw error(`${file} has no tensor "${slot.name}", which ${needer} needs`);
    if (shapeText(saved.shape) !== shapeText(slot.shape)) {
      throw error(
        `tensor "${slot.name}" has shape ${shapeText(saved.shape)} in ${file}; ${needer} needs ${shapeText(slot.shape)}`,
      );
    }
  }
  const expected = new Set(slots.map((s) => s.name));
  const extra = tensors.find((t) => !expected.has(t.name));
  if (extra) throw error(`${file} holds tensor "${extra.name}", which ${owner} does not have`);
}

/** A new variable holding a stored tensor's values. */
export function variableFrom(t: StoredTensor, trainable: boolean): tf.Variable {
  const value = tf.tensor(t.values, [...t.shape], 'float32');
  const v = tf.variable(value, trainable);
  value.dispose();
  return v;
}

/** Sets `v` to a stored tensor's values (their shapes already matched). */
export function assignStored(v: tf.Variable, t: StoredTensor): void {
  tf.tidy(() => v.assign(tf.tensor(t.values, [...t.shape], 'float32')));
}

/** A network's variables from the stored `networkSlots` (already matched). */
export function networkVariablesFrom(
  net: { readonly params: readonly TensorSlot[]; readonly buffers: readonly TensorSlot[] },
  saved: ReadonlyMap<string, StoredTensor>,
): NetworkVariables {
  const names = (specs: readonly TensorSlot[]) => specs.map((s) => s.name);
  return {
    weights: variablesUnder('weights', names(net.params), saved, true),
    buffers: variablesUnder('buffers', names(net.buffers), saved, false),
  };
}

/** New variables `names`, each from the stored tensor `prefix.name` (already matched). */
export function variablesUnder(
  prefix: string,
  names: readonly string[],
  saved: ReadonlyMap<string, StoredTensor>,
  trainable: boolean,
): Record<string, tf.Variable> {
  return Object.fromEntries(
    names.map((name) => [
      name,
      variableFrom(saved.get(`${prefix}.${name}`) as StoredTensor, trainable),
    ]),
  );
}
