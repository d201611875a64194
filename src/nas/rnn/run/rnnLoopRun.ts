/**
 * What the recurrent run kinds' runs share: a core loop (an async generator of events) stepped
 * one report at a time after the note the run opens with, live learning rates kept beside the
 * settings, the checks a resume makes of its corpus, and freeing everything once. Each kind
 * turns its loop's events into reports and writes its checkpoints.
 */
import type { HostSettings } from '../../darts/searchCheckpointManifest';
import type { NoteReport, Run, RunKindInfo, RunReport, StepReport } from '../../runKind/runKind';
import type { Settings, SettingsSchema } from '../../runKind/settingsSchema';
import { defaultSettings, findField } from '../../runKind/settingsSchema';

/** What a core loop's step event tells every step report. */
interface LoopStep {
  readonly step: number;
  readonly epoch: number;
  readonly elapsedMs: number;
  readonly tokensPerSecond: number;
}

export abstract class RnnLoopRun<E> implements Run {
  abstract readonly info: RunKindInfo;
  step: number;
  protected abstract readonly loop: AsyncGenerator<E, void, undefined>;
  private readonly pending: RunReport[];
  private readonly totalSteps: number;
  private finished = false;
  private disposed = false;

  /**
   * `rates`: the live settings (learning rates) as the loop reads them; `what` names the run in
   * errors; `step`: steps done before (a resume); `expectedSteps`: the run's steps under the
   * settings' step budget (`maxSteps`; undefined: none).
   */
  constructor(
    private readonly base: Settings,
    protected readonly rates: Record<string, number>,
    private readonly what: string,
    note: RunReport,
    step: number,
    expectedSteps: (maxSteps: number | undefined) => number,
  ) {
    this.pending = [note];
    this.step = step;
    this.totalSteps = expectedSteps(maxStepsOf(base));
  }

  /** The core loop's options: a divergence reported, the step budget, the resume. */
  protected loopOptions<R>(resume: R | undefined) {
    const maxSteps = maxStepsOf(this.base);
    return {
      onNonFinite: 'report' as const,
      ...(maxSteps === undefined ? {} : { maxSteps }),
      ...(resume === undefined ? {} : { resume }),
    };
  }

  get settings(): Settings {
    return { ...this.base, ...this.rates };
  }

  takeOpening(): readonly NoteReport[] {
    const notes: NoteReport[] = [];
    while (this.pending[0]?.type === 'note') notes.push(this.pending.shift() as NoteReport);
    return notes;
  }

  async next(): Promise<RunReport | null> {
    const note = this.pending.shift();
    if (note) return note;
    if (this.finished) return null;
    const r = await this.loop.next();
    if (r.done) {
      this.finished = true;
      return null;
    }
    const report = await this.report(r.value);
    if (report.type === 'done') this.finished = true;
    return report;
  }

  /** The report of one of the loop's events. */
  protected abstract report(event: E): RunReport | Promise<RunReport>;

  /** What every step report says of the loop's step event; `step` counts it done. */
  protected stepFields(e: LoopStep): Omit<StepReport, 'metrics'> {
    this.step = e.step + 1;
    return {
      type: 'step',
      step: this.step,
      epoch: e.epoch,
      totalSteps: Math.max(this.totalSteps, this.step),
      elapsedMs: e.elapsedMs,
      throughput: e.tokensPerSecond,
    };
  }

  abstract checkpoint(): Promise<Uint8Array>;

  /** The settings as host settings of a checkpoint (every value of these kinds is a scalar). */
  protected hostSettings(): HostSettings {
    return this.settings as HostSettings;
  }

  setLive(values: Readonly<Record<string, number>>): void {
    const live = Object.keys(this.rates);
    for (const [key, value] of Object.entries(values)) {
      if (!live.includes(key)) {
        throw new Error(
          `${key} cannot change while the ${this.what} runs (${live.join(', ')} can)`,
        );
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
    await this.loop.return(undefined);
    this.free();
  }

  /** Frees the state and data (the loop has returned). */
  protected abstract free(): void;
}

/** The step budget of settings (`maxSteps`; 0: none). */
function maxStepsOf(settings: Settings): number | undefined {
  const max = settings.maxSteps as number;
  return max > 0 ? max : undefined;
}

/** `make()`, or `free()` and the error when it throws (data that does not fit the state). */
export function orFree<T>(make: () => T, free: () => void): T {
  try {
    return make();
  } catch (e) {
    free();
    throw e;
  }
}

/** A resume's corpus must have the vocabulary the checkpoint's model was built for. */
export function checkResumedVocabulary(vocabulary: number, ntoken: number): void {
  if (vocabulary !== ntoken) {
    throw new Error(
      `cannot resume: the corpus has a vocabulary of ${vocabulary}, the checkpoint's model ${ntoken} (another corpus, level or vocabulary cap)`,
    );
  }
}

/**
 * The settings a checkpoint's host settings give, over the schema's defaults: those of its keys
 * (older hosts' settings with the same names are read the same way; others are ignored).
 */
export function settingsFromHost(
  schema: SettingsSchema,
  host: HostSettings | undefined,
): Record<string, unknown> {
  const known = Object.entries(host ?? {}).filter(([key]) => findField(schema, key));
  return { ...defaultSettings(schema), ...Object.fromEntries(known) };
}
