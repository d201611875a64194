/**
 * The convolutional retrain as a run kind, its engine (DARTS `cnn/train.py`): the training and
 * test images (imageData.ts) with the dataset's augmentation and the cutout, the evaluation
 * network of the genotype trained from scratch (retrainState.ts, retrainLoop.ts), its events as
 * uniform reports with the trained model (`model.nas`) after each epoch and at the end, and the
 * retrain checkpoint (format `nas-lab.retrain-checkpoint`, unchanged) with the run's settings in
 * its host settings and the augmentation's random state, so that a resume continues bit for
 * bit. Checkpoints the lab wrote before the run kinds resume too.
 */
import { augmentedSource } from '../../data/augmentedSource';
import type { AugmentOptions } from '../../data/augment';
import type { DeviceSplit } from '../../data/deviceSplit';
import { toDevice } from '../../data/deviceSplit';
import type { DataShape } from '../darts/searchState';
import type { Genotype } from '../genotype/genotype';
import { genotypeToJson, genotypesEqual } from '../genotype/genotype';
import { checkSettingsMake } from '../runKind/configProblems';
import {
  fillNaN,
  imageStepReport,
  newAugmentRng,
  resumingText,
  savedAugmentRng,
} from '../runKind/convRun';
import { legacyImageData } from '../runKind/convFields';
import { settingsFromHost, settingsToHost } from '../runKind/hostSettings';
import { CHECKPOINT_CELLS_FILL, withCheckpointCells } from '../recompute/checkpointCellsSetting';
import type { RecalibrationPlan } from '../ops/bnRecalibration';
import { evaluateWithStatistics } from '../ops/bnRecalibration';
import { BN_RECALIBRATION_FILL, statisticsDetail } from '../ops/bnRecalibrationSetting';
import type { TrainTestImages } from '../runKind/imageData';
import { AUGMENT_RNG, trainTestImages } from '../runKind/imageData';
import type { Run, RunEnv, RunFile, RunKind, RunReport } from '../runKind/runKind';
import type { LiveSettings } from '../runKind/runReports';
import { EventRun, genotypeFile } from '../runKind/runReports';
import type { Settings } from '../runKind/settingsSchema';
import { validateSettings } from '../runKind/settingsSchema';
import type { Rng } from '../tensor/random';
import { countParameters } from './evalNetwork';
import type { RetrainCheckpoint } from './retrainCheckpoint';
import {
  captureRetrainCheckpoint,
  decodeRetrainCheckpoint,
  encodeRetrainCheckpoint,
  restoreRetrainState,
} from './retrainCheckpoint';
import type { RetrainConfig } from './retrainConfig';
import { validateRetrainConfig } from './retrainConfig';
import type { RetrainSettings } from './retrainKindInfo';
import { RETRAIN_INFO, RETRAIN_SCHEMA } from './retrainKindInfo';
import type { RetrainEvent, RetrainRun } from './retrainLoop';
import { runRetrain } from './retrainLoop';
import { resolveGenotypeSetting, retrainConfigOf } from './retrainSettings';
import type { RetrainState } from './retrainState';
import { createRetrainState, disposeRetrainState } from './retrainState';
import type { TrainingSummary } from './trainedModel';
import { encodeTrainedModel } from './trainedModel';

/** What a retrain runs on: its images on the device, and the state it trains. */
interface Prepared {
  readonly images: TrainTestImages;
  readonly train: DeviceSplit;
  readonly test: DeviceSplit;
  readonly state: RetrainState;
  /** The BatchNorm recalibration of each test (and of the saved model's statistics). */
  readonly recalibration: RecalibrationPlan;
}

class RetrainRunOfKind extends EventRun<RetrainEvent, RetrainSettings> implements Run {
  readonly info = RETRAIN_INFO;
  step: number;
  /** The last epoch's test result and the model then: what the done report gives. */
  private summary: TrainingSummary | null;
  private model: RunFile | null = null;

  constructor(
    live: LiveSettings<RetrainSettings>,
    private readonly prepared: Prepared,
    private readonly augment: Rng,
    private readonly loop: RetrainRun,
    opening: RunReport,
  ) {
    super(loop, [opening], live);
    const position = loop.position();
    this.step = position.step;
    this.summary = position.summary;
  }

  private async modelFile(summary: TrainingSummary): Promise<RunFile> {
    const { state, images, recalibration } = this.prepared;
    // With recalibration on, the model keeps the statistics its recorded test figure used, so
    // that evaluating (or exporting) the file gives that figure; the same batches, so the same
    // statistics as the last epoch's test.
    const { result: data } = await evaluateWithStatistics(
      recalibration,
      state.buffers,
      (x, ctx) => state.net.forward(x, state.weights, { ctx }).logits,
      (buffers) =>
        encodeTrainedModel(state, summary, {
          normalization: images.stats,
          statistics: Object.fromEntries(
            Object.entries(buffers).filter(([name]) => buffers[name] !== state.buffers[name]),
          ),
        }),
    );
    return { path: 'model.nas', data };
  }

