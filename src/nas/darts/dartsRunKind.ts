/**
 * The DARTS search as a run kind, its engine: the images (imageData.ts), the search state and
 * loop (searchState.ts, searchLoop.ts), the loop's events as uniform reports, and the search
 * checkpoint (format `nas-lab.search-checkpoint`, unchanged) with the run's settings in its host
 * settings and the augmentation's random state, so that a resume continues bit for bit. Files
 * written before the run kinds (host settings `{ dataset, images, imageSize }`) resume too.
 */
import { genotypeToJson } from '../genotype/genotype';
import {
  explodeCellAlphas,
  fillNaN,
  genotypeDoneReport,
  imageStepReport,
  resumingText,
  SearchKindRun,
  searchRunKind,
} from '../runKind/convRun';
import type { SearchStart } from '../runKind/convRun';
import { settingsToHost } from '../runKind/hostSettings';
import type { SearchSplits } from '../runKind/imageData';
import { AUGMENT_RNG, searchDataSummary } from '../runKind/imageData';
import { CHECKPOINT_CELLS_FILL } from '../recompute/checkpointCellsSetting';
import { BN_RECALIBRATION_FILL, statisticsDetail } from '../ops/bnRecalibrationSetting';
import { legacyImageData } from '../runKind/convFields';
import type { Run, RunKind, RunReport } from '../runKind/runKind';
import { cellAlphaGroups, genotypeFile } from '../runKind/runReports';
import type { DartsSettings } from './dartsKindInfo';
import { DARTS_INFO, dartsSearchConfig } from './dartsKindInfo';
import type { SearchCheckpoint } from './searchCheckpoint';
import {
  captureCheckpoint,
  decodeCheckpoint,
  encodeCheckpoint,
  restoreSearchState,
} from './searchCheckpoint';
import { validateSearchConfig } from './searchConfig';
import { CollapseMonitor } from '../collapse/collapseMonitor';
import { collapseStep, earlyStopNote } from '../collapse/collapseReports';
import { COLLAPSE_FILL } from '../collapse/collapseSettings';
import { dartsHessianProbe } from '../collapse/dartsHessianProbe';
import type { AlphaSoftmax, SearchEvent, SearchRun } from './searchLoop';
import { readAlphaSoftmax, runSearch } from './searchLoop';
import type { SearchState } from './searchState';
import { checkSearchFits } from './searchMemory';
import { createSearchState, disposeSearchState } from './searchState';
import { edgeWeightGroups } from '../pcdarts/pcReports';
import type { EdgeWeightsJson } from '../pcdarts/pcGenotypeJson';
import { withEdgeWeights } from '../pcdarts/pcGenotypeJson';
import { PC_DARTS_FILL } from '../pcdarts/pcdartsSettings';

type DartsStart = SearchStart<DartsSettings, SearchCheckpoint, SearchState>;

