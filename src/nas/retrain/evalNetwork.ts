/**
 * The DARTS evaluation (retrain) network built from a genotype: NetworkCIFAR (`cnn/model.py`)
 * or, with the ImageNet stem, NetworkImageNet. Stem, `layers` eval cells with
 * reduction cells at ⌊L/3⌋ and ⌊2L/3⌋ (channels double there), an auxiliary head on the output
 * of cell ⌊2L/3⌋ in training mode when enabled, global average pooling and a linear classifier.
 *
 * NetworkImageNet's final AvgPool2d(7) is global average pooling here: the same on its 224×224
 * inputs (7×7 final maps), and the only choice that works for other sizes.
 *
 * The forward is a cell stack (`recompute/cellCheckpoint.ts`) and the heads on its states, so
 * that a training step can run it with its cells checkpointed; each cell's drop-path masks are
 * drawn once and replayed when it is recomputed (`recompute/maskReplay.ts`).
 */
import type * as tf from '../tensor/tf';
import type { ForwardContext, ParamSpec, TensorMap } from '../tensor/layer';
import type { CellStackNetwork } from '../ops/cellStack';
import { buildCellStack, classifierParams, classify } from '../ops/cellStack';
import type { RecomputableStack } from '../recompute/cellCheckpoint';
import { lastState, passContext, runStack } from '../recompute/cellCheckpoint';
import { maskReplay } from '../recompute/maskReplay';
import type { AuxiliaryHead } from './auxiliaryHead';
import { auxiliaryHead } from './auxiliaryHead';
import type { DropPath } from '../ops/dropPath';
import { checkDropPathProb } from '../ops/dropPath';
import type { EvalCell } from './evalCell';
import { evalCell } from './evalCell';
import type { EvalStem, StemKind } from './evalStem';
import { evalStem } from './evalStem';
import type { Genotype } from '../genotype/genotype';

/** Parameter names of the auxiliary head start with this prefix and a dot. */
const AUXILIARY_PREFIX = 'auxiliary';

export interface EvalNetworkSpec {
  readonly genotype: Genotype;
  /** Initial channels C (DARTS CIFAR: 36). */
  readonly c: number;
  /** Number of cells (DARTS CIFAR: 20). */
  readonly layers: number;
  readonly numClasses: number;
  readonly imageChannels: number;
  /** Build the auxiliary head (its logits come out in training mode only). */
  readonly auxiliary: boolean;
  /** `cifar` (default) or `imagenet` (stride-8 stem for larger inputs, ImageNet aux head). */
  readonly stem?: StemKind;
  /** The auxiliary head's hidden widths; DARTS's 128 and 768 unless given. */
  readonly auxiliaryWidths?: readonly [number, number];
}

export interface EvalOutput {
  readonly logits: tf.Tensor2D;
  /** The auxiliary head's logits in training mode when the network has one, else null. */
  readonly auxLogits: tf.Tensor2D | null;
}

export interface EvalForwardOptions {
  readonly ctx: ForwardContext;
  /** Drop path, applied in training mode only (DARTS: p_e = 0.2 · e / epochs). */
  readonly dropPath?: DropPath;
}

export interface EvalNetwork extends CellStackNetwork<EvalCell> {
  readonly spec: EvalNetworkSpec;
  readonly stem: EvalStem;
  /** The cell whose output feeds the auxiliary head (⌊2L/3⌋), or null without the head. */
  readonly auxiliaryCell: number | null;
  forward(x: tf.Tensor4D, weights: TensorMap, options: EvalForwardOptions): EvalOutput;
  /** The forward's cells as a stack: the stem's two states, then one cell each. */
  stack(x: tf.Tensor4D, weights: TensorMap, options: EvalForwardOptions): RecomputableStack;
  /** The logits, and the auxiliary head's in training mode, from the stack's states. */
  output(states: readonly tf.Tensor4D[], weights: TensorMap, ctx: ForwardContext): EvalOutput;
}

function auxiliaryCellIndex(layers: number): number {
  return Math.floor((2 * layers) / 3);
}

