/**
 * The DARTS search as a run kind, its engine: the images (imageData.ts), the search state and
 * loop (searchState.ts, searchLoop.ts), the loop's events as uniform reports, and the search
 * checkpoint (format `nas-lab.search-checkpoint`, unchanged) with the run's settings in its host
 * settings and the augmentation's random state, so that a resume continues bit for bit. Files
 * written before the run kinds (host settings `{ dataset, images, imageSize }`) resume too.
 */
import { genotypeToJson } from '../genotype/genotype';
import { checkSettingsMake } from '../runKind/configProblems';
import { settingsFromHost, settingsToHost } from '../runKind/hostSettings';
import type { SearchSplits } from '../runKind/imageData';
import { AUGMENT_RNG, onSearchData, searchDataSummary } from '../runKind/imageData';
import { legacyImageData } from '../runKind/convFields';
import type { Run, RunEnv, RunKind, RunReport } from '../runKind/runKind';
import type { LiveSettings } from '../runKind/runReports';
import { cellAlphaGroups, EventRun, genotypeFile } from '../runKind/runReports';
import type { Settings } from '../runKind/settingsSchema';
import { validateSettings } from '../runKind/settingsSchema';
import * as tf from '../tensor/tf';
import { Rng } from '../tensor/random';
import type { DartsSettings } from './dartsKindInfo';
import { DARTS_INFO, DARTS_SCHEMA, dartsSearchConfig } from './dartsKindInfo';
import type { SearchCheckpoint } from './searchCheckpoint';
import {
  captureCheckpoint,
  decodeCheckpoint,
  encodeCheckpoint,
  restoreRng,
  restoreSearchState,
} from './searchCheckpoint';
import type { SearchConfig } from './searchConfig';
import { validateSearchConfig } from './searchConfig';
import type { AlphaSoftmax, SearchEvent, SearchRun } from './searchLoop';
import { readAlphaSoftmax, runSearch } from './searchLoop';
import type { SearchState } from './searchState';
import { createSearchState, disposeSearchState } from './searchState';

class DartsRun extends EventRun<SearchEvent, DartsSettings> implements Run {
  readonly info = DARTS_INFO;
  step: number;
  /** The last epoch's figures: the done report's. */
  private lastEpoch: Readonly<Record<string, number>> = {};

  constructor(
    live: LiveSettings<DartsSettings>,
    private readonly state: SearchState,
    private readonly splits: SearchSplits,
    private readonly augment: Rng,
    private readonly loop: SearchRun,
    opening: RunReport,
  ) {
    super(loop, [opening], live);
    this.step = loop.position().step;
  }

  protected reports(event: SearchEvent): RunReport[] {
    const ops = this.state.config.primitives;
    switch (event.type) {
      case 'step':
        this.step = event.step;
        return [
          {
            type: 'step',
            step: event.step,
            epoch: event.epoch,
            totalSteps: event.totalSteps,
            elapsedMs: event.elapsedMs,
            throughput: event.imagesPerSecond,
            metrics: {
              trainLoss: event.trainLoss,
              trainAccuracy: event.trainAccuracy,
              valLoss: event.valLoss,
              weightLr: event.weightLr,
            },
            alphas: cellAlphaGroups(event.alphaSoftmax, ops),
            alphaMaxAbs: event.alphaMaxAbs,
            genotype: genotypeToJson(event.genotype),
            files: [genotypeFile(event.genotype)],
          },
        ];
      case 'epoch':
        this.lastEpoch = { valLoss: event.valLoss, valAccuracy: event.valAccuracy };
        return [
          {
            type: 'epoch',
            epoch: event.epoch,
            step: this.step,
            metrics: this.lastEpoch,
            detail: { genotype: genotypeToJson(event.genotype) },
          },
        ];
      case 'done':
        return [
          {
            type: 'done',
            step: event.steps,
            metrics: this.lastEpoch,
            detail: { genotype: genotypeToJson(event.genotype) },
            files: [genotypeFile(event.genotype)],
          },
        ];
    }
  }

  async checkpoint(): Promise<Uint8Array> {
    const saved = await captureCheckpoint(
      this.state,
      this.loop.position(),
      this.loop.genotypeHistory(),
      { [AUGMENT_RNG]: this.augment },
    );
    return encodeCheckpoint({ ...saved, host: settingsToHost(DARTS_INFO, this.live.current) });
  }

  injectFault(fault: 'nan' | 'explodeAlphas'): void {
    if (fault === 'nan') {
      const first = Object.values(this.state.weights)[0];
      if (first) tf.tidy(() => first.assign(tf.fill(first.shape, Number.NaN)));
      return;
    }
    // Finite but far beyond any search: the losses stay finite, only max |α| shows it.
    for (const a of [this.state.alphas.normal, this.state.alphas.reduce]) {
      tf.tidy(() => a.assign(tf.mul(tf.sign(a), 1e6)));
    }
  }

