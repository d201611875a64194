/**
 * The walk both recurrent loops take over their train text, written once (`rnn/train_search.py`
 * and `rnn/train.py`, `train()`): per epoch from row 0 (or, in the epoch a resume begins in, from
 * the position's row) while row < rows − 2, one step a segment of the drawn length, the hidden
 * state carried between segments (truncated BPTT); after the epoch's steps its evaluation. The
 * walk keeps the position between events (rnnTextPosition.ts), so that a host may checkpoint
 * there and a resumed walk takes the steps and emits the events an uninterrupted one would.
 * What a step, an evaluation and the end report is each loop's (`TextWalk`).
 */
import type { RnnTextPosition } from './rnnTextPosition';

/** What a step took and gives. */
export interface TextStep<H, E> {
  /** The carried hidden state after the step (the walk disposes it). */
  readonly hidden: H;
  /** Rows the train row advances by: the drawn length (the segment may be shorter). */
  readonly advance: number;
  /** Train tokens the step took. */
  readonly tokens: number;
  /** Where a loss is not finite, what the error says (unless the host watches), else null. */
  readonly divergence: string | null;
  /** The step's event, with the run's time so far and its train tokens per second. */
  event(elapsedMs: number, tokensPerSecond: number): E;
}

/** One loop's part of the walk. */
export interface TextWalk<P extends RnnTextPosition, H, E> {
  readonly epochs: number;
  /** Rows of the batchified train text. */
  readonly trainRows: number;
  /** Checks the position the walk begins at (and the resume's state); throws to refuse it. */
  begin(from: P): void;
  /** The hidden state an epoch starts from: the resume's in the epoch it begins in (`resumed`), else zero. */
  startHidden(resumed: boolean): H;
  /** A step of the epoch at train row `row` from `hidden` (which it may dispose). */
  step(epoch: number, step: number, row: number, hidden: H): Promise<TextStep<H, E>>;
  disposeHidden(hidden: H): void;
  /** The epoch's evaluation: its event and what it changes in the position beyond the walk's part. */
  evaluate(epoch: number, position: P): Promise<{ readonly event: E; readonly position: P }>;
  /** The event the walk ends with after `steps` steps. */
  done(steps: number, position: P): Promise<E>;
}

/** What every step event of a walk tells; each loop's step event adds its own figures. */
export interface TextStepEvent {
  readonly type: 'step';
  /** 0-based. */
  readonly epoch: number;
  /** 0-based over the run. */
  readonly step: number;
  /** Rows the segment held (shorter than the drawn length at the end of the text). */
  readonly segmentLength: number;
  /** NLL per token of the train segment. */
  readonly trainLoss: number;
  readonly trainPerplexity: number;
  /** Train tokens per second over the run so far. */
  readonly tokensPerSecond: number;
  readonly elapsedMs: number;
}

/** A loop's options: `R` is what its resume holds beside the position (the hidden states). */
export interface TextWalkOptions<R extends { readonly position: RnnTextPosition }> {
  readonly signal?: AbortSignal;
  /** Stop after this many steps (a budgeted run); the epoch in progress is not evaluated. */
  readonly maxSteps?: number;
  /** Clock in ms; injectable for tests. */
  readonly now?: () => number;
  /** Continue from a checkpoint's position (and hidden states) instead of beginning. */
  readonly resume?: R;
  /**
   * A non-finite loss: 'throw' (the default) stops the run with an error; 'report' yields the
   * step as it is, for a host that watches the losses and rolls back (a run kind's session).
   */
  readonly onNonFinite?: 'throw' | 'report';
}

/**
 * A walk under way. Between an event's delivery and the next call its loop's state is consistent
 * with `position()` and `hidden()`, when a host may checkpoint it.
 */
export interface TextRun<P, H, E, S = never> extends AsyncGenerator<E, void, undefined> {
  position(): P;
  /**
   * The carried hidden state: the walk's own tensors once it has stepped; before a resumed run's
   * first step, the host copy `S` it resumes from (so that it can be checkpointed at once); null
   * at row 0.
   */
  hidden(): H | S | null;
}

