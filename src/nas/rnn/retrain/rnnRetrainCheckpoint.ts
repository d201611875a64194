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
import type * as tf from '../../tensor/tf';
import type { TensorSlot } from '../../io/tensorSlots';
import { prefixed, slotsUnder } from '../../io/tensorSlots';
import { rnnCheckpointCodec } from '../run/rnnRunCheckpoint';
import type { StoredTensor } from '../../io/checkpointFormat';
import type { RnnRetrainRun } from './rnnRetrainLoop';
import type { RnnRetrainCheckpointManifest } from './rnnRetrainCheckpointManifest';
import {
  named,
  parseRnnRetrainManifest,
  rnnRetrainManifestToJson,
} from './rnnRetrainCheckpointManifest';
import type { RnnRetrainPosition } from './rnnRetrainPosition';
import { checkRnnRetrainPosition, checkRnnRetrainProgress } from './rnnRetrainPosition';
import type { RnnRetrainState } from './rnnRetrainState';
import { createRnnRetrainState, rnnRetrainModel, switchToAsgd } from './rnnRetrainState';

export { RNN_RETRAIN_CHECKPOINT_FORMAT } from './rnnRetrainCheckpointManifest';

/**
 * Files above this size are refused unless the caller raises the limit. train.py's model on
 * WikiText-2 (33k words, nhid 850) is ~170 MB of weights, twice that with ASGD's averages.
 */
const DEFAULT_MAX_RNN_RETRAIN_CHECKPOINT_BYTES = 2 ** 30;

export interface RnnRetrainCheckpoint extends RnnRetrainCheckpointManifest {
  /** Host copies of every tensor, in file order. */
  readonly tensors: readonly StoredTensor[];
}

function stateTensors(state: RnnRetrainState): [string, tf.Variable][] {
  return [
    ...prefixed('weights', state.weights),
    ...(state.asgd ? prefixed('asgd.ax', state.asgd.ax) : []),
  ];
}

/** The tensors' names and shapes a checkpoint of this manifest must hold, in file order. */
function expectedSlots(m: RnnRetrainCheckpointManifest): TensorSlot[] {
  const { model } = named(
    () => rnnRetrainModel(m.config, m.genotype, m.ntoken),
    'the model cannot be built',
  );
  return [
    ...slotsUnder('weights', model.params),
    ...(m.asgd ? slotsUnder('asgd.ax', model.params) : []),
    // The train text is batchified in batchSize columns.
    ...(m.position.row > 0 ? [{ name: 'hidden', shape: [m.config.batchSize, m.config.nhid] }] : []),
  ];
}

/** The hidden state a run carries: a tensor, or a resumed run's host copy before it steps. */
type Hidden = NonNullable<ReturnType<RnnRetrainRun['hidden']>>;

const CODEC = rnnCheckpointCodec({
  kind: 'recurrent retrain checkpoint',
  parse: parseRnnRetrainManifest,
  slots: expectedSlots,
  needer: 'the retrain of its configuration, genotype and position',
  owner: 'the retrain',
  maxBytes: DEFAULT_MAX_RNN_RETRAIN_CHECKPOINT_BYTES,
  save: {
    what: 'the recurrent retrain',
    cause: 'the retrain has diverged',
    reread: { kind: 'recurrent retrain checkpoint', parse: parseRnnRetrainManifest },
  },
  toJson: rnnRetrainManifestToJson,
  check: (state: RnnRetrainState, position: RnnRetrainPosition) => {
    checkRnnRetrainPosition(position, state.config.epochs);
    checkRnnRetrainProgress(position, state.valHistory, state.asgd, state.config.nonmono);
  },
  fields: ({ config, genotype, ntoken, valHistory, asgd, rng }) => ({
    config,
    genotype,
    ntoken,
    valHistory: [...valHistory],
    asgd: asgd && { step: asgd.step, eta: asgd.eta, mu: asgd.mu },
    rng: rng.snapshot(),
  }),
  tensors: stateTensors,
  hidden: { names: ['hidden'], split: (h: Hidden) => [h], join: ([h]) => h as Float32Array },
  make: (m) => {
    const state = createRnnRetrainState(m.config, m.genotype, m.ntoken);
    if (m.asgd) {
      switchToAsgd(state);
      const asgd = state.asgd as NonNullable<RnnRetrainState['asgd']>;
      asgd.step = m.asgd.step;
      asgd.eta = m.asgd.eta;
      asgd.mu = m.asgd.mu;
    }
    state.valHistory.push(...m.valHistory);
    return state;
  },
});

/** A checkpoint of the retrain where its run stands (between two events). */
export const captureRnnRetrainCheckpoint = CODEC.capture;
export const encodeRnnRetrainCheckpoint = CODEC.encode;
/** Reads a file; errors start with "invalid recurrent retrain checkpoint:". */
export const decodeRnnRetrainCheckpoint = CODEC.decode;
/** The saved retrain's state, and what `runRnnRetrain` needs to resume where it stood. */
export const restoreRnnRetrain = CODEC.restore;
