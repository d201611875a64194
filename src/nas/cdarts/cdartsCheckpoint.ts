/**
 * CDARTS checkpoints: a CDARTS search's whole state between two events of `runCdarts`, in the
 * search checkpoint's container (checkpointFormat.ts) with `format: "nas-lab.cdarts-checkpoint"`.
 * The manifest holds the configuration, the data shape, the loop position (phase, both cyclic
 * samplers' orders and offsets), the Adam step count, the run's random state, the genotype the
 * evaluation network follows and the cut masks. The tensors: `shared.{weights,buffers}.*`,
 * `search.{weights,buffers}.*`, `search.momentum.*` (optimizer_small), `eval.sharedMomentum.*`
 * (optimizer_large's momentum of the shared modules), `alphas.*`, `adam.{m,v}.*`, and every
 * entry of the evaluation network's weight pool, in use or not: `pool.value.<key>` and, for
 * parameters, `pool.momentum.<key>` (followingEvalNetwork.ts), so that an op dropped and chosen
 * again after the resume gets back the weights it had.
 */
import type * as tf from '../tensor/tf';
import type { CdartsPosition } from './cdartsPosition';
import type { CdartsState } from './cdartsState';
import { createCdartsState, disposeCdartsState } from './cdartsState';
import type { StoredTensor } from '../io/checkpointFormat';
import {
  decodeContainer,
  decodeManifestOnly,
  DEFAULT_MAX_CHECKPOINT_BYTES,
  encodeContainer,
} from '../io/checkpointFormat';
import type { HostSettings } from '../io/manifestFields';
import { imageShapeText } from '../io/manifestFields';
import {
  assignStored,
  checkFiniteTensors,
  prefixed,
  readTensors,
  shapeText,
  variableFrom,
} from '../io/tensorSlots';
import type { CdartsCheckpointManifest } from './cdartsCheckpointManifest';
import {
  CDARTS_CHECKPOINT_FORMAT,
  cdartsCheckpointError,
  cdartsManifestToJson,
  checkHostRngName,
  parseCdartsManifest,
  withinCdartsCheckpoint,
} from './cdartsCheckpointManifest';
import type { SamplerState } from './cyclicSampler';
import type { PooledTensor } from './network/followingEvalNetwork';
import { createFollowingEvalNetwork } from './network/followingEvalNetwork';
import { Rng } from '../tensor/random';
import type { DataShape } from '../darts/searchState';
import { isSharedModuleName } from './network/cdartsModules';

export interface CdartsCheckpoint extends CdartsCheckpointManifest {
  readonly tensors: readonly StoredTensor[];
}

/** Every tensor of the state under its checkpoint name, in file order. */
function stateTensors(state: CdartsState): [string, tf.Variable][] {
  const pool = state.evalNet.poolEntries();
  return [
    ...prefixed('shared.weights', state.shared.weights),
    ...prefixed('shared.buffers', state.shared.buffers),
    ...prefixed('search.weights', state.search.weights),
    ...prefixed('search.buffers', state.search.buffers),
    ...prefixed('search.momentum', state.searchOptimizer.buffers),
    ...prefixed('eval.sharedMomentum', state.evalSharedMomentum),
    ...prefixed('alphas', { normal: state.alphas.normal, reduce: state.alphas.reduce }),
    ...prefixed('adam.m', state.alphaOptimizer.m),
    ...prefixed('adam.v', state.alphaOptimizer.v),
    ...pool.map(([key, p]) => [`pool.value.${key}`, p.value] as [string, tf.Variable]),
    ...pool.flatMap(([key, p]) =>
      p.momentum ? [[`pool.momentum.${key}`, p.momentum] as [string, tf.Variable]] : [],
    ),
  ];
}

/** A checkpoint of `state` at `position` (from `run.position()`), taken between two events. */
export async function captureCdartsCheckpoint(
  state: CdartsState,
  position: CdartsPosition,
  host?: HostSettings,
  hostRngs?: Readonly<Record<string, Rng>>,
): Promise<CdartsCheckpoint> {
  for (const name of Object.keys(hostRngs ?? {})) checkHostRngName(name);
  const tensors = await readTensors(stateTensors(state));
  const copy = (s: SamplerState): SamplerState => ({
    order: s.order && s.order.slice(),
    offset: s.offset,
  });
  return {
    config: state.config,
    data: state.dataShape,
    position: { ...position, train: copy(position.train), val: copy(position.val) },
    alphaOptimizerStep: state.alphaOptimizer.step,
    rng: state.rng.snapshot(),
    evalGenotype: state.evalNet.genotype,
    cut: {
      normal: state.mutator.cut.normal.map((r) => [...r]),
      reduce: state.mutator.cut.reduce.map((r) => [...r]),
    },
    ...(host ? { host } : {}),
    ...(hostRngs
      ? {
          hostRngs: Object.fromEntries(
            Object.entries(hostRngs).map(([name, rng]) => [name, rng.snapshot()]),
          ),
        }
      : {}),
    tensors,
  };
}

export function encodeCdartsCheckpoint(c: CdartsCheckpoint): Uint8Array {
  checkFiniteTensors(c.tensors, 'the CDARTS checkpoint', 'the search has diverged');
  return encodeContainer({ manifest: cdartsManifestToJson(c), tensors: c.tensors });
}

