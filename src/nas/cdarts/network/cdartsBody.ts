/**
 * What CDARTS's search and evaluation networks build alike around their cells, written once: the
 * cell stack on the shared stem's output, the shared modules (stem, the two distillation heads
 * fed by the two reduction cells, the ensemble weight), the classifier, the parameter and buffer
 * lists in their fixed order, and the forward pass that collects the reduction cells' outputs
 * for the ensemble. Each network supplies how it builds and applies one cell.
 */
import type * as tf from '../../tensor/tf';
import type { ForwardContext, ParamSpec, TensorMap } from '../../tensor/layer';
import type { CellSlot, CellStackNetwork } from '../../ops/cellStack';
import { buildCellStack, classifierParams, classify, runCellStack } from '../../ops/cellStack';
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

/** The cells a CDARTS network stacks: DARTS's search or evaluation cells. */
interface StackedCell {
  readonly spec: { readonly reduction: boolean };
  readonly params: readonly ParamSpec[];
  readonly buffers: readonly ParamSpec[];
  readonly outChannels: number;
}

export interface CdartsBody<Cell extends StackedCell> extends CellStackNetwork<Cell> {
  readonly modules: CdartsModules;
  forward(
    x: tf.Tensor4D,
    weights: TensorMap,
    ctx: ForwardContext,
    withEnsemble: boolean,
    applyCell: (cell: Cell, s0: tf.Tensor4D, s1: tf.Tensor4D) => tf.Tensor4D,
  ): NetworkOutput;
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
    forward(x, weights, ctx, withEnsemble, applyCell) {
      const stem = modules.stem.apply(x, weights, ctx);
      const reductionOutputs: tf.Tensor4D[] = [];
      const out = runCellStack(cells, [stem, stem], (cell, s0, s1) => {
        const next = applyCell(cell, s0, s1);
        if (cell.spec.reduction) reductionOutputs.push(next);
        return next;
      });
      const logits = classify(out, weights);
      const ensemble = withEnsemble
        ? modules.ensemble(reductionOutputs as [tf.Tensor4D, tf.Tensor4D], logits, weights, ctx)
        : null;
      return { logits, ensemble };
    },
  };
}
