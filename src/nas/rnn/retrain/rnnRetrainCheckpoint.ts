/**
 * Recurrent retrain checkpoints: a retrain of a recurrent genotype (`rnn/train.py`) between two
 * events of `runRnnRetrain`, in the search checkpoint's container (checkpointFormat.ts) with
 * `format: "nas-lab.rnn-retrain-checkpoint"`. The manifest (rnnRetrainCheckpointManifest.ts)
 * holds the configuration, the genotype, the vocabulary size, the loop position
 * (rnnRetrainPosition.ts), the switch rule's validation history, ASGD's counters once it runs,
 * the retrain's random state and the host's settings. The tensors: `weights.*`, then, once the
 * switch fired, `asgd.ax.*` (the averaged weights), then, once an epoch has begun, `hidden` (the
 * carried hidden state). The cell of a genotype has no BatchNorm, so there are no buffers; the
 * SGD has no momentum (train.py), so it holds no state.
 */
import * as tf from '../../tensor/tf';
import type { HostTensor } from '../../io/tensorSlots';
import { readTensors, tensorOrHost } from '../../io/tensorSlots';
import type { StoredTensor } from '../../io/checkpointFormat';
import { CHECKPOINT_MAGIC, decodeContainer, encodeContainer } from '../../io/checkpointFormat';
import type { HostSettings } from '../../darts/searchCheckpointManifest';
import type { RnnRetrainRun } from './rnnRetrainLoop';
import type { RnnRetrainCheckpointManifest } from './rnnRetrainCheckpointManifest';
import {
  named,
  parseRnnRetrainManifest,
  rnnRetrainCheckpointError,
  rnnRetrainManifestToJson,
} from './rnnRetrainCheckpointManifest';
import type { RnnRetrainResume } from './rnnRetrainPosition';
import { checkRnnRetrainPosition, checkRnnRetrainProgress } from './rnnRetrainPosition';
import type { RnnRetrainState } from './rnnRetrainState';
import { createRnnRetrainState, rnnRetrainModel, switchToAsgd } from './rnnRetrainState';

export {
  RNN_RETRAIN_CHECKPOINT_FORMAT,
  RNN_RETRAIN_CHECKPOINT_VERSION,
  rnnRetrainCheckpointError,
} from './rnnRetrainCheckpointManifest';
export type { RnnRetrainCheckpointManifest } from './rnnRetrainCheckpointManifest';

/**
 * Files above this size are refused unless the caller raises the limit. train.py's model on
 * WikiText-2 (33k words, nhid 850) is ~170 MB of weights, twice that with ASGD's averages.
 */
export const DEFAULT_MAX_RNN_RETRAIN_CHECKPOINT_BYTES = 2 ** 30;

export interface RnnRetrainCheckpoint extends RnnRetrainCheckpointManifest {
  /** Host copies of every tensor, in file order. */
  readonly tensors: readonly StoredTensor[];
}

function stateTensors(state: RnnRetrainState): [string, tf.Tensor][] {
  const under = (prefix: string, vs: Readonly<Record<string, tf.Variable>>) =>
    Object.entries(vs).map(([name, v]) => [`${prefix}.${name}`, v] as [string, tf.Tensor]);
  return [
    ...under('weights', state.weights),
    ...(state.asgd ? under('asgd.ax', state.asgd.ax) : []),
  ];
}

/**
 * A checkpoint of `state` where `run` stands. Call it between two events of the run and let it
 * resolve before the run goes on. Reads every tensor back with `await data()`.
 */
export async function captureRnnRetrainCheckpoint(
  state: RnnRetrainState,
  run: Pick<RnnRetrainRun, 'position' | 'hidden'>,
  options: { readonly host?: HostSettings } = {},
): Promise<RnnRetrainCheckpoint> {
  const position = run.position();
  checkRnnRetrainPosition(position, state.config.epochs);
  checkRnnRetrainProgress(position, state.valHistory, state.asgd, state.config.nonmono);
  const hidden = run.hidden();
  // Tensors, or a host copy of [batch, nhid] (a resumed run before its first step).
  const held: [string, tf.Tensor | HostTensor][] = [...stateTensors(state)];
  if (position.row > 0) {
    if (!hidden) throw new Error('the retrain is inside an epoch but holds no hidden state');
    held.push(['hidden', tensorOrHost(hidden, state.config.nhid)]);
  }
  const tensors = await readTensors(held);
  const { asgd } = state;
  return {
    config: state.config,
    genotype: state.genotype,
    ntoken: state.ntoken,
    position,
    valHistory: [...state.valHistory],
    asgd: asgd && { step: asgd.step, eta: asgd.eta, mu: asgd.mu },
    rng: state.rng.snapshot(),
    ...(options.host ? { host: options.host } : {}),
    tensors,
  };
}