/** Whether a file says it is a CDARTS checkpoint (its manifest only; false for anything else). */
export function isCdartsCheckpointFile(bytes: Uint8Array): boolean {
  try {
    return decodeManifestOnly(bytes).format === CDARTS_CHECKPOINT_FORMAT;
  } catch {
    return false;
  }
}

/** Reads a CDARTS checkpoint file; errors start with "invalid CDARTS checkpoint:". */
export function decodeCdartsCheckpoint(bytes: Uint8Array): CdartsCheckpoint {
  const container = withinCdartsCheckpoint(
    () => decodeContainer(bytes, DEFAULT_MAX_CHECKPOINT_BYTES),
    'the file',
  );
  return { ...parseCdartsManifest(container.manifest), tensors: container.tensors };
}

/** The host's random source `name` as the checkpoint left it. */
export function restoreCdartsHostRng(checkpoint: CdartsCheckpoint, name: string): Rng {
  const rngs = checkpoint.hostRngs ?? {};
  const snapshot = Object.hasOwn(rngs, name) ? rngs[name] : undefined;
  if (!snapshot) {
    const names = Object.keys(rngs);
    throw cdartsCheckpointError(
      `it has no random state "${name}" (${names.length ? `it has: ${names.join(', ')}` : 'it holds no host random states; was it saved by the lab?'})`,
    );
  }
  return Rng.fromSnapshot(snapshot);
}

function assignFrom(v: tf.Variable, t: StoredTensor | undefined, name: string): void {
  if (!t) throw cdartsCheckpointError(`the file has no tensor "${name}", which the state needs`);
  if (shapeText(t.shape) !== shapeText(v.shape)) {
    throw cdartsCheckpointError(
      `tensor "${name}" has shape ${shapeText(t.shape)} in the file; the state needs ${shapeText(v.shape)}`,
    );
  }
  assignStored(v, t);
}

/**
 * A CdartsState equal to the saved one on `data` (the saved shape): the state its
 * configuration builds, every tensor set from the file, the evaluation network rebuilt over the
 * saved pool for the saved genotype, the cut masks, Adam's step count and the random state.
 */
export function restoreCdartsState(checkpoint: CdartsCheckpoint, data: DataShape): CdartsState {
  const saved = checkpoint.data;
  if (imageShapeText(saved) !== imageShapeText(data)) {
    throw new Error('the CDARTS checkpoint was saved for data of another shape');
  }
  const fresh = createCdartsState(checkpoint.config, data);
  const byName = new Map(checkpoint.tensors.map((t) => [t.name, t]));
  const pool = new Map<string, PooledTensor>();
  try {
    for (const t of checkpoint.tensors) {
      if (!t.name.startsWith('pool.value.')) continue;
      const key = t.name.slice('pool.value.'.length);
      const momentum = byName.get(`pool.momentum.${key}`);
      pool.set(key, {
        value: variableFrom(t, momentum !== undefined),
        momentum: momentum ? variableFrom(momentum, false) : null,
      });
    }
    const { config } = checkpoint;
    const evalNet = createFollowingEvalNetwork(
      {
        c: config.channels,
        stemMultiplier: config.stemMultiplier,
        numClasses: data.numClasses,
        imageChannels: data.channels,
        headWidths: config.headWidths,
        layers: config.evalLayers,
      },
      checkpoint.evalGenotype,
      fresh.rng,
      (name) => !(config.shareModule && isSharedModuleName(name)),
      pool,
    );
    // Every tensor of the followed genotype came from the file: none was created or replaced.
    const entries = evalNet.poolEntries();
    if (entries.length !== pool.size || entries.some(([k, p]) => pool.get(k) !== p)) {
      evalNet.dispose();
      pool.clear();
      throw cdartsCheckpointError(
        "the evaluation network's pool lacks tensors of the genotype it follows, or shapes them otherwise",
      );
    }
    fresh.evalNet.dispose();
    const state: CdartsState = { ...fresh, evalNet };
    const expected = new Set<string>(
      entries.flatMap(([k, p]) =>
        p.momentum ? [`pool.value.${k}`, `pool.momentum.${k}`] : [`pool.value.${k}`],
      ),
    );
    for (const [name, v] of stateTensors(state)) {
      expected.add(name);
      if (!name.startsWith('pool.')) assignFrom(v, byName.get(name), name);
    }
    const extra = checkpoint.tensors.find((t) => !expected.has(t.name));
    if (extra)
      throw cdartsCheckpointError(
        `the file holds tensor "${extra.name}", which the state does not have`,
      );
    state.alphaOptimizer.step = checkpoint.alphaOptimizerStep;
    state.mutator.cut = {
      normal: checkpoint.cut.normal.map((r) => [...r]),
      reduce: checkpoint.cut.reduce.map((r) => [...r]),
    };
    state.rng.load(checkpoint.rng);
    return state;
  } catch (e) {
    for (const p of pool.values()) {
      if (!p.value.isDisposed) p.value.dispose();
      if (p.momentum && !p.momentum.isDisposed) p.momentum.dispose();
    }
    disposeCdartsState(fresh);
    throw e;
  }
}
