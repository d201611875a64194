/**
 * The `rnn-retrain` run kind's engine: `rnn/train.py` on a genotype (`runRnnRetrain`) and the
 * corpus its host provides, stepped one report at a time: the corpus note (with the genotype), a
 * step report per step (loss, perplexity, the step's learning rate, SGD or ASGD), an epoch report
 * per evaluation (validation and test perplexity, the ASGD switch), and train.py's final report
 * (the best validation epoch's test perplexity). It offers genotype.json, the genotype trained;
 * no weights file, as the project has no recurrent model format. Checkpoints are the core's
 * recurrent retrain checkpoints with the run's settings as their host settings.
 */
import type { NoteReport, Run, RunEnv, RunFile, RunKind, RunReport } from '../../runKind/runKind';
import type { Settings } from '../../runKind/settingsSchema';
import { validateSettings } from '../../runKind/settingsSchema';
import * as tf from '../../tensor/tf';
import type { RnnGenotype } from '../genotype/rnnGenotype';
import {
  rnnGenotypesEqual,
  rnnGenotypeToJson,
  stringifyRnnGenotype,
} from '../genotype/rnnGenotype';
import { perplexity } from '../model/rnnLoss';
import { checkResumedVocabulary, orFree, RnnLoopRun, settingsFromHost } from '../run/rnnLoopRun';
import { corpusNote, firstTokens, loadRunTextCorpus } from '../run/rnnRunCorpus';
import type { RnnRetrainCheckpoint } from './rnnRetrainCheckpoint';
import {
  captureRnnRetrainCheckpoint,
  decodeRnnRetrainCheckpoint,
  encodeRnnRetrainCheckpoint,
  restoreRnnRetrain,
} from './rnnRetrainCheckpoint';
import type { RnnRetrainSettings } from './rnnRetrainKindInfo';
import {
  RNN_RETRAIN_INFO,
  RNN_RETRAIN_SCHEMA,
  rnnRetrainConfigOf,
  rnnRetrainGenotypeOf,
  rnnRetrainSettingsOf,
  rnnRetrainTokenProblem,
} from './rnnRetrainKindInfo';
import type { RnnRetrainData, RnnRetrainEvent, RnnRetrainRun } from './rnnRetrainLoop';
import { disposeRnnRetrainData, prepareRnnRetrainData, runRnnRetrain } from './rnnRetrainLoop';
import type { RnnRetrainResume } from './rnnRetrainPosition';
import type { RnnRetrainState } from './rnnRetrainState';
import { createRnnRetrainState, disposeRnnRetrainState } from './rnnRetrainState';
import { expectedRnnRetrainSteps } from './rnnRetrainSteps';

/** Longest text host settings hold (searchCheckpointManifest.ts's parseHost). */
const MAX_HOST_TEXT = 256;

const genotypeFile = (g: RnnGenotype): RunFile => ({
  path: 'genotype.json',
  data: stringifyRnnGenotype(g),
});

/**
 * The state as the loop sees it, its learning rate read from `rates` at every step. The run
 * uses only this view from then on (the loop sets its `asgd` at the switch).
 */
function withLiveLr(state: RnnRetrainState, rates: { lr: number }): RnnRetrainState {
  const live = { ...state };
  return Object.defineProperty(live, 'config', {
    get: () => ({ ...state.config, lr: rates.lr }),
  });
}

type Ids = { train: Int32Array; valid: Int32Array; test: Int32Array };

class RnnRetrainKindRun extends RnnLoopRun<RnnRetrainEvent> {
  readonly info = RNN_RETRAIN_INFO;
  protected readonly loop: RnnRetrainRun;
  private readonly state: RnnRetrainState;
  private genotypeOffered = false;

  constructor(
    base: Settings,
    state: RnnRetrainState,
    private readonly data: RnnRetrainData,
    note: RunReport,
    resume?: RnnRetrainResume,
  ) {
    const rates = { lr: state.config.lr };
    const total = (max: number | undefined) =>
      expectedRnnRetrainSteps(state.config, data.train.rows, max);
    super(base, rates, 'recurrent retrain', note, resume?.position.step ?? 0, total);
    this.state = withLiveLr(state, rates);
    this.loop = runRnnRetrain(this.state, data, this.loopOptions(resume));
  }

  /** genotype.json with the run's first step report (and its end). */
  private genotypeFiles(): { files?: RunFile[] } {
    if (this.genotypeOffered) return {};
    this.genotypeOffered = true;
    return { files: [genotypeFile(this.state.genotype)] };
  }

  protected report(e: RnnRetrainEvent): RunReport {
    switch (e.type) {
      case 'step':
        return {
          ...this.stepFields(e),
          metrics: {
            trainLoss: e.trainLoss,
            trainPerplexity: e.trainPerplexity,
            lr: ((this.rates.lr as number) * e.seqLen) / this.state.config.bptt,
            segmentLength: e.segmentLength,
          },
          detail: { optimizer: e.optimizer, seqLen: e.seqLen },
          ...this.genotypeFiles(),
        };
      case 'epoch':
        return {
          type: 'epoch',
          epoch: e.epoch,
          step: this.step,
          metrics: {
            valLoss: e.valLoss,
            valPerplexity: e.valPerplexity,
            testLoss: e.testLoss,
            testPerplexity: e.testPerplexity,
          },
          detail: {
            evaluated: e.evaluated,
            switchedToAsgd: e.switchedToAsgd,
            bestEpoch: e.bestEpoch,
            bestValLoss: e.bestValLoss,
          },
        };
      case 'done':
        return {
          type: 'done',
          step: this.step,
          metrics: {
            testLoss: e.testLoss,
            testPerplexity: e.testPerplexity,
            bestValPerplexity: perplexity(e.bestValLoss),
          },
          detail: { bestEpoch: e.bestEpoch, bestValLoss: e.bestValLoss },
          files: [genotypeFile(this.state.genotype)],
        };
    }
  }

