/**
 * CDARTS's evaluation network during the search (NNI's `examples/nas/cdarts/model.py`, Cream's
 * `lib/models/cdarts_controller.py`): the discrete network of a genotype, deeper than the search
 * network, with the same stem, the same distillation heads after
 * its two reduction cells, the ensemble, and its own classifier. Its cells are DARTS's
 * evaluation cells with affine-free BatchNorm (`bn_affine=False` during the search) and pooling
 * without BatchNorm; drop path is off (p = 0 during the search).
 */
import type * as tf from '../../tensor/tf';
import type { ForwardContext, TensorMap } from '../../tensor/layer';
import type { CdartsModules } from './cdartsModules';
import type { CdartsBodyShape, NetworkHead, NetworkOutput } from './cdartsBody';
import { cdartsBody, runBody } from './cdartsBody';
import type { RecomputableStack } from '../../recompute/cellCheckpoint';
import type { EvalCell } from '../../retrain/evalCell';
import { evalCell } from '../../retrain/evalCell';
import type { Genotype } from '../../genotype/genotype';
import type { CellStackNetwork } from '../../ops/cellStack';

export interface CdartsEvalNetworkSpec extends CdartsBodyShape {
  readonly genotype: Genotype;
}

export interface CdartsEvalNetwork extends CellStackNetwork<EvalCell> {
  readonly spec: CdartsEvalNetworkSpec;
  readonly modules: CdartsModules;
  forward(
    x: tf.Tensor4D,
    weights: TensorMap,
    ctx: ForwardContext,
    withEnsemble: boolean,
  ): NetworkOutput;
  /** The forward's cells as a stack (the stem, then one cell each). */
  stack(x: tf.Tensor4D, weights: TensorMap, ctx: ForwardContext): RecomputableStack;
  /** The logits and, when asked for, the ensemble logits from the stack's states. */
  readonly output: NetworkHead;
}

export function cdartsEvalNetwork(spec: CdartsEvalNetworkSpec): CdartsEvalNetwork {
  const { genotype, layers } = spec;
  if (!Number.isInteger(layers) || layers < 3) {
    throw new Error(`the evaluation network needs at least 3 cells, got ${layers}`);
  }
  const body = cdartsBody(spec, (slot) =>
    evalCell({
      ...slot,
      genes: slot.reduction ? genotype.reduce : genotype.normal,
      concat: slot.reduction ? genotype.reduceConcat : genotype.normalConcat,
      affine: false,
    }),
  );
  const stack = (x: tf.Tensor4D, weights: TensorMap, ctx: ForwardContext) =>
    body.stack(
      x,
      weights,
      ctx,
      () => [],
      (cell, s0, s1, _shared, cellCtx) => cell.apply(s0, s1, weights, cellCtx),
    );
  return {
    spec,
    modules: body.modules,
    cells: body.cells,
    params: body.params,
    buffers: body.buffers,
    stack,
    output: body.output,
    forward(x, weights, ctx, withEnsemble) {
      return runBody(body, stack(x, weights, ctx), weights, ctx, withEnsemble);
    },
  };
}
