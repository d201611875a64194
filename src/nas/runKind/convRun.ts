/**
 * What the convolutional kinds' engines (DARTS, CDARTS, the retrain) do alike around their loops,
 * written once: the augmentation's random state a new run starts with or a checkpoint restores,
 * the faults a test injects (NaN weights, exploded alphas), the genotype's done report and the
 * opening note's words for a resume, the step report, and a search kind's create, resume and
 * run.
 * The engines use tfjs; the descriptors never import this.
 */
import type { Genotype } from '../genotype/genotype';
import { genotypeToJson } from '../genotype/genotype';
import { rngFromSnapshots } from '../io/manifestFields';
import type { RngSnapshot } from '../tensor/random';
import { Rng } from '../tensor/random';
import * as tf from '../tensor/tf';
import type { DataShape } from '../darts/searchState';
import type { ImageDataSettings, SearchSplits } from './imageData';
import { AUGMENT_RNG, onSearchData } from './imageData';
import type { Run, RunEnv, RunKind, RunKindInfo, RunReport, StepReport } from './runKind';
import { CHECKPOINT_CELLS_FILL, withCheckpointCells } from '../recompute/checkpointCellsSetting';
import { BN_RECALIBRATION_FILL } from '../ops/bnRecalibrationSetting';
import { checkSettingsMake } from './configProblems';
import type { HostSettings } from '../io/manifestFields';
import { settingsFromHost } from './hostSettings';
import type { SettingValue, Settings } from './settingsSchema';
import { validateSettings } from './settingsSchema';
import type { LiveSettings } from './runReports';
import { EventRun, genotypeFile } from './runReports';

/** The augmentation's random state of a new run of seed `seed`. */
export function newAugmentRng(seed: number): Rng {
  return Rng.fromSeed(seed + 1);
}

/**
 * The augmentation's random state a checkpoint's host states hold; a file of the lab before the
 * run kinds holds none: it never augmented, so never drew, and its run's state is a new one.
 */
export function savedAugmentRng(
  rngs: Readonly<Record<string, RngSnapshot>> | undefined,
  seed: number,
): Rng {
  return rngs && Object.hasOwn(rngs, AUGMENT_RNG)
    ? rngFromSnapshots(rngs, AUGMENT_RNG)
    : newAugmentRng(seed);
}

/** Fills the variables with NaN (a test's fault: the next step's loss is NaN). */
export function fillNaN(variables: Iterable<tf.Variable>): void {
  for (const v of variables) tf.tidy(() => v.assign(tf.fill(v.shape, Number.NaN)));
}

/** Both cell types' alphas made finite but far beyond any search: only max |α| shows it. */
export function explodeCellAlphas(alphas: {
  readonly normal: tf.Variable;
  readonly reduce: tf.Variable;
}): void {
  for (const a of [alphas.normal, alphas.reduce]) {
    tf.tidy(() => a.assign(tf.mul(tf.sign(a), 1e6)));
  }
}

/** A search's done report: the last epoch's figures and the genotype found, with its file. */
export function genotypeDoneReport(
  steps: number,
  metrics: Readonly<Record<string, number>>,
  genotype: Genotype,
): RunReport {
  return {
    type: 'done',
    step: steps,
    metrics,
    detail: { genotype: genotypeToJson(genotype) },
    files: [genotypeFile(genotype)],
  };
}

/** How an opening note begins: where a resumed run resumes, nothing for a new one. */
export function resumingText(resumedAt: number | undefined): string {
  return resumedAt === undefined ? '' : `resuming at step ${resumedAt}: `;
}

/** What an image loop's step event tells of where it is and how fast it goes. */
export interface ImageStepEvent {
  readonly step: number;
  readonly epoch: number;
  readonly totalSteps: number;
  readonly elapsedMs: number;
  readonly imagesPerSecond: number;
}

/** An image loop's step as a report (throughput in images/s), with its metrics and the rest. */
export function imageStepReport(
  event: ImageStepEvent,
  metrics: Readonly<Record<string, number>>,
  rest: Omit<StepReport, keyof ImageStepEvent | 'type' | 'throughput' | 'metrics'> = {},
): StepReport {
  return {
    type: 'step',
    step: event.step,
    epoch: event.epoch,
    totalSteps: event.totalSteps,
    elapsedMs: event.elapsedMs,
    throughput: event.imagesPerSecond,
    metrics,
    ...rest,
  };
}

/** What a search run begins with, once its images are split and its state is built. */
export interface SearchStart<S extends Settings, K, T> {
  readonly settings: S;
  /** The settings as they change while it runs (its loop reads its rates from them). */
  readonly live: LiveSettings<S>;
  readonly splits: SearchSplits;
  readonly state: T;
  readonly augment: Rng;
  /** The checkpoint it resumes; null for a new run. */
  readonly resumed: K | null;
  /** Frees the split images and the state. */
  release(): void;
}

/**
 * A convolutional search's run (DARTS, CDARTS) on what `start` built: its loop's events become
 * reports; it counts the steps done and keeps the last epoch's figures (the done report's), and
 * frees the images and the state when it is disposed.
 */
export abstract class SearchKindRun<
  E,
  S extends Settings,
  K,
  T,
  L extends AsyncGenerator<E, void, undefined> & { position(): { readonly step: number } },
