/**
 * Checkpointed cells (gradient checkpointing): a training step's forward pass keeps only each
 * cell's inputs, and its backward pass recomputes one cell at a time under the gradient tape and
 * differentiates it with the gradient of its output, so that a step holds one cell's
 * intermediates instead of every cell's. tfjs keeps every tensor a gradient computation makes
 * (the forward's saved tensors and every intermediate gradient) until that computation ends, so
 * a plain step's peak is the whole network's; here it is about the largest cell's, for one more
 * forward pass of the cells.
 *
 * tfjs cannot nest gradient computations (a custom gradient whose gradient calls `tf.grads`
 * clears the active tape), so the backward is driven here, stage by stage, each stage one
 * gradient computation whose tensors are freed before the next: the objective (head and loss) on
 * the saved states; each cell, last first; then each stack's start (its stem and the tensors every
 * cell shares, e.g. the softmax of the alphas). Each stage runs `tapeBackward.ts`, tfjs's backward
 * pass freeing every gradient and saved tensor once it is done with, so that a stage's peak is
 * about its forward's saved tensors, not twice that. A state's gradient is the sum of what its readers
 * give it (state k feeds cell k − 1 as s1 and cell k − 2 as s0); the parameters' gradients are
 * summed over the stages.
 *
 * A stack's functions run twice for one step: the `forward` pass (no tape) updates BatchNorm
 * running statistics and draws drop-path masks; the `recompute` pass must compute the same
 * values without touching either (see `passContext` and `maskReplay.ts`). The objective runs
 * once, under the tape, as in a plain step.
 */
import * as tf from '../tensor/tf';
import type { ForwardContext } from '../tensor/layer';
import { freeingGradients } from './tapeBackward';

/** Which run of a cell this is: the step's own forward, or its replay in the backward. */
export type Pass = 'forward' | 'recompute';

/** What a stack's start hands its cells. */
export interface StackStart {
  /** The two states the first cell reads (s0, s1; the same tensor twice after a plain stem). */
  readonly states: readonly [tf.Tensor4D, tf.Tensor4D];
  /** Tensors every cell may read beside its states (the mixing weights of a search cell). */
  readonly shared: readonly tf.Tensor[];
}

/** A network's stack of cells as the checkpointed backward runs it. */
export interface RecomputableStack {
  readonly cellCount: number;
  /** The stem and the shared tensors, from the network's inputs and parameters. */
  start(pass: Pass): StackStart;
  /** Cell `index` on the two states before it; the same value on both passes. */
  cell(
    index: number,
    s0: tf.Tensor4D,
    s1: tf.Tensor4D,
    shared: readonly tf.Tensor[],
    pass: Pass,
  ): tf.Tensor4D;
}

/** One or more stacks and the scalar objective computed from their states. */
export interface StackedObjective {
  readonly stacks: readonly RecomputableStack[];
  /**
   * The objective from every stack's states: `states[k]` holds stack k's two start states, then
   * each cell's output in order. It may `tf.keep` what else it wants to return (an accuracy).
   */
  objective(states: readonly (readonly tf.Tensor4D[])[]): tf.Scalar;
}

/** The objective's value and its gradient w.r.t. each requested tensor (null: not reached). */
export interface ValueAndGrads {
  readonly value: tf.Scalar;
  readonly grads: (tf.Tensor | null)[];
}

/**
 * The context of a pass: the forward one as given; the recompute one without the running
 * statistics' updates (a training-mode BatchNorm normalises with the batch's own statistics, so
 * both passes compute the same values, and the statistics are updated exactly once).
 */
export function passContext(ctx: ForwardContext, pass: Pass): ForwardContext {
  return pass === 'forward' ? ctx : { training: ctx.training, buffers: ctx.buffers };
}