/** What a loop resumes from: the position, and host copies `S` of its hidden states. */
export interface TextResume<P, S> {
  readonly position: P;
  readonly hidden?: S | null;
}

/** The run of a loop that resumes from `R`, carries `H` and emits `E`. */
export type TextRunOf<R extends TextResume<RnnTextPosition, unknown>, H, E> = TextRun<
  R['position'],
  H,
  E,
  NonNullable<R['hidden']>
>;

/**
 * A loop's entry point `(state, data, options?)`: the walk `walk(state, data, options)` from
 * `options.resume`'s position, else from `start(data)`; the run may be checkpointed between two
 * events and resumed.
 */
export function textLoop<St, D, P extends RnnTextPosition, H, E, R extends TextResume<P, unknown>>(
  start: (data: D) => P,
  walk: (state: St, data: D, options: TextWalkOptions<R>) => TextWalk<P, H, E>,
): (state: St, data: D, options?: TextWalkOptions<R>) => TextRunOf<R, H, E> {
  return (state, data, options = {}) =>
    walkText(walk(state, data, options), start(data), options) as TextRunOf<R, H, E>;
}

interface Cursor<P, H, S> {
  position: P;
  hidden: H | S | null;
}

/** Walks from `options.resume`'s position, or from `start`. */
function walkText<P extends RnnTextPosition, H, E, S = never>(
  walk: TextWalk<P, H, E>,
  start: P,
  options: TextWalkOptions<{ readonly position: P; readonly hidden?: S | null }>,
): TextRun<P, H, E, S> {
  const resume = options.resume;
  const cursor: Cursor<P, H, S> = {
    position: resume?.position ?? start,
    hidden: resume && resume.position.row > 0 ? (resume.hidden ?? null) : null,
  };
  return Object.assign(walkEvents(walk, options, cursor), {
    position: (): P => ({ ...cursor.position }),
    hidden: (): H | S | null => cursor.hidden,
  });
}

async function* walkEvents<P extends RnnTextPosition, H, E, S>(
  walk: TextWalk<P, H, E>,
  options: TextWalkOptions<{ readonly position: P }>,
  cursor: Cursor<P, H, S>,
): AsyncGenerator<E, void, undefined> {
  const from = cursor.position;
  walk.begin(from);
  const now = options.now ?? (() => performance.now());
  const started = now() - from.elapsedMs;
  let step = from.step;
  let tokens = from.tokens;
  for (let epoch = from.epoch; epoch < walk.epochs; epoch++) {
    const resumed = epoch === from.epoch && options.resume !== undefined;
    let hidden = walk.startHidden(resumed);
    try {
      for (let i = resumed ? from.row : 0; i < walk.trainRows - 2;) {
        if (options.signal?.aborted) return;
        if (options.maxSteps !== undefined && step >= options.maxSteps) {
          yield await walk.done(step, cursor.position);
          return;
        }
        const taken = await walk.step(epoch, step, i, hidden);
        hidden = taken.hidden;
        if (taken.divergence !== null && options.onNonFinite !== 'report') {
          throw new Error(taken.divergence);
        }
        tokens += taken.tokens;
        const elapsedMs = now() - started;
        cursor.position = {
          ...cursor.position,
          epoch,
          row: i + taken.advance,
          step: step + 1,
          tokens,
          elapsedMs,
        };
        cursor.hidden = hidden;
        yield taken.event(elapsedMs, elapsedMs > 0 ? (tokens * 1000) / elapsedMs : 0);
        step++;
        i += taken.advance;
      }
    } finally {
      cursor.hidden = null;
      walk.disposeHidden(hidden);
    }
    const evaluated = await walk.evaluate(epoch, cursor.position);
    cursor.position = {
      ...evaluated.position,
      epoch: epoch + 1,
      row: 0,
      elapsedMs: now() - started,
    };
    yield evaluated.event;
  }
  yield await walk.done(step, cursor.position);
}