function checkPositiveInteger(what: string, value: number, min = 1): void {
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${what} must be an integer of at least ${min}, got ${value}`);
  }
}

export function evalNetwork(spec: EvalNetworkSpec): EvalNetwork {
  const { genotype, c, layers, numClasses } = spec;
  checkPositiveInteger('channels', c);
  checkPositiveInteger('layers', layers);
  checkPositiveInteger('number of classes', numClasses, 2);
  const stem = evalStem(spec.stem ?? 'cifar', spec.imageChannels, c);
  const cells = buildCellStack(
    layers,
    { c, stemChannels: stem.outChannels, reductionPrev: stem.reductionPrev },
    (slot) =>
      evalCell({
        ...slot,
        genes: slot.reduction ? genotype.reduce : genotype.normal,
        concat: slot.reduction ? genotype.reduceConcat : genotype.normalConcat,
      }),
  );
  const auxiliaryCell = spec.auxiliary ? auxiliaryCellIndex(layers) : null;
  const aux: AuxiliaryHead | null =
    auxiliaryCell === null
      ? null
      : auxiliaryHead({
          prefix: AUXILIARY_PREFIX,
          inChannels: (cells[auxiliaryCell] as EvalCell).outChannels,
          numClasses,
          kind: stem.kind,
          ...(spec.auxiliaryWidths ? { widths: spec.auxiliaryWidths } : {}),
        });
  const cOut = (cells.at(-1) as EvalCell).outChannels;
  const net: EvalNetwork = {
    spec,
    stem,
    cells,
    params: [
      ...stem.params,
      ...cells.flatMap((cell) => cell.params),
      ...(aux ? aux.params : []),
      ...classifierParams(cOut, numClasses),
    ],
    buffers: [
      ...stem.buffers,
      ...cells.flatMap((cell) => cell.buffers),
      ...(aux ? aux.buffers : []),
    ],
    auxiliaryCell,
    stack(x, weights, { ctx, dropPath }) {
      const [, height, width] = x.shape;
      checkEvalInputSize(net, height, width);
      if (dropPath) checkDropPathProb(dropPath.prob);
      const masks = dropPath ? maskReplay(dropPath.masks) : null;
      return {
        cellCount: cells.length,
        start: (pass) => ({ states: stem.apply(x, weights, passContext(ctx, pass)), shared: [] }),
        cell(index, s0, s1, _shared, pass) {
          const drop =
            dropPath && masks ? { prob: dropPath.prob, masks: masks(index, pass) } : undefined;
          const cell = cells[index] as EvalCell;
          return cell.apply(s0, s1, weights, passContext(ctx, pass), drop);
        },
      };
    },
    output(states, weights, ctx) {
      const logits = classify(lastState(states), weights);
      const auxLogits =
        aux && ctx.training && auxiliaryCell !== null
          ? aux.apply(states[auxiliaryCell + 2] as tf.Tensor4D, weights, ctx)
          : null;
      return { logits, auxLogits };
    },
    forward(x, weights, options) {
      return net.output(runStack(net.stack(x, weights, options), 'forward'), weights, options.ctx);
    },
  };
  return net;
}

/**
 * Feature-map length along one axis after each cell, for an input of `size` pixels. Throws
 * when a reduction (or the ImageNet stem's FactorizedReduce) meets an odd length.
 */
function cellOutputSizes(net: EvalNetwork, size: number, axis: string): number[] {
  checkPositiveInteger(`image ${axis}`, size);
  const [s0, s1] = net.stem.outputSizes(size);
  if (net.stem.reductionPrev && s0 % 2 !== 0) {
    throw new Error(
      `image ${axis} ${size} gives an odd ${s0}-pixel stem output; the first cell's FactorizedReduce needs an even one (use a multiple of 32)`,
    );
  }
  const sizes: number[] = [];
  let current = s1;
  net.cells.forEach((cell, i) => {
    if (cell.spec.reduction) {
      if (current % 2 !== 0) {
        throw new Error(
          `image ${axis} ${size} leaves an odd ${current}-pixel feature map at reduction cell ${i}; each reduction needs an even size`,
        );
      }
      current /= 2;
    }
    sizes.push(current);
  });
  return sizes;
}

/** Throws a message naming the problem when the network cannot run on height×width images. */
export function checkEvalInputSize(net: EvalNetwork, height: number, width: number): void {
  const rows = cellOutputSizes(net, height, 'height');
  const cols = cellOutputSizes(net, width, 'width');
  if (net.auxiliaryCell !== null) {
    const h = rows[net.auxiliaryCell] as number;
    const w = cols[net.auxiliaryCell] as number;
    if (h < 2 || w < 2) {
      throw new Error(
        `the auxiliary head at cell ${net.auxiliaryCell} would see a ${h}×${w} feature map on ${height}×${width} images; it needs at least 2×2: use larger images or turn the auxiliary head off`,
      );
    }
  }
}

/**
 * Number of trainable parameters. Without the auxiliary head it is DARTS's
 * `utils.count_parameters_in_MB` (times 10⁶), which skips every name containing "auxiliary".
 */
export function countParameters(
  net: { readonly params: readonly ParamSpec[] },
  options: { readonly includeAuxiliary: boolean },
): number {
  return net.params
    .filter((p) => options.includeAuxiliary || !p.name.startsWith(`${AUXILIARY_PREFIX}.`))
    .reduce((total, p) => total + p.shape.reduce((a, b) => a * b, 1), 0);
}
