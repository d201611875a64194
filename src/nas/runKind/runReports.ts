/**
 * Pieces every run kind's engine builds its reports and live changes from: the alphas as named
 * groups, the genotype file, live settings checked against the schema, and a run that turns its
 * core loop's events into reports one `next()` at a time. No tfjs here.
 */
import type { Genotype } from '../genotype/genotype';
import { formatGenePairsJson, genotypeToJson } from '../genotype/genotype';
import type { GenotypeCostJson } from '../genotype/genotypeCostText';
import { genotypeCostJson } from '../genotype/genotypeCostText';
import type { AlphaGroup, NoteReport, RunFile, RunKindInfo, RunReport } from './runKind';
import type { Settings } from './settingsSchema';
import { fieldProblem, findField } from './settingsSchema';

/** The softmax of both cell types as the reports' groups `normal` and `reduce`. */
export function cellAlphaGroups(
  softmax: {
    readonly normal: readonly (readonly number[])[];
    readonly reduce: readonly (readonly number[])[];
  },
  ops: readonly string[],
): AlphaGroup[] {
  const rows = (t: readonly (readonly number[])[]) => t.map((r) => [...r]);
  return [
    { name: 'normal', ops: [...ops], softmax: rows(softmax.normal) },
    { name: 'reduce', ops: [...ops], softmax: rows(softmax.reduce) },
  ];
}

/**
 * `genotype.json`: the genotype in this project's JSON form, with `cost`: the parameters and
 * multiply-adds of its evaluation network at DARTS's CIFAR-10 retrain sizes, which it names
 * (genotype/genotypeCost.ts; readers ignore it, and files without it read as before). A genotype
 * that network cannot be built from (a reduction cell concatenating its inputs) has no cost.
 */
export function genotypeFile(genotype: Genotype): RunFile {
  let cost: { cost?: GenotypeCostJson } = {};
  try {
    cost = { cost: genotypeCostJson(genotype) };
  } catch {
    // Written without it: the genotype is still the run's result.
  }
  const json = { ...genotypeToJson(genotype), ...cost };
  return { path: 'genotype.json', data: formatGenePairsJson(json) };
}

/**
 * `current` with the `live` settings in `values` changed; throws naming a key that is not a live
 * setting of the kind or a value out of its range.
 */
export function withLiveSettings(
  info: RunKindInfo,
  current: Settings,
  values: Readonly<Record<string, number>>,
): Settings {
  for (const [key, value] of Object.entries(values)) {
    const field = findField(info.schema, key);
    if (!field) throw new Error(`${key} is not a setting of a ${info.title}`);
    if (!field.live) throw new Error(`${key} cannot change while a ${info.title} runs`);
    const problem = fieldProblem(field, value);
    if (problem) throw new Error(`${key} ${problem}`);
  }
  return { ...current, ...values };
}

/** A run's settings as they are now: its live ones may have changed since it began. */
export interface LiveSettings<S extends Settings> {
  current: S;
}

/**
 * A run over a core loop's events: each event becomes reports (`reports`), handed out one per
 * `next()`, after the reports the run opens with; its settings are `live.current`, which the
 * loop reads its rates from. Subclasses say what an event reports and what to free.
 */
export abstract class EventRun<E, S extends Settings> {
  abstract readonly info: RunKindInfo;
  private readonly pending: RunReport[];
  private finished = false;
  private disposed = false;

  protected constructor(
    private readonly events: AsyncGenerator<E, void, undefined>,
    opening: readonly RunReport[],
    protected readonly live: LiveSettings<S>,
  ) {
    this.pending = [...opening];
  }

  get settings(): Settings {
    return this.live.current;
  }

  setLive(values: Readonly<Record<string, number>>): void {
    this.live.current = withLiveSettings(this.info, this.live.current, values) as S;
  }

  /** What an event reports (in order); may keep track of what later reports need. */
  protected abstract reports(event: E): RunReport[] | Promise<RunReport[]>;

  /** Frees the run's tensors (once, after its loop has stopped). */
  protected abstract release(): void;

  takeOpening(): readonly NoteReport[] {
    const notes: NoteReport[] = [];
    while (this.pending[0]?.type === 'note') notes.push(this.pending.shift() as NoteReport);
    return notes;
  }

  async next(): Promise<RunReport | null> {
    for (;;) {
      const queued = this.pending.shift();
      if (queued) return queued;
      if (this.finished || this.disposed) return null;
      const r = await this.events.next();
      if (r.done) {
        this.finished = true;
        return null;
      }
      this.pending.push(...(await this.reports(r.value)));
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.events.return(undefined);
    this.release();
  }
}