  protected async reports(event: RetrainEvent): Promise<RunReport[]> {
    switch (event.type) {
      case 'step':
        this.step = event.step;
        return [
          imageStepReport(event, {
            trainLoss: event.trainLoss,
            trainAccuracy: event.trainAccuracy,
            lr: event.lr,
            dropPathProb: event.dropPathProb,
          }),
        ];
      case 'epoch': {
        const summary = {
          epochs: event.epoch + 1,
          testLoss: event.testLoss,
          testAccuracy: event.testAccuracy,
        };
        this.summary = summary;
        this.model = await this.modelFile(summary);
        return [
          {
            type: 'epoch',
            epoch: event.epoch,
            step: event.step,
            metrics: { testLoss: event.testLoss, testAccuracy: event.testAccuracy },
            detail: statisticsDetail(event.statistics),
            files: [this.model],
          },
        ];
      }
      case 'done': {
        const model = this.model ?? (this.summary ? await this.modelFile(this.summary) : null);
        const genotype = this.prepared.state.genotype;
        return [
          {
            type: 'done',
            step: event.steps,
            metrics: { testLoss: event.testLoss, testAccuracy: event.testAccuracy },
            detail: { genotype: genotypeToJson(genotype) },
            files: [...(model ? [model] : []), genotypeFile(genotype)],
          },
        ];
      }
    }
  }

  async checkpoint(): Promise<Uint8Array> {
    const saved = await captureRetrainCheckpoint(this.prepared.state, this.loop.position(), {
      rngs: { [AUGMENT_RNG]: this.augment },
      host: settingsToHost(RETRAIN_INFO, this.live.current),
    });
    return encodeRetrainCheckpoint(saved);
  }

  injectFault(fault: 'nan' | 'explodeAlphas'): void {
    if (fault === 'explodeAlphas') throw new Error('a retrain has no alphas to make explode');
    fillNaN(Object.values(this.prepared.state.weights).slice(0, 1));
  }

  protected release(): void {
    const { train, test, state } = this.prepared;
    train.dispose();
    test.dispose();
    disposeRetrainState(state);
  }
}

function dataShapeOf(images: TrainTestImages): DataShape {
  const { height, width, channels, numClasses } = images.train;
  const t = images.test;
  if (t.height !== height || t.width !== width || t.channels !== channels) {
    throw new Error(
      `the test images are ${t.height}x${t.width}x${t.channels}, the training images ${height}x${width}x${channels}`,
    );
  }
  return { height, width, channels, numClasses };
}

function augmentationText(a: AugmentOptions): string {
  const parts = [
    ...(a.pad > 0 ? [`crop (pad ${a.pad})`] : []),
    ...(a.flip ? ['flip'] : []),
    ...(a.cutout > 0 ? [`cutout ${a.cutout}`] : []),
  ];
  return parts.length > 0 ? parts.join(' + ') : 'none';
}

/**
 * A run on the settings' images: `build` makes the state (new, or restored from a checkpoint,
 * whose configuration it checks against the one the settings make for these images).
 */
async function startRun(
  settings: RetrainSettings,
  env: RunEnv,
  augment: Rng,
  build: (config: RetrainConfig, shape: DataShape) => RetrainState,
  resumed: RetrainCheckpoint | null,
): Promise<Run> {
  const chosen = resolveGenotypeSetting(settings.genotype);
  const images = await trainTestImages(env, settings);
  const shape = dataShapeOf(images);
  const config = validateRetrainConfig(retrainConfigOf(settings, shape.height));
  const state = build(config, shape);
  let train: DeviceSplit | null = null;
  try {
    train = toDevice(images.train);
    const test = toDevice(images.test);
    // The un-augmented training images: recalibration draws nothing from the augmentation.
    const recalibration: RecalibrationPlan = {
      batches: settings.bnRecalibration,
      images: train,
      batchSize: config.batchSize,
      seed: config.seed,
    };
    const prepared: Prepared = { images, train, test, state, recalibration };
    const options: AugmentOptions = { ...images.augment, cutout: state.config.cutout };
    const live = { current: settings };
    const loop = runRetrain(
      state,
      { train: augmentedSource(train, augment, options), test },
      {
        lr: () => live.current.lr,
        ...(resumed ? { resume: resumed.position } : {}),
        bnRecalibration: recalibration,
      },
    );
    const parameters = countParameters(state.net, { includeAuxiliary: false });
    const data = {
      dataset: settings.dataset,
      trainImages: train.count,
      testImages: test.count,
      size: [shape.height, shape.width, shape.channels],
      numClasses: shape.numClasses,
    };
    const note: RunReport = {
      type: 'note',
      text:
        `${resumingText(resumed?.position.step)}retraining ` +
        `${chosen.label} on ${settings.dataset}: ${data.trainImages} training and ` +
        `${data.testImages} test images of ${data.size.join('x')}, augmentation ` +
        `${augmentationText(options)}, ${parameters.toLocaleString('en-US')} parameters ` +
        `(C ${config.channels}, ${config.layers} cells)`,
      detail: {
        data,
        augment: options,
        parameters,
        genotype: genotypeToJson(state.genotype),
        genotypeName: chosen.label,
        resumedFrom: resumed ? resumed.position.step : null,
      },
    };
    return new RetrainRunOfKind(live, prepared, augment, loop, note);
  } catch (e) {
    train?.dispose();
    disposeRetrainState(state);
    throw e;
  }
}

