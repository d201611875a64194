/**
 * The recurrent kinds' checkpoint files (rnnSearchCheckpoint.ts, rnnRetrainCheckpoint.ts),
 * written once around what differs between them: capture (where the run stands, host copies of
 * the state's tensors and, inside an epoch, of the hidden states it carries), encoding, decoding
 * against the state the manifest describes, and restoring a state and the hidden states. Each
 * kind gives its manifest, its state's tensors and its hidden states as an `RnnCheckpointSpec`;
 * reading a configuration back from its JSON is shared too.
 */
import type { CheckpointReading, SaveChecks } from '../../io/checkpointFile';
import {
  decodeCheckpointFile,
  encodeCheckpointFile,
  matchCheckpointSlots,
} from '../../io/checkpointFile';
import type { StoredTensor } from '../../io/checkpointFormat';
import type { HostSettings, Json, ManifestReader } from '../../io/manifestFields';
import { assignStored, readRunTensors } from '../../io/tensorSlots';
import type { Rng, RngSnapshot } from '../../tensor/random';
import type * as tf from '../../tensor/tf';

/** The configuration in a manifest's `config`: exactly `paper`'s keys, every value a number. */
export function readRnnConfig<C extends { readonly dropout: object }>(
  F: ManifestReader,
  value: unknown,
  paper: C,
): C {
  const keys = Object.keys(paper);
  const dropoutKeys = Object.keys(paper.dropout);
  const o = F.record(value, 'config', keys);
  const d = F.record(o.dropout, 'config.dropout', dropoutKeys);
  const dropout = Object.fromEntries(
    dropoutKeys.map((k) => [k, F.number(d[k], `config.dropout.${k}`)]),
  );
  return Object.fromEntries(
    keys.map((k) => [k, k === 'dropout' ? dropout : F.number(o[k], `config.${k}`)]),
  ) as unknown as C;
}

/** What every recurrent manifest holds: the position, the run's random state, the host's settings. */
export interface RunManifest<P> {
  readonly position: P;
  readonly rng: RngSnapshot;
  readonly host?: HostSettings;
}

/** A manifest with host copies of its tensors, in file order: a checkpoint. */
export type WithTensors<M> = M & { readonly tensors: readonly StoredTensor[] };

/** A recurrent run as a checkpoint sees it: where it stands and the hidden states it carries. */
export interface RunView<P, H> {
  position(): P;
  hidden(): H | null;
}

/** A recurrent state as a checkpoint sees it. */
interface RunState {
  readonly config: { readonly nhid: number };
  readonly rng: Rng;
}

/** The hidden states of a run: carried (`H`, tensors or host values) and resumed from (`R`). */
export interface HiddenStates<H, R> {
  /** Their names in the file. */
  readonly names: readonly string[];
  /** The carried states, in the order of `names`. */
  split(hidden: H): readonly (tf.Tensor | Float32Array)[];
  /** What a resumed run starts from, from the saved values in the order of `names`. */
  join(values: readonly Float32Array[]): R;
}

/** What differs between the recurrent kinds' checkpoints. */
export interface RnnCheckpointSpec<
  M extends RunManifest<P>,
  P extends { readonly row: number },
  S extends RunState,
  H,
  R,
> extends CheckpointReading<M> {
  /** The largest file to write or read by default, in bytes. */
  readonly maxBytes: number;
  /** How encoding words its refusals (and whether it reads the manifest back first). */
  readonly save: SaveChecks;
  readonly toJson: (manifest: M) => Json;
  /** Checks that the run may be saved at `position`. */
  readonly check: (state: S, position: P) => void;
  /** The manifest's fields the state holds (all but the position and the host's settings). */
  readonly fields: (state: S) => Omit<M, 'position' | 'host'>;
  /** The state's tensors under their file names, in file order. */
  readonly tensors: (state: S) => [string, tf.Variable][];
  readonly hidden: HiddenStates<H, R>;
  /** A fresh state of the manifest, with its counters as saved (its tensors are set after). */
  readonly make: (manifest: M) => S;
}

/** The four operations on a recurrent kind's checkpoints. */
export interface RnnCheckpointCodec<M, P, S, H, R> {
  /**
   * A checkpoint of `state` where `run` stands. Call it between two events of the run and let
   * it resolve before the run goes on. Reads every tensor back with `await data()`.
   */
  capture(
    state: S,
    run: RunView<P, H>,
    options?: { readonly host?: HostSettings },
  ): Promise<WithTensors<M>>;
  /** The checkpoint as one binary file; refuses what `decode` would refuse. */
  encode(checkpoint: WithTensors<M>, maxBytes?: number): Uint8Array;
  /**
   * Reads a file: the container, every manifest field, and the tensors against the state its
   * manifest describes. Errors start with "invalid {kind}:" and name what is wrong.
   */
  decode(bytes: Uint8Array, maxBytes?: number): WithTensors<M>;
  /** A state equal to the saved one, and what its run needs to resume where it stood. */
  restore(checkpoint: WithTensors<M>): { state: S; resume: { position: P; hidden: R | null } };
}

export function rnnCheckpointCodec<
  M extends RunManifest<P>,
  P extends { readonly row: number },
  S extends RunState,
  H,
  R,
>(spec: RnnCheckpointSpec<M, P, S, H, R>): RnnCheckpointCodec<M, P, S, H, R> {
  const { hidden } = spec;
  return {
    async capture(state, run, options = {}) {
      const position = run.position();
      spec.check(state, position);
      const carried = run.hidden();
      const named =
        carried && Object.fromEntries(hidden.split(carried).map((t, i) => [hidden.names[i], t]));
      const tensors = await readRunTensors(
        spec.tensors(state),
        position.row,
        named,
        state.config.nhid,
        spec.owner,
      );
      const host = options.host ? { host: options.host } : {};
      return { ...spec.fields(state), position, ...host, tensors } as unknown as WithTensors<M>;
    },
    encode(checkpoint, maxBytes = spec.maxBytes) {
      const file = { manifest: spec.toJson(checkpoint), tensors: checkpoint.tensors };
      return encodeCheckpointFile(file, maxBytes, spec.save);
    },
    decode(bytes, maxBytes = spec.maxBytes) {
      return decodeCheckpointFile(bytes, maxBytes, spec);
    },
    restore(checkpoint) {
      matchCheckpointSlots(spec, checkpoint, checkpoint.tensors);
      const saved = new Map(checkpoint.tensors.map((t) => [t.name, t]));
      const state = spec.make(checkpoint);
      for (const [name, v] of spec.tensors(state)) {
        assignStored(v, saved.get(name) as StoredTensor);
      }
      state.rng.load(checkpoint.rng);
      const values = hidden.names.map((name) => saved.get(name)?.values);
      const held = values.every((v) => v !== undefined)
        ? hidden.join(values as Float32Array[])
        : null;
      return { state, resume: { position: { ...checkpoint.position }, hidden: held } };
    },
  };
}
