/**
 * What CDARTS's search and evaluation networks build alike around their cells, written once: the
 * cell stack on the shared stem's output, the shared modules (stem, the two distillation heads
 * fed by the two reduction cells, the ensemble weight), the classifier, the parameter and buffer
 * lists in their fixed order, and the forward pass that collects the reduction cells' outputs
 * for the ensemble. Each network supplies how it builds and applies one cell. The forward is a
 * cell stack (`recompute/cellCheckpoint.ts`) and the output head on its states, so that a training
 * step can run it with its cells checkpointed.
 */
import type * as tf from '../../tensor/tf';
import type { ForwardContext, ParamSpec, TensorMap } from '../../tensor/layer';
import type { CellSlot, CellStackNetwork } from '../../ops/cellStack';
import { buildCellStack, classifierParams, classify } from '../../ops/cellStack';
import type { Pass, RecomputableStack } from '../../recompute/cellCheckpoint';
import { lastState, passContext, runStack } from '../../recompute/cellCheckpoint';
import type { CdartsModules } from './cdartsModules';
import { cdartsModules } from './cdartsModules';

/** The sizes both networks share (the search network adds its cells' steps and multiplier). */
export interface CdartsBodyShape {
  readonly c: number;
  readonly layers: number;
  readonly stemMultiplier: number;
  readonly numClasses: number;
  readonly imageChannels: number;
  readonly headWidths: readonly [number, number];
}

export interface NetworkOutput {
  readonly logits: tf.Tensor2D;
  /** The ensemble logits [3N, classes] when asked for, else null. */
  readonly ensemble: tf.Tensor2D | null;
}

/** The logits and, when asked for, the ensemble logits from a network stack's states. */
export type NetworkHead = (
  states: readonly tf.Tensor4D[],
  weights: TensorMap,
  ctx: ForwardContext,
  withEnsemble: boolean,
) => NetworkOutput;

/** The cells a CDARTS network stacks: DARTS's search or evaluation cells. */
interface StackedCell {
  readonly spec: { readonly reduction: boolean };
  readonly params: readonly ParamSpec[];
  readonly buffers: readonly ParamSpec[];
  readonly outChannels: number;
}

/** How a network applies one of its cells, in a pass's context, with the stack's shared tensors. */
export type ApplyCell<Cell> = (
  cell: Cell,
  s0: tf.Tensor4D,
  s1: tf.Tensor4D,
  shared: readonly tf.Tensor[],
  ctx: ForwardContext,
) => tf.Tensor4D;

export interface CdartsBody<Cell extends StackedCell> extends CellStackNetwork<Cell> {
  readonly modules: CdartsModules;
  /**
   * The cells as a stack on the stem's output; `shared` makes, in each pass, the tensors the
   * cells read beside their states (the mixing weights).
   */
  stack(
    x: tf.Tensor4D,
    weights: TensorMap,
    ctx: ForwardContext,
    shared: (pass: Pass) => tf.Tensor[],
    applyCell: ApplyCell<Cell>,
  ): RecomputableStack;
  /** The logits and, when asked for, the ensemble logits from the stack's states. */
  readonly output: NetworkHead;
}

export function cdartsBody<Cell extends StackedCell>(
  shape: CdartsBodyShape,
  buildCell: (slot: CellSlot) => Cell,
): CdartsBody<Cell> {
  const { c, layers, numClasses } = shape;
  const cStem = shape.stemMultiplier * c;
  const cells = buildCellStack(
    layers,
    { c, stemChannels: [cStem, cStem], reductionPrev: false },
    buildCell,
  );
  const reductionCells = cells.filter((cell) => cell.spec.reduction);
  // The states the heads read: the reduction cells' outputs (state i + 2 is cell i's output).
  const reductionStates = cells.flatMap((cell, i) => (cell.spec.reduction ? [i + 2] : []));
  const modules = cdartsModules({
    imageChannels: shape.imageChannels,
    c,
    stemMultiplier: shape.stemMultiplier,
    headChannels: reductionCells.map((cell) => cell.outChannels) as [number, number],
    headWidths: shape.headWidths,
    numClasses,
  });
  return {
    modules,
    cells,
    params: [
      ...modules.params,
      ...cells.flatMap((cell) => cell.params),
      ...classifierParams((cells.at(-1) as Cell).outChannels, numClasses),
    ],
    buffers: [...modules.buffers, ...cells.flatMap((cell) => cell.buffers)],
    stack(x, weights, ctx, shared, applyCell) {
      return {
        cellCount: cells.length,
        start(pass) {
          const stem = modules.stem.apply(x, weights, passContext(ctx, pass));
          return { states: [stem, stem], shared: shared(pass) };
        },
        cell(index, s0, s1, tensors, pass) {
          return applyCell(cells[index] as Cell, s0, s1, tensors, passContext(ctx, pass));
        },
      };
    },
    output(states, weights, ctx, withEnsemble) {
      const logits = classify(lastState(states), weights);
      const reductionOutputs = reductionStates.map((i) => states[i] as tf.Tensor4D);
      const ensemble = withEnsemble
        ? modules.ensemble(reductionOutputs as [tf.Tensor4D, tf.Tensor4D], logits, weights, ctx)
        : null;
      return { logits, ensemble };
    },
  };
}

/** A body's plain forward: its stack run once, then its output head. */
export function runBody<Cell extends StackedCell>(
  body: CdartsBody<Cell>,
  stack: RecomputableStack,
  weights: TensorMap,
  ctx: ForwardContext,
  withEnsemble: boolean,
): NetworkOutput {
  return body.output(runStack(stack, 'forward'), weights, ctx, withEnsemble);
}
