/**
 * The `rnn-search` run kind's engine: a DARTS recurrent search (`runRnnSearch`) on the corpus its
 * host provides, stepped one report at a time: the corpus note, a step report per search step
 * (losses, perplexities, learning rates, the alphas' softmax as one `recurrent` group of 5
 * candidates per edge, max |α|, the genotype and its files genotype.json and genotype.py), an
 * epoch report per validation pass, and the end. Checkpoints are the core's recurrent search
 * checkpoints with the run's settings as their host settings; a resumed run reports what the
 * uninterrupted one would have.
 */
import type { HostSettings } from '../../darts/searchCheckpointManifest';
import type { Run, RunEnv, RunFile, RunKind, RunReport, StepReport } from '../../runKind/runKind';
import type { Settings } from '../../runKind/settingsSchema';
import { validateSettings } from '../../runKind/settingsSchema';
import * as tf from '../../tensor/tf';
import type { RnnGenotype } from '../genotype/rnnGenotype';
import { rnnGenotypeToJson, stringifyRnnGenotype } from '../genotype/rnnGenotype';
import { formatRnnGenotype } from '../genotype/rnnGenotypeText';
import { RNN_PRIMITIVES } from '../model/rnnPrimitives';
import { checkResumedVocabulary, orFree, RnnLoopRun, settingsFromHost } from '../run/rnnLoopRun';
import { corpusNote, firstTokens, loadRunTextCorpus } from '../run/rnnRunCorpus';
import {
  captureRnnSearchCheckpoint,
  decodeRnnSearchCheckpoint,
  encodeRnnSearchCheckpoint,
  restoreRnnSearch,
} from './rnnSearchCheckpoint';
import type { RnnSearchSettings } from './rnnSearchKindInfo';
import {
  RNN_SEARCH_INFO,
  RNN_SEARCH_SCHEMA,
  rnnSearchConfigOf,
  rnnSearchSettingsOf,
  rnnSearchTokenProblem,
} from './rnnSearchKindInfo';
import type { RnnCorpusIds, RnnSearchData, RnnSearchEvent, RnnSearchRun } from './rnnSearchLoop';
import { disposeRnnSearchData, prepareRnnSearchData, runRnnSearch } from './rnnSearchLoop';
import { checkRnnSearchFits } from './rnnSearchMemoryLimit';
import type { RnnSearchResume } from './rnnSearchPosition';
import type { RnnSearchState } from './rnnSearchState';
import { createRnnSearchState, disposeRnnSearchState } from './rnnSearchState';
import { expectedRnnSearchSteps } from './rnnSearchSteps';

/** The name genotype.py assigns. */
const SEARCHED_GENOTYPE_NAME = 'SEARCHED';

/** genotype.json (this project's JSON) and genotype.py (DARTS's repr, rnn/genotypes.py's form). */
function rnnGenotypeFiles(g: RnnGenotype): RunFile[] {
  return [
    { path: 'genotype.json', data: stringifyRnnGenotype(g) },
    { path: 'genotype.py', data: formatRnnGenotype(g, 'repr', SEARCHED_GENOTYPE_NAME) },
  ];
}

type Rates = { lr: number; alphaLr: number };

/** The state as the loop sees it, its learning rates read from `rates` at every step. */
function withLiveRates(state: RnnSearchState, rates: Rates): RnnSearchState {
  return {
    ...state,
    get config() {
      return { ...state.config, lr: rates.lr, alphaLr: rates.alphaLr };
    },
  };
}

async function maxAbs(t: tf.Tensor): Promise<number> {
  const m = tf.tidy(() => tf.max(tf.abs(t)));
  const v = (await m.data())[0] as number;
  m.dispose();
  return v;
}

class RnnSearchKindRun extends RnnLoopRun<RnnSearchEvent> {
  readonly info = RNN_SEARCH_INFO;
  protected readonly loop: RnnSearchRun;
  private readonly live: RnnSearchState;
  private lastEpoch: Record<string, number> = {};

  constructor(
    base: Settings,
    private readonly state: RnnSearchState,
    private readonly data: RnnSearchData,
    note: RunReport,
    resume?: RnnSearchResume,
  ) {
    const rates = { lr: state.config.lr, alphaLr: state.config.alphaLr };
    const total = (max: number | undefined) =>
      expectedRnnSearchSteps(state.config, data.train.rows, max);
    super(base, rates, 'recurrent search', note, resume?.position.step ?? 0, total);
    this.live = withLiveRates(state, rates);
    this.loop = runRnnSearch(this.live, data, this.loopOptions(resume));
  }

  protected async report(event: RnnSearchEvent): Promise<RunReport> {
    switch (event.type) {
      case 'step':
        return this.stepReport(event);
      case 'epoch':
        this.lastEpoch = { valLoss: event.valLoss, valPerplexity: event.valPerplexity };
        return { type: 'epoch', epoch: event.epoch, step: this.step, metrics: this.lastEpoch };
      case 'done':
        return {
          type: 'done',
          step: this.step,
          metrics: this.lastEpoch,
          detail: { genotype: rnnGenotypeToJson(event.genotype) },
          files: rnnGenotypeFiles(event.genotype),
        };
    }
  }