  protected release(): void {
    this.splits.dispose();
    disposeSearchState(this.state);
  }
}

/** The note a run opens with: its data, and where it starts (alphas, genotype, history). */
function openingNote(
  s: DartsSettings,
  splits: SearchSplits,
  softmax: AlphaSoftmax,
  resumed: SearchCheckpoint | null,
  ops: readonly string[],
): RunReport {
  const { data, text } = searchDataSummary(s.dataset, splits);
  const history = resumed?.genotypeHistory ?? [];
  const genotype = history.at(-1)?.genotype;
  return {
    type: 'note',
    text: `${resumed ? `resuming at step ${resumed.position.step}: ` : ''}searching on ${text}`,
    detail: {
      data,
      resumedFrom: resumed ? resumed.position.step : null,
      alphas: cellAlphaGroups(softmax, ops),
      // Known once the search has begun: the loop derives it at its first step.
      ...(genotype ? { genotype: genotypeToJson(genotype) } : {}),
      genotypeHistory: history.map((c) => ({ step: c.step, genotype: genotypeToJson(c.genotype) })),
    },
  };
}

/** A run on the settings' images over the state `build` makes (new, or from a checkpoint). */
function startRun(
  settings: DartsSettings,
  config: SearchConfig,
  env: RunEnv,
  augment: Rng,
  build: (splits: SearchSplits) => SearchState,
  resumed: SearchCheckpoint | null,
): Promise<Run> {
  return onSearchData(
    env,
    settings,
    config,
    augment,
    build,
    disposeSearchState,
    async (splits, state) => {
      const live = { current: settings };
      const loop = runSearch(
        state,
        { train: splits.train, val: splits.val },
        {
          rates: () => ({ weightLr: live.current.weightLr, alphaLr: live.current.alphaLr }),
          ...(resumed ? { resume: resumed } : {}),
        },
      );
      const softmax = await readAlphaSoftmax(state);
      const note = openingNote(settings, splits, softmax, resumed, config.primitives);
      return new DartsRun(live, state, splits, augment, loop, note);
    },
  );
}

/**
 * The settings of a checkpoint: those it stores, or, in a file written before the run kinds,
 * its configuration and data settings. Throws where they do not describe its configuration.
 */
function checkpointSettings(checkpoint: SearchCheckpoint): DartsSettings {
  const c = checkpoint.config;
  const stored = settingsFromHost(DARTS_INFO, checkpoint.host) as DartsSettings | null;
  const settings =
    stored ??
    (validateSettings(
      DARTS_SCHEMA,
      {
        order: c.order,
        epochs: c.epochs,
        batchSize: c.batchSize,
        channels: c.channels,
        layers: c.layers,
        nodes: c.nodes,
        ops: [...c.primitives],
        weightLr: c.weightLr,
        weightLrMin: c.weightLrMin,
        alphaLr: c.alphaLr,
        seed: c.seed,
        ...legacyImageData(checkpoint.host, {
          ...checkpoint.data,
          count: checkpoint.position.trainCount + checkpoint.position.valCount,
        }),
      },
      "checkpoint's settings",
    ) as DartsSettings);
  checkSettingsMake(DARTS_INFO, settings, c, (s) => dartsSearchConfig(s as DartsSettings));
  return settings;
}

export const DARTS_RUN_KIND: RunKind = {
  info: DARTS_INFO,

  async create(raw: Settings, env: RunEnv): Promise<Run> {
    const settings = validateSettings(DARTS_SCHEMA, raw) as DartsSettings;
    const config = validateSearchConfig(dartsSearchConfig(settings));
    const augment = Rng.fromSeed(config.seed + 1);
    return startRun(
      settings,
      config,
      env,
      augment,
      (splits) => createSearchState(config, splits.shape),
      null,
    );
  },

  async resume(bytes: Uint8Array, env: RunEnv): Promise<Run> {
    const checkpoint = decodeCheckpoint(bytes);
    const settings = checkpointSettings(checkpoint);
    const config = checkpoint.config;
    // Files of the lab before the run kinds hold none: it never augmented, so never drew.
    const augment = Object.hasOwn(checkpoint.rngs, AUGMENT_RNG)
      ? restoreRng(checkpoint, AUGMENT_RNG)
      : Rng.fromSeed(config.seed + 1);
    return startRun(
      settings,
      config,
      env,
      augment,
      (splits) => restoreSearchState(checkpoint, splits.shape),
      checkpoint,
    );
  },
};
