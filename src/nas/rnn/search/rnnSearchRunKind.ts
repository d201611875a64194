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
import { defaultSettings, findField, validateSettings } from '../../runKind/settingsSchema';
import * as tf from '../../tensor/tf';
import type { RnnGenotype } from '../genotype/rnnGenotype';
import { rnnGenotypeToJson, stringifyRnnGenotype } from '../genotype/rnnGenotype';
import { formatRnnGenotype } from '../genotype/rnnGenotypeText';
import { RNN_PRIMITIVES } from '../model/rnnPrimitives';
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
import type { RnnSearchData, RnnSearchEvent, RnnSearchRun } from './rnnSearchLoop';
import { disposeRnnSearchData, prepareRnnSearchData, runRnnSearch } from './rnnSearchLoop';
import { checkRnnSearchFits } from './rnnSearchMemoryLimit';
import type { RnnSearchResume } from './rnnSearchPosition';
import type { RnnSearchState } from './rnnSearchState';
import { createRnnSearchState, disposeRnnSearchState } from './rnnSearchState';
import { expectedRnnSearchSteps } from './rnnSearchSteps';

/** The name genotype.py assigns. */
export const SEARCHED_GENOTYPE_NAME = 'SEARCHED';

/** genotype.json (this project's JSON) and genotype.py (DARTS's repr, rnn/genotypes.py's form). */
export function rnnGenotypeFiles(g: RnnGenotype): RunFile[] {
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

class RnnSearchKindRun implements Run {
  readonly info = RNN_SEARCH_INFO;
  step: number;
  private readonly rates: Rates;
  private readonly search: RnnSearchRun;
  private readonly live: RnnSearchState;
  private readonly pending: RunReport[];
  private readonly totalSteps: number;
  private lastEpoch: Record<string, number> = {};
  private finished = false;
  private disposed = false;

  constructor(
    private readonly base: Settings,
    private readonly state: RnnSearchState,
    private readonly data: RnnSearchData,
    note: RunReport,
    resume?: RnnSearchResume,
  ) {
    const s = base as unknown as RnnSearchSettings;
    this.rates = { lr: state.config.lr, alphaLr: state.config.alphaLr };
    this.live = withLiveRates(state, this.rates);
    this.step = resume?.position.step ?? 0;
    const maxSteps = s.maxSteps > 0 ? s.maxSteps : undefined;
    this.totalSteps = expectedRnnSearchSteps(state.config, data.train.rows, maxSteps);
    this.search = runRnnSearch(this.live, data, {
      onNonFinite: 'report',
      ...(maxSteps === undefined ? {} : { maxSteps }),
      ...(resume ? { resume } : {}),
    });
    this.pending = [note];
  }

  get settings(): Settings {
    return { ...this.base, lr: this.rates.lr, alphaLr: this.rates.alphaLr };
  }

  async next(): Promise<RunReport | null> {
    const note = this.pending.shift();
    if (note) return note;
    if (this.finished) return null;
    const r = await this.search.next();
    if (r.done) {
      this.finished = true;
      return null;
    }
    return this.report(r.value);
  }

  private async report(event: RnnSearchEvent): Promise<RunReport> {
    switch (event.type) {
      case 'step':
        return this.stepReport(event);
      case 'epoch':
        this.lastEpoch = { valLoss: event.valLoss, valPerplexity: event.valPerplexity };
        return { type: 'epoch', epoch: event.epoch, step: this.step, metrics: this.lastEpoch };
      case 'done':
        this.finished = true;
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
    this.step = e.step + 1;
    return {
      type: 'step',
      step: this.step,
      epoch: e.epoch,
      totalSteps: Math.max(this.totalSteps, this.step),
      elapsedMs: e.elapsedMs,
      throughput: e.tokensPerSecond,
      metrics: {
        trainLoss: e.trainLoss,
        trainPerplexity: e.trainPerplexity,
        valLoss: e.valLoss,
        valPerplexity: e.valPerplexity,
        lr: this.rates.lr,
        alphaLr: this.rates.alphaLr,
        segmentLength: e.segmentLength,
      },
      alphas: [{ name: 'recurrent', ops: RNN_PRIMITIVES, softmax: e.alphaSoftmax }],
      alphaMaxAbs: await maxAbs(this.state.alpha),
      genotype: rnnGenotypeToJson(e.genotype),
      files: rnnGenotypeFiles(e.genotype),
    };
  }

  async checkpoint(): Promise<Uint8Array> {
    const host = this.settings as HostSettings;
    return encodeRnnSearchCheckpoint(
      await captureRnnSearchCheckpoint(this.live, this.search, { host }),
    );
  }

  setLive(values: Readonly<Record<string, number>>): void {
    for (const [key, value] of Object.entries(values)) {
      if (key !== 'lr' && key !== 'alphaLr') {
        throw new Error(`${key} cannot change while the recurrent search runs (lr, alphaLr can)`);
      }
      if (!(Number.isFinite(value) && value > 0)) {
        throw new Error(`${key} must be > 0, got ${value}`);
      }
    }
    Object.assign(this.rates, values);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.search.return(undefined);
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

/** Batchifies the texts; the state is freed when they do not fit it. */
function prepared(state: RnnSearchState, ids: { train: Int32Array; valid: Int32Array }) {
  try {
    return prepareRnnSearchData(state, ids);
  } catch (e) {
    disposeRnnSearchState(state);
    throw e;
  }
}

/**
 * The settings of a checkpoint: its host settings where they are this kind's (the lab's old
 * recurrent settings have the same keys; `order` absent there is first order), the core's
 * configuration for what it holds (with the learning rates as they were when it was saved),
 * the small preset for anything else.
 */
export function rnnSearchCheckpointSettings(
  config: ReturnType<typeof rnnSearchConfigOf>,
  host: HostSettings | undefined,
): Settings {
  const known = Object.entries(host ?? {}).filter(([key]) => findField(RNN_SEARCH_SCHEMA, key));
  const base = { ...defaultSettings(RNN_SEARCH_SCHEMA), ...Object.fromEntries(known) };
  return validateSettings(
    RNN_SEARCH_SCHEMA,
    rnnSearchSettingsOf(config, base),
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
    return new RnnSearchKindRun(s, state, prepared(state, ids), note);
  },

  async resume(bytes: Uint8Array, env: RunEnv): Promise<Run> {
    const checkpoint = decodeRnnSearchCheckpoint(bytes);
    const s = rnnSearchCheckpointSettings(checkpoint.config, checkpoint.host);
    const { ids, vocabulary, note } = await searchCorpus(s, env);
    if (vocabulary !== checkpoint.ntoken) {
      throw new Error(
        `cannot resume: the corpus has a vocabulary of ${vocabulary}, the checkpoint's model ${checkpoint.ntoken} (another corpus, level or vocabulary cap)`,
      );
    }
    checkRnnSearchFits(checkpoint.config, vocabulary, env.host);
    const { state, resume } = restoreRnnSearch(checkpoint);
    const data = prepared(state, ids);
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
