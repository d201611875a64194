/**
 * CDARTS's evaluation network during the search (NNI's `examples/nas/cdarts/model.py`, Cream's
 * `lib/models/cdarts_controller.py`): the discrete network of a genotype, deeper than the search
 * network, with the same stem, the same distillation heads after
 * its two reduction cells, the ensemble, and its own classifier. Its cells are DARTS's
 * evaluation cells with affine-free BatchNorm (`bn_affine=False` during the search) and pooling
 * without BatchNorm; drop path is off (p = 0 during the search).
 */
import type * as tf from '../tensor/tf';
import type { ForwardContext, ParamSpec, TensorMap } from '../tensor/layer';
import type { CdartsModules } from './cdartsModules';
import { cdartsModules } from './cdartsModules';
import type { CdartsNetworkShape, NetworkOutput } from './cdartsSearchNetwork';
import { classifierParams, classify } from './cdartsSearchNetwork';
import { reductionIndices } from '../genotype/cellTopology';
import type { EvalCell } from '../retrain/evalCell';
import { evalCell } from '../retrain/evalCell';
import type { Genotype } from '../genotype/genotype';

export interface CdartsEvalNetworkSpec extends Omit<CdartsNetworkShape, 'multiplier' | 'steps'> {
  readonly genotype: Genotype;
}

export interface CdartsEvalNetwork {
  readonly spec: CdartsEvalNetworkSpec;
  readonly modules: CdartsModules;
  readonly cells: readonly EvalCell[];
  readonly params: readonly ParamSpec[];
  readonly buffers: readonly ParamSpec[];
  forward(
    x: tf.Tensor4D,
    weights: TensorMap,
    ctx: ForwardContext,
    withEnsemble: boolean,
  ): NetworkOutput;
}

export function cdartsEvalNetwork(spec: CdartsEvalNetworkSpec): CdartsEvalNetwork {
  const { genotype, c, layers } = spec;
  if (!Number.isInteger(layers) || layers < 3) {
    throw new Error(`the evaluation network needs at least 3 cells, got ${layers}`);
  }
  const reductions = reductionIndices(layers);
  const cells: EvalCell[] = [];
  const cStem = spec.stemMultiplier * c;
  let cPrevPrev = cStem;
  let cPrev = cStem;
  let cCurr = c;
  let reductionPrev = false;
  const headChannels: number[] = [];
  for (let i = 0; i < layers; i++) {
    const reduction = reductions.has(i);
    if (reduction) cCurr *= 2;
    const cell = evalCell({
      prefix: `cells.${i}`,
      genes: reduction ? genotype.reduce : genotype.normal,
      concat: reduction ? genotype.reduceConcat : genotype.normalConcat,
      cPrevPrev,
      cPrev,
      c: cCurr,
      reduction,
      reductionPrev,
      affine: false,
    });
    cells.push(cell);
    reductionPrev = reduction;
    cPrevPrev = cPrev;
    cPrev = cell.outChannels;
    if (reduction) headChannels.push(cPrev);
  }
  const modules = cdartsModules({
    imageChannels: spec.imageChannels,
    c,
    stemMultiplier: spec.stemMultiplier,
    headChannels: headChannels as [number, number],
    headWidths: spec.headWidths,
    numClasses: spec.numClasses,
  });
  return {
    spec,
    modules,
    cells,
    params: [
      ...modules.params,
      ...cells.flatMap((cell) => cell.params),
      ...classifierParams(cPrev, spec.numClasses),
    ],
    buffers: [...modules.buffers, ...cells.flatMap((cell) => cell.buffers)],
    forward(x, weights, ctx, withEnsemble) {
      const stem = modules.stem.apply(x, weights, ctx);
      let s0 = stem;
      let s1 = stem;
      const reductionOutputs: tf.Tensor4D[] = [];
      for (const cell of cells) {
        const next = cell.apply(s0, s1, weights, ctx);
        s0 = s1;
        s1 = next;
        if (cell.spec.reduction) reductionOutputs.push(next);
      }
      const logits = classify(s1, weights);
      const ensemble = withEnsemble
        ? modules.ensemble(reductionOutputs as [tf.Tensor4D, tf.Tensor4D], logits, weights, ctx)
        : null;
      return { logits, ensemble };
    },
  };
}
