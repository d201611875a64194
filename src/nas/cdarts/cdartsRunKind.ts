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
import { checkSettingsMake } from '../runKind/configProblems';
import {
  explodeCellAlphas,
  fillNaN,
  genotypeDoneReport,
  resumingText,
  searchRunKind,
} from '../runKind/convRun';
import type { SearchStart } from '../runKind/convRun';
import { legacyImageData } from '../runKind/convFields';
import { settingsFromHost, settingsToHost } from '../runKind/hostSettings';
import { CHECKPOINT_CELLS_FILL, withCheckpointCells } from '../recompute/checkpointCellsSetting';
import type { SearchSplits } from '../runKind/imageData';
import { AUGMENT_RNG, searchDataSummary } from '../runKind/imageData';
import type { Run, RunKind, RunReport } from '../runKind/runKind';
import type { LiveSettings } from '../runKind/runReports';
import { cellAlphaGroups, EventRun, genotypeFile } from '../runKind/runReports';
import { validateSettings } from '../runKind/settingsSchema';
import type { Rng } from '../tensor/random';
import type { CdartsCheckpoint } from './cdartsCheckpoint';
import {
  captureCdartsCheckpoint,
  decodeCdartsCheckpoint,
  encodeCdartsCheckpoint,
  restoreCdartsState,
} from './cdartsCheckpoint';
import type { CdartsConfig } from './cdartsConfig';
import { validateCdartsConfig } from './cdartsConfig';
import type { CdartsSettings } from './cdartsKindInfo';
import { CDARTS_INFO, CDARTS_SCHEMA } from './cdartsKindInfo';
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

/**
 * Steps of the whole search: `perEpoch` search-network steps in each warm-up epoch; in each
 * cycle, `evalWarmupEpochs · perEpoch` evaluation-network steps, then `perEpoch` joint steps.
 */
export function cdartsTotalSteps(config: CdartsConfig, perEpoch: number): number {
  const cycles = config.epochs - config.warmupEpochs;
  return config.warmupEpochs * perEpoch + cycles * (config.evalWarmupEpochs + 1) * perEpoch;
}

class CdartsRunOfKind extends EventRun<CdartsEvent, CdartsSettings> implements Run {
  readonly info = CDARTS_INFO;
  step: number;
  private lastEpoch: Readonly<Record<string, number>> = {};

  constructor(
    live: LiveSettings<CdartsSettings>,
    private readonly state: CdartsState,
    private readonly splits: SearchSplits,
    private readonly augment: Rng,
    private readonly loop: CdartsLoopRun,
    private readonly tracked: CdartsTracked,
    private readonly totalSteps: number,
    opening: RunReport,
  ) {
    super(loop, [opening], live);
    this.step = loop.position().step;
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

  protected release(): void {
    this.splits.dispose();
    disposeCdartsState(this.state);
  }
}

/** Whether the evaluation network has followed a genotype at `p` (a cycle has begun). */
function cycled(config: CdartsConfig, p: ReturnType<CdartsLoopRun['position']>): boolean {
  return p.epoch > config.warmupEpochs || (p.epoch === config.warmupEpochs && p.phase !== 'follow');
}

/** The search's loop on the split images, its rates read from the live settings. */
async function beginRun(start: SearchStart<CdartsSettings, CdartsCheckpoint, CdartsState>) {
  const { settings, live, splits, state, augment, resumed } = start;
  const loop = runCdarts(state, splits, {
    rates: () => ({
      weightLr: live.current.weightLr,
      nasnetLr: live.current.nasnetLr,
      alphaLr: live.current.alphaLr,
    }),
    ...(resumed ? { resume: resumed.position } : {}),
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
  return new CdartsRunOfKind(live, state, splits, augment, loop, tracked, totalSteps, note);
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

/**
 * The settings of a checkpoint: those it stores, or, in a file written before the run kinds,
 * its configuration and data settings. Throws where they do not describe its configuration.
 */
function checkpointSettings(checkpoint: CdartsCheckpoint): CdartsSettings {
  const c = checkpoint.config;
  const settings = (settingsFromHost(CDARTS_INFO, checkpoint.host, CHECKPOINT_CELLS_FILL) ??
    validateSettings(
      CDARTS_SCHEMA,
      {
        ...cdartsSettingsOf(c, legacyImageData(checkpoint.host, savedImages(checkpoint))),
        ...CHECKPOINT_CELLS_FILL,
      },
      "checkpoint's settings",
    )) as CdartsSettings;
  checkSettingsMake(CDARTS_INFO, settings, c, (s) => cdartsConfigOf(s as CdartsSettings));
  return settings;
}

export const CDARTS_RUN_KIND: RunKind = searchRunKind({
  info: CDARTS_INFO,
  config: (settings: CdartsSettings) => validateCdartsConfig(cdartsConfigOf(settings)),
  // The configuration a checkpoint stores lacks the memory setting: its settings give it.
  decode: (bytes) => {
    const checkpoint = decodeCdartsCheckpoint(bytes);
    return withCheckpointCells(checkpoint, checkpointSettings(checkpoint));
  },
  settings: checkpointSettings,
  rngs: (checkpoint) => checkpoint.hostRngs,
  create: createCdartsState,
  restore: restoreCdartsState,
  dispose: disposeCdartsState,
  begin: beginRun,
});