/** Runs a stack: its start states, then every cell's output, each cell in its own scope. */
export function runStack(stack: RecomputableStack, pass: Pass): tf.Tensor4D[] {
  const start = stack.start(pass);
  const states: tf.Tensor4D[] = [...start.states];
  for (let i = 0; i < stack.cellCount; i++) {
    const s0 = states[i] as tf.Tensor4D;
    const s1 = states[i + 1] as tf.Tensor4D;
    // A cell's intermediates that its gradient does not need are freed as soon as it is done.
    states.push(tf.tidy(() => stack.cell(i, s0, s1, start.shared, pass)));
  }
  return states;
}

/** The last state of a stack's states: the last cell's output. */
export function lastState(states: readonly tf.Tensor4D[]): tf.Tensor4D {
  const last = states.at(-1);
  if (!last) throw new Error('a stack has no states');
  return last;
}

/** tfjs's own gradient computation; unreached tensors get null instead of an error. */
function gradientsOf(
  f: () => tf.Tensor,
  xs: readonly tf.Tensor[],
  dy?: tf.Tensor,
): { value: tf.Tensor; grads: (tf.Tensor | null)[] } {
  const { value, grads } = tf.engine().gradients(f, [...xs], dy, true);
  return { value, grads: xs.map((_, i) => grads[i] ?? null) };
}

/** Value and gradients of a scalar function under one tape (tfjs's plain backward). */
export function lossValueAndGrads(f: () => tf.Scalar, wrt: readonly tf.Tensor[]): ValueAndGrads {
  const { value, grads } = gradientsOf(f, wrt);
  return { value: value as tf.Scalar, grads };
}

/** Value and gradients of the objective with every stack run plainly under one tape. */
export function plainValueAndGrads(o: StackedObjective, wrt: readonly tf.Tensor[]): ValueAndGrads {
  return lossValueAndGrads(
    () => o.objective(o.stacks.map((stack) => runStack(stack, 'forward'))),
    wrt,
  );
}

/** The tensors of a list, each once (by identity), in first-seen order. */
function distinct<T extends tf.Tensor>(tensors: readonly T[]): T[] {
  return [...new Set(tensors)];
}

/** Gradients summed by tensor: the states' as their readers give them, and the parameters'. */
class GradientSums {
  private readonly sums = new Map<tf.Tensor, tf.Tensor>();

  add(t: tf.Tensor, g: tf.Tensor | null): void {
    if (g === null) return;
    const before = this.sums.get(t);
    if (!before) {
      this.sums.set(t, g);
      return;
    }
    this.sums.set(t, tf.add(before, g));
    before.dispose();
    g.dispose();
  }

  addAll(ts: readonly tf.Tensor[], gs: readonly (tf.Tensor | null)[]): void {
    ts.forEach((t, i) => this.add(t, gs[i] ?? null));
  }

  /** The sum for `t`, which the caller now owns (or undefined: none). */
  take(t: tf.Tensor): tf.Tensor | undefined {
    const g = this.sums.get(t);
    this.sums.delete(t);
    return g;
  }
}

/** One stack's forward pass (no tape): its start and every state. */
interface SavedStack {
  readonly start: StackStart;
  readonly states: tf.Tensor4D[];
}

function forwardKeepingStates(stack: RecomputableStack): SavedStack {
  const flat = tf.tidy(() => {
    const s = stack.start('forward');
    return [...s.states, ...s.shared];
  });
  const start: StackStart = {
    states: [flat[0] as tf.Tensor4D, flat[1] as tf.Tensor4D],
    shared: flat.slice(2),
  };
  const states: tf.Tensor4D[] = [...start.states];
  for (let i = 0; i < stack.cellCount; i++) {
    const s0 = states[i] as tf.Tensor4D;
    const s1 = states[i + 1] as tf.Tensor4D;
    states.push(tf.tidy(() => stack.cell(i, s0, s1, start.shared, 'forward')));
  }
  return { start, states };
}