  private async stepReport(e: Extract<RnnSearchEvent, { type: 'step' }>): Promise<StepReport> {
    return {
      ...this.stepFields(e),
      metrics: {
        trainLoss: e.trainLoss,
        trainPerplexity: e.trainPerplexity,
        valLoss: e.valLoss,
        valPerplexity: e.valPerplexity,
        lr: this.rates.lr as number,
        alphaLr: this.rates.alphaLr as number,
        segmentLength: e.segmentLength,
      },
      alphas: [{ name: 'recurrent', ops: RNN_PRIMITIVES, softmax: e.alphaSoftmax }],
      alphaMaxAbs: await maxAbs(this.state.alpha),
      genotype: rnnGenotypeToJson(e.genotype),
      files: rnnGenotypeFiles(e.genotype),
    };
  }

  async checkpoint(): Promise<Uint8Array> {
    const host = this.hostSettings();
    return encodeRnnSearchCheckpoint(
      await captureRnnSearchCheckpoint(this.live, this.loop, { host }),
    );
  }

  protected free(): void {
    disposeRnnSearchData(this.data);
    disposeRnnSearchState(this.state);
  }

  injectFault(fault: 'nan' | 'explodeAlphas'): void {
    if (fault === 'explodeAlphas') {
      const a = this.state.alpha;
      tf.tidy(() => a.assign(tf.fill(a.shape, 1e4)));
      return;
    }
    const w = Object.values(this.state.weights)[0] as tf.Variable;
    tf.tidy(() => w.assign(tf.fill(w.shape, Number.NaN)));
  }
}

/** The corpus the settings ask for, its first tokens, and the note that reports them. */
async function searchCorpus(settings: Settings, env: RunEnv) {
  const s = settings as unknown as RnnSearchSettings;
  const loaded = await loadRunTextCorpus(env, s);
  const { corpus } = loaded;
  const ids = {
    train: firstTokens(corpus.train, s.trainTokens),
    valid: firstTokens(corpus.valid, s.validTokens),
  };
  const short = rnnSearchTokenProblem(
    rnnSearchConfigOf(settings),
    ids.train.length,
    ids.valid.length,
  );
  if (short) {
    throw new Error(
      `the corpus has ${corpus.train.length} training and ${corpus.valid.length} validation tokens, too few for these settings: ${short}`,
    );
  }
  const note = corpusNote(loaded, ids, 'DARTS recurrent search');
  return { ids, vocabulary: corpus.vocabulary.length, note };
}

/** The texts in the state's batches; the state is freed when they do not fit it. */
const searchData = (state: RnnSearchState, ids: RnnCorpusIds): RnnSearchData =>
  orFree(
    () => prepareRnnSearchData(state, ids),
    () => disposeRnnSearchState(state),
  );

/**
 * The settings of a checkpoint: its host settings where they are this kind's (the lab's old
 * recurrent settings have the same keys; `order` absent there is first order), the core's
 * configuration for what it holds (with the learning rates as they were when it was saved),
 * the small preset for anything else.
 */
function rnnSearchCheckpointSettings(
  config: ReturnType<typeof rnnSearchConfigOf>,
  host: HostSettings | undefined,
): Settings {
  return validateSettings(
    RNN_SEARCH_SCHEMA,
    rnnSearchSettingsOf(config, settingsFromHost(RNN_SEARCH_SCHEMA, host) as Settings),
    'settings of the recurrent search checkpoint',
  );
}

export const RNN_SEARCH_RUN_KIND: RunKind = {
  info: RNN_SEARCH_INFO,

  async create(settings: Settings, env: RunEnv): Promise<Run> {
    const s = validateSettings(RNN_SEARCH_SCHEMA, settings);
    const config = rnnSearchConfigOf(s);
    const { ids, vocabulary, note } = await searchCorpus(s, env);
    // Before any tensor: an impossible size is named, not an `Aborted()` mid-step.
    checkRnnSearchFits(config, vocabulary, env.host);
    const state = createRnnSearchState(config, vocabulary);
    const data = searchData(state, ids);
    return new RnnSearchKindRun(s, state, data, note);
  },

  async resume(bytes: Uint8Array, env: RunEnv): Promise<Run> {
    const checkpoint = decodeRnnSearchCheckpoint(bytes);
    const s = rnnSearchCheckpointSettings(checkpoint.config, checkpoint.host);
    const { ids, vocabulary, note } = await searchCorpus(s, env);
    checkResumedVocabulary(vocabulary, checkpoint.ntoken);
    checkRnnSearchFits(checkpoint.config, vocabulary, env.host);
    const { state, resume } = restoreRnnSearch(checkpoint);
    const data = searchData(state, ids);
    const p = resume.position;
    if (p.trainRows !== data.train.rows || p.alphaRows !== data.search.rows) {
      disposeRnnSearchData(data);
      disposeRnnSearchState(state);
      throw new Error(
        `cannot resume: the search was at ${p.trainRows} train and ${p.alphaRows} alpha rows, ` +
          `the data has ${data.train.rows} and ${data.search.rows} (another corpus or batch size)`,
      );
    }
    return new RnnSearchKindRun(s, state, data, note, resume);
  },
};