  async checkpoint(): Promise<Uint8Array> {
    // The manifest holds the genotype itself; a long file text does not fit host settings.
    const { genotype, ...rest } = this.hostSettings();
    const host = String(genotype).length <= MAX_HOST_TEXT ? this.hostSettings() : rest;
    return encodeRnnRetrainCheckpoint(
      await captureRnnRetrainCheckpoint(this.state, this.loop, { host }),
    );
  }

  protected free(): void {
    disposeRnnRetrainData(this.data);
    disposeRnnRetrainState(this.state);
  }

  injectFault(): void {
    const w = Object.values(this.state.weights)[0] as tf.Variable;
    tf.tidy(() => w.assign(tf.fill(w.shape, Number.NaN)));
  }
}

/** The corpus the settings ask for, the first tokens of each split, and the note. */
async function retrainCorpus(settings: Settings, env: RunEnv, genotype: RnnGenotype) {
  const s = settings as unknown as RnnRetrainSettings;
  const loaded = await loadRunTextCorpus(env, s);
  const { corpus } = loaded;
  const ids: Ids = {
    train: firstTokens(corpus.train, s.trainTokens),
    valid: firstTokens(corpus.valid, s.validTokens),
    test: firstTokens(corpus.test, s.testTokens),
  };
  const short = rnnRetrainTokenProblem(rnnRetrainConfigOf(settings), {
    train: ids.train.length,
    valid: ids.valid.length,
    test: ids.test.length,
  });
  if (short) {
    throw new Error(
      `the corpus has ${corpus.train.length} training, ${corpus.valid.length} validation and ${corpus.test.length} test tokens, too few for these settings: ${short}`,
    );
  }
  const label = rnnRetrainGenotypeOf(s.genotype).label;
  const note = corpusNote(loaded, ids, `Retraining recurrent genotype ${label}`);
  const detail = { ...(note.detail as object), genotype: rnnGenotypeToJson(genotype), label };
  return { ids, vocabulary: corpus.vocabulary.length, note: { ...note, detail } };
}

/**
 * The corpus note with the model's parameter count (each weight once: the decoder is tied to the
 * embedding), as the convolutional retrain's note has its network's.
 */
function withParameters(note: NoteReport, state: RnnRetrainState): NoteReport {
  const parameters = Object.values(state.weights).reduce((n, w) => n + w.size, 0);
  return {
    ...note,
    text: `${note.text}, ${parameters.toLocaleString('en-US')} parameters`,
    detail: { ...(note.detail as object), parameters },
  };
}

/** The texts in the state's batches; the state is freed when they do not fit it. */
const retrainData = (state: RnnRetrainState, ids: Ids): RnnRetrainData =>
  orFree(
    () => prepareRnnRetrainData(state, ids),
    () => disposeRnnRetrainState(state),
  );

/**
 * The settings of a checkpoint: its host settings where they are this kind's, the core's
 * configuration for what it holds (the learning rate as it was when saved), the manifest's
 * genotype where the host settings name none or another, the small preset for anything else.
 */
function rnnRetrainCheckpointSettings(checkpoint: RnnRetrainCheckpoint): Settings {
  const host = checkpoint.host ?? {};
  const base = settingsFromHost(RNN_RETRAIN_SCHEMA, host);
  let same = false;
  try {
    same = rnnGenotypesEqual(
      rnnRetrainGenotypeOf(String(base.genotype)).genotype,
      checkpoint.genotype,
    );
  } catch {
    same = false;
  }
  if (!same || typeof host.genotype !== 'string')
    base.genotype = stringifyRnnGenotype(checkpoint.genotype);
  return validateSettings(
    RNN_RETRAIN_SCHEMA,
    rnnRetrainSettingsOf(checkpoint.config, base as Settings),
    'settings of the recurrent retrain checkpoint',
  );
}

export const RNN_RETRAIN_RUN_KIND: RunKind = {
  info: RNN_RETRAIN_INFO,

  async create(settings: Settings, env: RunEnv): Promise<Run> {
    const s = validateSettings(RNN_RETRAIN_SCHEMA, settings);
    const { genotype } = rnnRetrainGenotypeOf(s.genotype as string);
    const { ids, vocabulary, note } = await retrainCorpus(s, env, genotype);
    const state = createRnnRetrainState(rnnRetrainConfigOf(s), genotype, vocabulary);
    return new RnnRetrainKindRun(s, state, retrainData(state, ids), withParameters(note, state));
  },

  async resume(bytes: Uint8Array, env: RunEnv): Promise<Run> {
    const checkpoint = decodeRnnRetrainCheckpoint(bytes);
    const s = rnnRetrainCheckpointSettings(checkpoint);
    const { ids, vocabulary, note } = await retrainCorpus(s, env, checkpoint.genotype);
    checkResumedVocabulary(vocabulary, checkpoint.ntoken);
    const { state, resume } = restoreRnnRetrain(checkpoint);
    const data = retrainData(state, ids);
    const p = resume.position;
    const rows = [data.train.rows, data.valid.rows, data.test.rows];
    if ([p.trainRows, p.validRows, p.testRows].join() !== rows.join()) {
      disposeRnnRetrainData(data);
      disposeRnnRetrainState(state);
      throw new Error(
        `cannot resume: the retrain was at ${p.trainRows} train, ${p.validRows} validation and ` +
          `${p.testRows} test rows, the data has ${rows.join(', ')} (another corpus or batch size)`,
      );
    }
    return new RnnRetrainKindRun(s, state, data, withParameters(note, state), resume);
  },
};