/** Cells last first: each recomputed and differentiated with its output's summed gradient. */
function backwardCells(
  stack: RecomputableStack,
  saved: SavedStack,
  sums: GradientSums,
  wrt: readonly tf.Tensor[],
): void {
  const { start, states } = saved;
  for (let i = stack.cellCount - 1; i >= 0; i--) {
    const out = states[i + 2] as tf.Tensor4D;
    const dy = sums.take(out);
    if (dy) {
      const s0 = states[i] as tf.Tensor4D;
      const s1 = states[i + 1] as tf.Tensor4D;
      const inputs = distinct([s0, s1, ...start.shared]);
      const r = freeingGradients(
        () => stack.cell(i, s0, s1, start.shared, 'recompute'),
        [...inputs, ...wrt],
        dy,
      );
      r.value.dispose();
      dy.dispose();
      sums.addAll([...inputs, ...wrt], r.grads);
    }
    // Its readers (cells i + 1, i + 2 and the objective) are done with it.
    out.dispose();
  }
}

/**
 * The start last: the stem and shared tensors recomputed under the tape, differentiated with
 * their summed gradients through Σ⟨output, gradient⟩, whose gradient is exactly those.
 */
function backwardStart(
  stack: RecomputableStack,
  start: StackStart,
  sums: GradientSums,
  wrt: readonly tf.Tensor[],
): void {
  const outputs = [...start.states, ...start.shared];
  const pairs: { position: number; dy: tf.Tensor }[] = [];
  distinct(outputs).forEach((t) => {
    const dy = sums.take(t);
    if (dy) pairs.push({ position: outputs.indexOf(t), dy });
  });
  if (pairs.length > 0) {
    const r = freeingGradients(() => {
      const again = stack.start('recompute');
      const flat = [...again.states, ...again.shared];
      const terms = pairs.map(({ position, dy }) =>
        tf.sum(tf.mul(flat[position] as tf.Tensor, dy)),
      );
      return terms.length === 1 ? (terms[0] as tf.Tensor) : tf.addN(terms);
    }, wrt);
    r.value.dispose();
    sums.addAll(wrt, r.grads);
  }
  for (const { dy } of pairs) dy.dispose();
  for (const t of distinct(outputs)) t.dispose();
}

/**
 * Value and gradients of the objective w.r.t. `wrt`, the cells checkpointed: the same numbers as
 * `plainValueAndGrads` (up to the order of floating-point sums), one cell's intermediates alive at
 * a time. Must not run inside another gradient computation.
 */
export function checkpointedValueAndGrads(
  o: StackedObjective,
  wrt: readonly tf.Tensor[],
): ValueAndGrads {
  if (distinct(wrt).length !== wrt.length) {
    throw new Error('checkpointed gradients: a tensor is requested twice');
  }
  const saved = o.stacks.map(forwardKeepingStates);
  const sums = new GradientSums();
  const allStates = distinct(saved.flatMap((s) => s.states));
  const requested = new Set(wrt);
  if (saved.some((s) => [...s.states, ...s.start.shared].some((t) => requested.has(t)))) {
    throw new Error('checkpointed gradients: a state or shared tensor is also requested');
  }
  const head = freeingGradients(
    () => o.objective(saved.map((s) => s.states)),
    [...allStates, ...wrt],
  );
  sums.addAll([...allStates, ...wrt], head.grads);
  o.stacks.forEach((stack, k) => {
    const s = saved[k] as SavedStack;
    backwardCells(stack, s, sums, wrt);
    backwardStart(stack, s.start, sums, wrt);
  });
  return { value: head.value as tf.Scalar, grads: wrt.map((t) => sums.take(t) ?? null) };
}

/** The objective's value and gradients, checkpointed or plain. */
export function valueAndGradsOf(
  o: StackedObjective,
  wrt: readonly tf.Tensor[],
  checkpointed: boolean,
): ValueAndGrads {
  return checkpointed ? checkpointedValueAndGrads(o, wrt) : plainValueAndGrads(o, wrt);
}

/** The gradients, throwing where one is missing (every requested tensor must be reached). */
export function requireGrads(
  grads: readonly (tf.Tensor | null)[],
  names: readonly string[],
): tf.Tensor[] {
  return grads.map((g, i) => {
    if (g === null) throw new Error(`the objective does not reach "${names[i] ?? i}"`);
    return g;
  });
}