/** The checkpoint as one binary file. Refuses what decodeRnnRetrainCheckpoint would refuse. */
export function encodeRnnRetrainCheckpoint(
  checkpoint: RnnRetrainCheckpoint,
  maxBytes = DEFAULT_MAX_RNN_RETRAIN_CHECKPOINT_BYTES,
): Uint8Array {
  const manifest = rnnRetrainManifestToJson(checkpoint);
  try {
    parseRnnRetrainManifest(manifest);
  } catch (e) {
    throw new Error(
      (e as Error).message.replace(
        /^invalid recurrent retrain checkpoint: /,
        'cannot save the recurrent retrain: ',
      ),
    );
  }
  for (const t of checkpoint.tensors) {
    const i = t.values.findIndex((v) => !Number.isFinite(v));
    if (i >= 0) {
      throw new Error(
        `cannot save the recurrent retrain: tensor "${t.name}" holds ${t.values[i]} at index ${i} (the retrain has diverged)`,
      );
    }
  }
  return encodeContainer({ manifest, tensors: checkpoint.tensors }, maxBytes);
}

const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/** The tensors' names and shapes a checkpoint of this manifest must hold, in file order. */
function expectedSlots(m: RnnRetrainCheckpointManifest): [string, number[]][] {
  const { model } = named(
    () => rnnRetrainModel(m.config, m.genotype, m.ntoken),
    'the model cannot be built',
  );
  const under = (prefix: string) =>
    model.params.map((p) => [`${prefix}.${p.name}`, [...p.shape]] as [string, number[]]);
  return [
    ...under('weights'),
    ...(m.asgd ? under('asgd.ax') : []),
    // The train text is batchified in batchSize columns.
    ...(m.position.row > 0
      ? [['hidden', [m.config.batchSize, m.config.nhid]] as [string, number[]]]
      : []),
  ];
}

function matchSlots(slots: readonly [string, number[]][], tensors: readonly StoredTensor[]): void {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  for (const [name, shape] of slots) {
    const saved = byName.get(name);
    if (!saved) {
      throw rnnRetrainCheckpointError(
        `the file has no tensor "${name}", which the retrain of its configuration, genotype and position needs`,
      );
    }
    if (shapeText(saved.shape) !== shapeText(shape)) {
      throw rnnRetrainCheckpointError(
        `tensor "${name}" has shape ${shapeText(saved.shape)} in the file; the retrain needs ${shapeText(shape)}`,
      );
    }
  }
  const expected = new Set(slots.map(([n]) => n));
  const extra = tensors.find((t) => !expected.has(t.name));
  if (extra) {
    throw rnnRetrainCheckpointError(
      `the file holds tensor "${extra.name}", which the retrain does not have`,
    );
  }
}

/**
 * Reads a recurrent retrain checkpoint: the container, every manifest field, and the tensors
 * against the retrain its configuration and genotype build. Errors start with "invalid recurrent
 * retrain checkpoint:" and name what is wrong.
 */
export function decodeRnnRetrainCheckpoint(
  bytes: Uint8Array,
  maxBytes = DEFAULT_MAX_RNN_RETRAIN_CHECKPOINT_BYTES,
): RnnRetrainCheckpoint {
  if (!(bytes instanceof Uint8Array)) {
    throw rnnRetrainCheckpointError('expected the bytes of a file');
  }
  const magic = String.fromCharCode(...bytes.subarray(0, CHECKPOINT_MAGIC.length));
  if (magic !== CHECKPOINT_MAGIC) {
    throw rnnRetrainCheckpointError(
      `not a NAS Lab file: it does not start with "${CHECKPOINT_MAGIC}"`,
    );
  }
  const container = named(() => decodeContainer(bytes, maxBytes));
  const manifest = parseRnnRetrainManifest(container.manifest);
  matchSlots(expectedSlots(manifest), container.tensors);
  return { ...manifest, tensors: container.tensors };
}

/**
 * The saved retrain: a state equal to the one captured (weights, the validation history, ASGD's
 * averaged weights and counters once it runs, random state) and what `runRnnRetrain` needs to
 * resume where it stood.
 */
export function restoreRnnRetrain(checkpoint: RnnRetrainCheckpoint): {
  state: RnnRetrainState;
  resume: RnnRetrainResume;
} {
  matchSlots(expectedSlots(checkpoint), checkpoint.tensors);
  const saved = new Map(checkpoint.tensors.map((t) => [t.name, t]));
  const state = createRnnRetrainState(checkpoint.config, checkpoint.genotype, checkpoint.ntoken);
  if (checkpoint.asgd) {
    switchToAsgd(state);
    const asgd = state.asgd as NonNullable<RnnRetrainState['asgd']>;
    asgd.step = checkpoint.asgd.step;
    asgd.eta = checkpoint.asgd.eta;
    asgd.mu = checkpoint.asgd.mu;
  }
  for (const [name, t] of stateTensors(state)) {
    const s = saved.get(name) as StoredTensor;
    tf.tidy(() => (t as tf.Variable).assign(tf.tensor(s.values, [...s.shape], 'float32')));
  }
  state.valHistory.push(...checkpoint.valHistory);
  state.rng.load(checkpoint.rng);
  const hidden = saved.get('hidden');
  return {
    state,
    resume: {
      position: { ...checkpoint.position },
      hidden: hidden ? hidden.values : null,
    },
  };
}
