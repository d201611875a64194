/**
 * The CDARTS search as a run kind, its engine: the images (imageData.ts), the state and loop of
 * both networks (cdartsState.ts, cdartsLoop.ts), the loop's events as uniform reports (the
 * search network's figures as the metrics, the phase, the distillation and the evaluation
 * network's genotype as details; NNI's architecture export `nni/epoch_N.json` after each epoch),
 * and the CDARTS checkpoint (format `nas-lab.cdarts-checkpoint`, unchanged) with the run's
 * settings in its host settings and the augmentation's random state, so that a resume continues
 * bit for bit. Files written before the run kinds resume too.
 */
import { genotypeToJson } from '../genotype/genotype';
import { formatNniArchitecture } from '../genotype/nniArchitecture';
import {
  explodeCellAlphas,
  fillNaN,
  genotypeDoneReport,
  resumingText,
  SearchKindRun,
  searchRunKind,
} from '../runKind/convRun';
import type { SearchStart } from '../runKind/convRun';
import { CHECKPOINT_CELLS_FILL } from '../recompute/checkpointCellsSetting';
import { legacyImageData } from '../runKind/convFields';
import { settingsToHost } from '../runKind/hostSettings';
import { AUGMENT_RNG, searchDataSummary } from '../runKind/imageData';
import type { Run, RunKind, RunReport } from '../runKind/runKind';
import { cellAlphaGroups, genotypeFile } from '../runKind/runReports';
import type { CdartsCheckpoint } from './cdartsCheckpoint';
import {
  captureCdartsCheckpoint,
  decodeCdartsCheckpoint,
  encodeCdartsCheckpoint,
  restoreCdartsState,
} from './cdartsCheckpoint';
import type { CdartsConfig } from './cdartsConfig';
import { NNI_CDARTS_CONFIG, validateCdartsConfig } from './cdartsConfig';
import type { CdartsSettings } from './cdartsKindInfo';
import { CDARTS_INFO } from './cdartsKindInfo';
import type { CdartsEvent, CdartsRun as CdartsLoopRun } from './cdartsLoop';
import { cdartsStepsPerEpoch, readProbabilities, runCdarts } from './cdartsLoop';
import { cdartsConfigOf, cdartsSettingsOf } from './cdartsSettings';
import type { CdartsState } from './cdartsState';
import {
  cdartsGenotype,
  createCdartsState,
  disposeCdartsState,
  evalWeights,
  searchWeights,
} from './cdartsState';
import type { CdartsTracked } from './cdartsReports';
import { cdartsStepReport, cycleNote, epochMetrics } from './cdartsReports';
import { STATISTICS_DETAIL_KEY, statisticsPhrase } from '../ops/bnRecalibrationSetting';
import type { CdartsEvaluation } from './cdartsEvaluation';

/**
 * Steps of the whole search: `perEpoch` search-network steps in each warm-up epoch; in each
 * cycle, `evalWarmupEpochs · perEpoch` evaluation-network steps, then `perEpoch` joint steps.
 */
function cdartsTotalSteps(config: CdartsConfig, perEpoch: number): number {
  const cycles = config.epochs - config.warmupEpochs;
  return config.warmupEpochs * perEpoch + cycles * (config.evalWarmupEpochs + 1) * perEpoch;
}

type CdartsStart = SearchStart<CdartsSettings, CdartsCheckpoint, CdartsState>;

class CdartsRunOfKind
  extends SearchKindRun<CdartsEvent, CdartsSettings, CdartsCheckpoint, CdartsState, CdartsLoopRun>
  implements Run
{
  readonly info = CDARTS_INFO;

  constructor(
    start: CdartsStart,
    loop: CdartsLoopRun,
    opening: RunReport,
    private readonly tracked: CdartsTracked,
    private readonly totalSteps: number,
  ) {
    super(start, loop, opening);
  }

  protected reports(event: CdartsEvent): RunReport[] {
    const { tracked } = this;
    const ops = this.state.config.primitives;
    switch (event.type) {
      case 'step':
        this.step = event.step;
        return [cdartsStepReport(event, tracked, this.totalSteps, ops)];
      case 'cycle':
        tracked.genotype = event.genotype;
        tracked.evalGenotype = event.genotype;
        return [cycleNote(event)];
      case 'epoch':
        tracked.genotype = event.genotype;
        this.lastEpoch = epochMetrics(event);
        return [
          {
            type: 'epoch',
            epoch: event.epoch,
            step: this.step,
            metrics: this.lastEpoch,
            detail: {
              genotype: genotypeToJson(event.genotype),
              evalGenotype: event.eval ? genotypeToJson(event.evalGenotype) : null,
              ...cdartsStatisticsDetail(event.statistics),
            },
            files: [
              genotypeFile(event.genotype),
              // NNI's ArchitectureCheckpoint: epoch 0-based, unpadded.
              {
                path: `nni/epoch_${event.epoch}.json`,
                data: formatNniArchitecture(event.genotype),
              },
            ],
          },
        ];
      case 'done':
        return [genotypeDoneReport(event.steps, this.lastEpoch, event.genotype)];
    }
  }

  async checkpoint(): Promise<Uint8Array> {
    const host = settingsToHost(CDARTS_INFO, this.live.current);
    const saved = await captureCdartsCheckpoint(this.state, this.loop.position(), host, {
      [AUGMENT_RNG]: this.augment,
    });
    return encodeCdartsCheckpoint(saved);
  }

  injectFault(fault: 'nan' | 'explodeAlphas'): void {
    // Both networks, so that the next step's loss is NaN whichever phase it is in.
    if (fault === 'nan') {
      fillNaN(Object.values({ ...searchWeights(this.state), ...evalWeights(this.state) }));
    } else explodeCellAlphas(this.state.alphas);
  }
}