> extends EventRun<E, S> {
  step: number;
  /** The last epoch's figures: the done report's. */
  protected lastEpoch: Readonly<Record<string, number>> = {};
  protected readonly state: T;
  protected readonly augment: Rng;

  protected constructor(
    private readonly start: SearchStart<S, K, T>,
    protected readonly loop: L,
    opening: RunReport,
  ) {
    super(loop, [opening], start.live);
    this.state = start.state;
    this.augment = start.augment;
    this.step = loop.position().step;
  }

  protected release(): void {
    this.start.release();
  }
}

/**
 * What a convolutional search kind's engine gives `searchRunKind`: `S` its settings, `C` its
 * configuration, `K` its checkpoint (which holds its configuration), `T` its state.
 */
export interface SearchKindParts<
  S extends Settings,
  C extends SearchSeed,
  K extends SavedSearch<C>,
  T,
> {
  readonly info: RunKindInfo;
  /** The configuration the settings make (unchecked). */
  configOf(settings: S): C;
  /** Throws naming what is wrong with a configuration. */
  validate(config: C): C;
  /**
   * The settings of a checkpoint written before the run kinds, from its configuration and its
   * data (unchecked); a later checkpoint stores its settings in its host settings.
   */
  legacySettings(checkpoint: K): Readonly<Record<string, unknown>>;
  /**
   * Values of settings added after checkpoints were first written, for a checkpoint whose
   * stored settings lack them: what such a run used (beside `CHECKPOINT_CELLS_FILL`).
   */
  readonly settingsFill?: Readonly<Record<string, SettingValue>>;
  /**
   * Throws naming the sizes when a step cannot fit the memory of `host`'s backend: called once
   * the data's shape is known, before the state's first tensor (new runs and resumed ones).
   */
  checkFits?(config: C, shape: DataShape, host: RunEnv['host']): void;
  decode(bytes: Uint8Array): K;
  /** The checkpoint's host random states (the augmentation's: `savedAugmentRng`). */
  rngs(checkpoint: K): Readonly<Record<string, RngSnapshot>> | undefined;
  /** A new state for the images' shape, or the checkpoint's, and how it is freed. */
  create(config: C, shape: DataShape): T;
  restore(checkpoint: K, shape: DataShape): T;
  dispose(state: T): void;
  /** The run on the split images and the built state (its loop, its opening note). */
  begin(start: SearchStart<S, K, T>): Promise<Run>;
}

/** What a search's configuration says of its images: the seed and DARTS's split. */
interface SearchSeed {
  readonly seed: number;
  readonly trainPortion: number;
}

/** What a search checkpoint holds that resuming reads beside the kind's own. */
interface SavedSearch<C> {
  readonly config: C;
  readonly host?: HostSettings;
}

/**
 * A search kind: a new run on checked settings, or one resumed from a checkpoint's bytes, each
 * on the settings' images (`onSearchData`) over the state it builds (new, or the checkpoint's).
 */
export function searchRunKind<
  S extends Settings & ImageDataSettings & { readonly checkpointCells: boolean },
  C extends SearchSeed,
  K extends SavedSearch<C>,
  T,
>(parts: SearchKindParts<S, C, K, T>): RunKind {
  const { info } = parts;
  /** The checkpoint's settings (stored, or its legacy ones), checked to make its configuration. */
  const checkpointSettings = (checkpoint: K): S => {
    const fill = { ...CHECKPOINT_CELLS_FILL, ...BN_RECALIBRATION_FILL, ...parts.settingsFill };
    const settings = (settingsFromHost(info, checkpoint.host, fill) ??
      validateSettings(
        info.schema,
        parts.legacySettings(checkpoint),
        "checkpoint's settings",
      )) as S;
    checkSettingsMake(info, settings, checkpoint.config, (s) => parts.configOf(s as S));
    return settings;
  };
  const start = (
    env: RunEnv,
    how: { settings: S; config: C; build: (splits: SearchSplits) => T; resumed: K | null },
    augment: Rng,
  ): Promise<Run> =>
    onSearchData(
      env,
      how.settings,
      how.config,
      augment,
      how.build,
      parts.dispose,
      (splits, state) =>
        parts.begin({
          ...how,
          live: { current: how.settings },
          splits,
          state,
          augment,
          release: () => {
            splits.dispose();
            parts.dispose(state);
          },
        }),
    );
  return {
    info,
    async create(raw: Settings, env: RunEnv): Promise<Run> {
      const settings = validateSettings(info.schema, raw) as S;
      const config = parts.validate(parts.configOf(settings));
      const build = (splits: SearchSplits) => {
        parts.checkFits?.(config, splits.shape, env.host);
        return parts.create(config, splits.shape);
      };
      return start(env, { settings, config, build, resumed: null }, newAugmentRng(config.seed));
    },
    async resume(bytes: Uint8Array, env: RunEnv): Promise<Run> {
      const decoded = parts.decode(bytes);
      // The configuration a checkpoint stores lacks the memory setting: its settings give it.
      const checkpoint = withCheckpointCells(decoded, checkpointSettings(decoded));
      const settings = checkpointSettings(checkpoint);
      const { config } = checkpoint;
      const build = (splits: SearchSplits) => {
        parts.checkFits?.(config, splits.shape, env.host);
        return parts.restore(checkpoint, splits.shape);
      };
      const augment = savedAugmentRng(parts.rngs(checkpoint), config.seed);
      return start(env, { settings, config, build, resumed: checkpoint }, augment);
    },
  };
}