class DartsRun
  extends SearchKindRun<SearchEvent, DartsSettings, SearchCheckpoint, SearchState, SearchRun>
  implements Run
{
  readonly info = DARTS_INFO;
  /** PC-DARTS: the latest normalised β, which the genotype files carry. */
  private edges: EdgeWeightsJson | undefined;

  constructor(
    start: DartsStart,
    loop: SearchRun,
    opening: RunReport,
    private readonly monitor: CollapseMonitor,
    edges?: EdgeWeightsJson,
  ) {
    super(start, loop, opening);
    this.edges = edges;
  }

  protected async reports(event: SearchEvent): Promise<RunReport[]> {
    const ops = this.state.config.primitives;
    switch (event.type) {
      case 'step': {
        this.step = event.step;
        this.edges = event.alphaSoftmax.edges;
        const collapse = collapseStep(this.monitor, event, () => this.loop.genotypeHistory());
        const reports: RunReport[] = [
          withEdgeWeights(
            imageStepReport(
              event,
              {
                trainLoss: event.trainLoss,
                trainAccuracy: event.trainAccuracy,
                // None before PC-DARTS's first alpha epoch: no alpha step, no alpha loss.
                ...(event.alphaStep ? { valLoss: event.valLoss } : {}),
                weightLr: event.weightLr,
                ...collapse.metrics,
              },
              {
                alphas: [
                  ...cellAlphaGroups(event.alphaSoftmax, ops),
                  ...edgeWeightGroups(event.alphaSoftmax.edges),
                ],
                alphaMaxAbs: event.alphaMaxAbs,
                genotype: genotypeToJson(event.genotype),
                files: [genotypeFile(event.genotype)],
              },
            ),
            event.genotype,
            this.edges,
          ),
        ];
        const { firing } = collapse;
        if (!firing) return reports;
        const action = (this.live.current as DartsSettings).earlyStopAction;
        reports.push(earlyStopNote(firing, action));
        if (action !== 'stop') return reports;
        // R-DARTS --early_stop 1: the search ends with the genotype the rule names.
        await this.loop.return(undefined);
        return [...reports, genotypeDoneReport(event.step, this.lastEpoch, firing.offered)];
      }
      case 'epoch':
        this.lastEpoch = { valLoss: event.valLoss, valAccuracy: event.valAccuracy };
        return [
          {
            type: 'epoch',
            epoch: event.epoch,
            step: this.step,
            metrics: this.lastEpoch,
            detail: {
              genotype: genotypeToJson(event.genotype),
              ...statisticsDetail(event.statistics),
            },
          },
        ];
      case 'done':
        return [
          withEdgeWeights(
            genotypeDoneReport(event.steps, this.lastEpoch, event.genotype),
            event.genotype,
            this.edges,
          ),
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
    return encodeCheckpoint({
      ...saved,
      host: settingsToHost(DARTS_INFO, this.live.current),
      collapse: this.monitor.record(),
    });
  }

  injectFault(fault: 'nan' | 'explodeAlphas'): void {
    if (fault === 'nan') fillNaN(Object.values(this.state.weights).slice(0, 1));
    else explodeCellAlphas(this.state.alphas);
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
      alphas: [...cellAlphaGroups(softmax, ops), ...edgeWeightGroups(softmax.edges)],
      // Known once the search has begun: the loop derives it at its first step.
      ...(genotype ? { genotype: genotypeToJson(genotype) } : {}),
      genotypeHistory: history.map((c) => ({ step: c.step, genotype: genotypeToJson(c.genotype) })),
    },
  };
}

/** The search's loop on the split images, its rates read from the live settings. */
async function beginRun(start: DartsStart) {
  const { settings, live, splits, state, resumed } = start;
  const monitor = new CollapseMonitor(settings, resumed?.collapse);
  const probe = dartsHessianProbe((step, total) => monitor.measuresAt(step, total));
  const loop = runSearch(
    state,
    { train: splits.train, val: splits.val },
    {
      rates: () => ({ weightLr: live.current.weightLr, alphaLr: live.current.alphaLr }),
      ...(resumed ? { resume: resumed } : {}),
      bnRecalibration: {
        batches: settings.bnRecalibration,
        images: splits.unaugmented.train,
        batchSize: state.config.batchSize,
        seed: state.config.seed,
      },
      ...(settings.hessianEvery > 0 ? { probe } : {}),
    },
  );
  const softmax = await readAlphaSoftmax(state);
  const note = openingNote(settings, splits, softmax, resumed, state.config.primitives);
  return new DartsRun(start, loop, note, monitor, softmax.edges);
}

/** The settings of a checkpoint written before the run kinds: its configuration and data. */
function legacySettings(checkpoint: SearchCheckpoint) {
  const c = checkpoint.config;
  return {
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
    ...BN_RECALIBRATION_FILL,
    ...COLLAPSE_FILL,
    ...PC_DARTS_FILL,
    ...legacyImageData(checkpoint.host, {
      ...checkpoint.data,
      count: checkpoint.position.trainCount + checkpoint.position.valCount,
    }),
  };
}

export const DARTS_RUN_KIND: RunKind = searchRunKind({
  info: DARTS_INFO,
  configOf: dartsSearchConfig,
  validate: validateSearchConfig,
  legacySettings,
  settingsFill: { ...COLLAPSE_FILL, ...PC_DARTS_FILL },
  decode: decodeCheckpoint,
  rngs: (checkpoint) => checkpoint.rngs,
  checkFits: checkSearchFits,
  create: createSearchState,
  restore: restoreSearchState,
  dispose: disposeSearchState,
  begin: beginRun,
});
