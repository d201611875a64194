/**
 * The DARTS search as a run kind, its engine: the images (imageData.ts), the search state and
 * loop (searchState.ts, searchLoop.ts), the loop's events as uniform reports, and the search
 * checkpoint (format `nas-lab.search-checkpoint`, unchanged) with the run's settings in its host
 * settings and the augmentation's random state, so that a resume continues bit for bit. Files
 * written before the run kinds (host settings `{ dataset, images, imageSize }`) resume too.
 */
import { genotypeToJson } from '../genotype/genotype';
import { checkSettingsMake } from '../runKind/configProblems';
import {
  explodeCellAlphas,
  fillNaN,
  genotypeDoneReport,
  imageStepReport,
  resumingText,
  searchRunKind,
} from '../runKind/convRun';
import type { SearchStart } from '../runKind/convRun';
import { settingsFromHost, settingsToHost } from '../runKind/hostSettings';
import { CHECKPOINT_CELLS_FILL, withCheckpointCells } from '../recompute/checkpointCellsSetting';
import type { SearchSplits } from '../runKind/imageData';
import { AUGMENT_RNG, searchDataSummary } from '../runKind/imageData';
import { legacyImageData } from '../runKind/convFields';
import type { Run, RunKind, RunReport } from '../runKind/runKind';
import type { LiveSettings } from '../runKind/runReports';
import { cellAlphaGroups, EventRun, genotypeFile } from '../runKind/runReports';
import { validateSettings } from '../runKind/settingsSchema';
import type { Rng } from '../tensor/random';
import type { DartsSettings } from './dartsKindInfo';
import { DARTS_INFO, DARTS_SCHEMA, dartsSearchConfig } from './dartsKindInfo';
import type { SearchCheckpoint } from './searchCheckpoint';
import {
  captureCheckpoint,
  decodeCheckpoint,
  encodeCheckpoint,
  restoreSearchState,
} from './searchCheckpoint';
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
          imageStepReport(
            event,
            {
              trainLoss: event.trainLoss,
              trainAccuracy: event.trainAccuracy,
              valLoss: event.valLoss,
              weightLr: event.weightLr,
            },
            {
              alphas: cellAlphaGroups(event.alphaSoftmax, ops),
              alphaMaxAbs: event.alphaMaxAbs,
              genotype: genotypeToJson(event.genotype),
              files: [genotypeFile(event.genotype)],
            },
          ),
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
        return [genotypeDoneReport(event.steps, this.lastEpoch, event.genotype)];
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
    if (fault === 'nan') fillNaN(Object.values(this.state.weights).slice(0, 1));
    else explodeCellAlphas(this.state.alphas);
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
    text: `${resumingText(resumed?.position.step)}searching on ${text}`,
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

/** The search's loop on the split images, its rates read from the live settings. */
async function beginRun(start: SearchStart<DartsSettings, SearchCheckpoint, SearchState>) {
  const { settings, live, splits, state, augment, resumed } = start;
  const loop = runSearch(
    state,
    { train: splits.train, val: splits.val },
    {
      rates: () => ({ weightLr: live.current.weightLr, alphaLr: live.current.alphaLr }),
      ...(resumed ? { resume: resumed } : {}),
    },
  );
  const softmax = await readAlphaSoftmax(state);
  const note = openingNote(settings, splits, softmax, resumed, state.config.primitives);
  return new DartsRun(live, state, splits, augment, loop, note);
}

/**
 * The settings of a checkpoint: those it stores, or, in a file written before the run kinds,
 * its configuration and data settings. Throws where they do not describe its configuration.
 */
function checkpointSettings(checkpoint: SearchCheckpoint): DartsSettings {
  const c = checkpoint.config;
  const stored = settingsFromHost(
    DARTS_INFO,
    checkpoint.host,
    CHECKPOINT_CELLS_FILL,
  ) as DartsSettings | null;
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
        ...CHECKPOINT_CELLS_FILL,
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

export const DARTS_RUN_KIND: RunKind = searchRunKind({
  info: DARTS_INFO,
  config: (settings: DartsSettings) => validateSearchConfig(dartsSearchConfig(settings)),
  // The configuration a checkpoint stores lacks the memory setting: its settings give it.
  decode: (bytes) => {
    const checkpoint = decodeCheckpoint(bytes);
    return withCheckpointCells(checkpoint, checkpointSettings(checkpoint));
  },
  settings: checkpointSettings,
  rngs: (checkpoint) => checkpoint.rngs,
  create: createSearchState,
  restore: restoreSearchState,
  dispose: disposeSearchState,
  begin: beginRun,
});