/**
 * An epoch report's words for the statistics its evaluations used: one phrase when both networks
 * used alike (or only the search network was evaluated), else each network's.
 */
function cdartsStatisticsDetail(statistics: CdartsEvaluation['statistics']) {
  const search = statisticsPhrase(statistics.search);
  const evaluation = statistics.eval && statisticsPhrase(statistics.eval);
  const phrase =
    evaluation === null || evaluation === search
      ? search
      : `${search} (search network), ${evaluation} (evaluation network)`;
  return { [STATISTICS_DETAIL_KEY]: phrase };
}

/** Whether the evaluation network has followed a genotype at `p` (a cycle has begun). */
function cycled(config: CdartsConfig, p: ReturnType<CdartsLoopRun['position']>): boolean {
  return p.epoch > config.warmupEpochs || (p.epoch === config.warmupEpochs && p.phase !== 'follow');
}

/** The search's loop on the split images, its rates read from the live settings. */
async function beginRun(start: CdartsStart) {
  const { settings, live, splits, state, resumed } = start;
  const loop = runCdarts(state, splits, {
    rates: () => ({
      weightLr: live.current.weightLr,
      nasnetLr: live.current.nasnetLr,
      alphaLr: live.current.alphaLr,
    }),
    ...(resumed ? { resume: resumed.position } : {}),
    bnRecalibration: {
      plan: {
        batches: settings.bnRecalibration,
        images: splits.unaugmented.train,
        batchSize: state.config.batchSize,
        seed: state.config.seed,
      },
      evalImages: splits.unaugmented.val,
    },
  });
  const softmax = await readProbabilities(state);
  const tracked: CdartsTracked = {
    softmax,
    genotype: cdartsGenotype(state.config, softmax),
    evalGenotype: cycled(state.config, loop.position()) ? state.evalNet.genotype : null,
  };
  const perEpoch = cdartsStepsPerEpoch(state.config, splits);
  const totalSteps = cdartsTotalSteps(state.config, perEpoch);
  const { data, text } = searchDataSummary(settings.dataset, splits);
  const note: RunReport = {
    type: 'note',
    text: `${resumingText(resumed?.position.step)}CDARTS search on ${text}, ${totalSteps} steps`,
    detail: {
      data,
      totalSteps,
      resumedFrom: resumed ? resumed.position.step : null,
      alphas: cellAlphaGroups(softmax, state.config.primitives),
      genotype: genotypeToJson(tracked.genotype),
      evalGenotype: tracked.evalGenotype && genotypeToJson(tracked.evalGenotype),
    },
  };
  return new CdartsRunOfKind(start, loop, note, tracked, totalSteps);
}

/**
 * The images a checkpoint was saved for: its data shape, and both halves' counts, which a
 * sampler's order holds once drawn (0 before: unknown, and refused where it matters).
 */
function savedImages(checkpoint: CdartsCheckpoint) {
  const { train, val } = checkpoint.position;
  const known = train.order !== null && val.order !== null;
  return { ...checkpoint.data, count: known ? train.order.length + val.order.length : 0 };
}

export const CDARTS_RUN_KIND: RunKind = searchRunKind({
  info: CDARTS_INFO,
  configOf: cdartsConfigOf,
  validate: validateCdartsConfig,
  /** A checkpoint written before the run kinds: its configuration and data. */
  legacySettings: (checkpoint) => ({
    ...cdartsSettingsOf(
      checkpoint.config,
      legacyImageData(checkpoint.host, savedImages(checkpoint)),
    ),
    ...CHECKPOINT_CELLS_FILL,
  }),
  // Before the setting, every run's weight decay was the trainer default's.
  settingsFill: { weightDecay: NNI_CDARTS_CONFIG.weightDecay },
  decode: decodeCdartsCheckpoint,
  rngs: (checkpoint) => checkpoint.hostRngs,
  create: createCdartsState,
  restore: restoreCdartsState,
  dispose: disposeCdartsState,
  begin: beginRun,
});