/** The genotype as compact JSON text: a genotype setting a checkpoint's own genotype gives. */
function genotypeText(genotype: Genotype): string {
  return JSON.stringify(genotypeToJson(genotype));
}

/**
 * The settings of a checkpoint: those it stores (a genotype text too long to store is the
 * checkpoint's genotype as JSON), or, in a file the lab wrote before the run kinds, its
 * configuration and data settings (`{ dataset, images, imageSize, testImages }`).
 */
function checkpointSettings(checkpoint: RetrainCheckpoint): RetrainSettings {
  const genotype = genotypeText(checkpoint.genotype);
  const stored = settingsFromHost(RETRAIN_INFO, checkpoint.host, {
    genotype,
    ...CHECKPOINT_CELLS_FILL,
    ...BN_RECALIBRATION_FILL,
  });
  if (stored) return stored as RetrainSettings;
  const c = checkpoint.config;
  const { trainCount, testCount } = checkpoint.position;
  const testImages = checkpoint.host ? checkpoint.host.testImages : testCount;
  if (typeof testImages !== 'number') {
    throw new Error("the checkpoint's test image count is missing");
  }
  return validateSettings(
    RETRAIN_SCHEMA,
    {
      genotype,
      epochs: c.epochs,
      batchSize: c.batchSize,
      channels: c.channels,
      layers: c.layers,
      lr: c.lr,
      lrMin: c.lrMin,
      auxiliary: c.auxiliary,
      auxWeight: c.auxWeight,
      cutout: c.cutout,
      scaleCutout: false,
      dropPathProb: c.dropPathProb,
      seed: c.seed,
      ...CHECKPOINT_CELLS_FILL,
      ...BN_RECALIBRATION_FILL,
      ...legacyImageData(checkpoint.host, { ...checkpoint.data, count: trainCount }),
      testImages,
    },
    "checkpoint's settings",
  ) as RetrainSettings;
}

/** The checkpoint's state, once its genotype and configuration match what the settings make. */
function restoredState(
  checkpoint: RetrainCheckpoint,
  settings: RetrainSettings,
  config: RetrainConfig,
  shape: DataShape,
): RetrainState {
  if (!genotypesEqual(resolveGenotypeSetting(settings.genotype).genotype, checkpoint.genotype)) {
    throw new Error("the checkpoint's genotype differs from the one its settings name");
  }
  checkSettingsMake(RETRAIN_INFO, settings, checkpoint.config, (s) =>
    retrainConfigOf(s as RetrainSettings, shape.height),
  );
  // The configuration a checkpoint stores lacks the memory setting: its settings give it.
  return restoreRetrainState(withCheckpointCells(checkpoint, settings), shape);
}

export const RETRAIN_RUN_KIND: RunKind = {
  info: RETRAIN_INFO,

  async create(raw: Settings, env: RunEnv): Promise<Run> {
    const settings = validateSettings(RETRAIN_SCHEMA, raw) as RetrainSettings;
    const genotype = resolveGenotypeSetting(settings.genotype).genotype;
    return startRun(
      settings,
      env,
      newAugmentRng(settings.seed),
      (config, shape) => createRetrainState(config, genotype, shape),
      null,
    );
  },

  async resume(bytes: Uint8Array, env: RunEnv): Promise<Run> {
    const checkpoint = decodeRetrainCheckpoint(bytes);
    const settings = checkpointSettings(checkpoint);
    return startRun(
      settings,
      env,
      savedAugmentRng(checkpoint.rngs, checkpoint.config.seed),
      (config, shape) => restoredState(checkpoint, settings, config, shape),
      checkpoint,
    );
  },
};
