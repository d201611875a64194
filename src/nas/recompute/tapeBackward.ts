/**
 * tfjs's gradient computation (`engine.gradients` in tfjs-core 4.22's `engine.ts`, with
 * `getFilteredNodesXToY` and `backpropagateGradients` of its `tape.ts`), with one change: each
 * tensor the backward pass is done with is freed at once. tfjs keeps every intermediate
 * gradient and every tensor the tape saved until the whole backward pass ends, so its peak is
 * the forward's saved tensors plus a gradient for every intermediate; here, once a tape node is
 * processed (last to first, so every reader of its outputs came before), its outputs' gradients
 * and its saved tensors are disposed, and the peak is about the saved tensors alone.
 *
 * It drives the engine's tape through members that tfjs 4.22 does not export (`startTape`,
 * `endTape`, `state.activeTape`, the tape nodes' `gradient` and `saved`): the version is pinned,
 * `requireTapeEngine` checks they exist, and the checkpointed-cells tests compare every gradient
 * with tfjs's own backward. Like `engine.gradients`, it must not run inside another gradient
 * computation.
 */
import * as tf from '../tensor/tf';

/** A node of tfjs's gradient tape (tape.ts `TapeNode`). */
interface TapeNode {
  readonly id: number;
  readonly kernelName: string;
  readonly outputs: readonly tf.Tensor[];
  readonly inputs: Readonly<Record<string, tf.Tensor>>;
  readonly gradient?: (dys: (tf.Tensor | null)[]) => Readonly<Record<string, () => tf.Tensor>>;
  readonly saved?: readonly tf.Tensor[];
}

/** The engine members the backward pass uses. */
interface TapeEngine {
  readonly state: { activeTape: TapeNode[] | null; gradientDepth: number };
  startTape(): void;
  endTape(): void;
}

function requireTapeEngine(): TapeEngine {
  const engine = tf.engine() as unknown as Partial<TapeEngine>;
  if (
    typeof engine.startTape !== 'function' ||
    typeof engine.endTape !== 'function' ||
    typeof engine.state?.gradientDepth !== 'number'
  ) {
    throw new Error('this tfjs engine has no gradient tape the checkpointed backward knows (4.22)');
  }
  return engine as TapeEngine;
}

/** The tape nodes on a path from one of `xs` to `y`, inputs pruned to those from `xs`. */
function pathNodes(tape: readonly TapeNode[], xs: readonly tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set(xs.map((x) => x.id));
  const nodesFromX = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((input) => fromX.has(input.id))) {
      for (const output of node.outputs) fromX.add(output.id);
      nodesFromX.add(node.id);
    }
  }
  const leadToY = new Set([y.id]);
  const nodesToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i] as TapeNode;
    if (node.outputs.some((output) => leadToY.has(output.id))) {
      for (const input of Object.values(node.inputs)) leadToY.add(input.id);
      nodesToY.add(node.id);
    }
  }
  return tape
    .filter((node) => nodesFromX.has(node.id) && nodesToY.has(node.id))
    .map((node) => ({
      ...node,
      inputs: Object.fromEntries(
        Object.entries(node.inputs).filter(([, input]) => fromX.has(input.id)),
      ),
    }));
}

/** The gradients of one node's inputs, its temporaries freed. */
function nodeInputGradients(node: TapeNode, dys: (tf.Tensor | null)[]): tf.Tensor[] {
  const { gradient } = node;
  if (!gradient) {
    throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
  }
  const names = Object.keys(node.inputs);
  const dxs = tf.tidy(() => {
    const thunks = gradient(dys);
    return names.map((name) => {
      const thunk = thunks[name];
      if (!thunk) throw new Error(`Cannot backprop through input ${name} of ${node.kernelName}.`);
      // A gradient that is an output's gradient itself would be freed with it: copy it.
      const dx = thunk();
      return dys.includes(dx) ? tf.clone(dx) : dx;
    });
  });
  names.forEach((name, i) => {
    const dx = dxs[i] as tf.Tensor;
    const x = node.inputs[name] as tf.Tensor;
    if (dx.dtype !== 'float32' || dx.shape.join() !== x.shape.join()) {
      throw new Error(`Error in gradient for op ${node.kernelName}, input ${name}`);
    }
  });
  return dxs;
}

/**
 * Value of `f` and its gradient w.r.t. each of `xs` (null where not reached), for the output
 * gradient `dy` (ones when absent). `dy` stays the caller's.
 */
export function freeingGradients(
  f: () => tf.Tensor,
  xs: readonly tf.Tensor[],
  dy?: tf.Tensor,
): { value: tf.Tensor; grads: (tf.Tensor | null)[] } {
  const engine = requireTapeEngine();
  if (engine.state.gradientDepth !== 0) {
    throw new Error('the checkpointed backward cannot run inside another gradient computation');
  }
  let tape: TapeNode[] = [];
  try {
    engine.startTape();
    let y: tf.Tensor;
    try {
      y = tf.tidy(f);
    } finally {
      engine.endTape();
      tape = engine.state.activeTape ?? [];
    }
    const sums = new Map<number, tf.Tensor>();
    const seed = dy ?? tf.onesLike(y);
    sums.set(y.id, seed);
    const keep = new Set(xs.map((x) => x.id));
    const nodes = pathNodes(tape, xs, y);
    for (let i = nodes.length - 1; i >= 0; i--) {
      const node = nodes[i] as TapeNode;
      const dxs = nodeInputGradients(
        node,
        node.outputs.map((o) => sums.get(o.id) ?? null),
      );
      Object.values(node.inputs).forEach((x, k) => {
        const dx = dxs[k] as tf.Tensor;
        const before = sums.get(x.id);
        if (!before) sums.set(x.id, dx);
        else {
          sums.set(x.id, tf.add(before, dx));
          before.dispose();
          dx.dispose();
        }
      });
      // Every reader of this node's outputs has been processed: their gradients are done with,
      // and so is what the node saved for its own gradient.
      for (const o of node.outputs) {
        if (keep.has(o.id)) continue;
        const g = sums.get(o.id);
        if (g && g !== dy) g.dispose();
        sums.delete(o.id);
      }
      for (const t of node.saved ?? []) t.dispose();
    }
    if (!dy) seed.dispose();
    return { value: y, grads: xs.map((x) => sums.get(x.id) ?? null) };
  } finally {
    for (const node of tape) for (const t of node.saved ?? []) t.dispose();
    engine.state.activeTape = null;
  }
}
