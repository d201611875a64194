/**
 * The modules CDARTS's two networks may share (`share_module`, `shared_modules` of NNI's
 * `examples/nas/cdarts/model.py`, Cream's `lib/models/cdarts_controller.py`): the stem
 * (3×3 conv to stemMultiplier·C + affine BN), the two distillation heads (after the two
 * reduction cells) and the ensemble weight. Both networks build them under the same names, so
 * that one set of tensors can serve both or each network can hold its own.
 *
 * Names: `stem.conv`, `stem.bn.*`, `heads.{0,1}.*` (see distillHead.ts), `ensemble`.
 */
import type * as tf from '../../tensor/tf';
import type { ForwardContext, Layer, ParamSpec, TensorMap } from '../../tensor/layer';
import { lookup } from '../../tensor/layer';
import { convBnStem } from '../../ops/cellStack';
import type { DistillHead } from './distillHead';
import { distillHead } from './distillHead';
import {
  ENSEMBLE_EXITS,
  ENSEMBLE_PARAM,
  ensembleLogits,
  initialEnsembleValues,
} from './ensembleLogits';
import { createVariables, initValues } from '../../tensor/initParams';
import type { Rng } from '../../tensor/random';

const STEM_PREFIX = 'stem';
const HEADS_PREFIX = 'heads';

export interface CdartsModulesSpec {
  readonly imageChannels: number;
  readonly c: number;
  readonly stemMultiplier: number;
  /** Output channels of the two reduction cells the heads read. */
  readonly headChannels: readonly [number, number];
  readonly headWidths: readonly [number, number];
  readonly numClasses: number;
}

export interface CdartsModules {
  readonly stem: Layer;
  readonly stemChannels: number;
  readonly heads: readonly [DistillHead, DistillHead];
  /** Stem, heads and the ensemble weight (whose `init` is ignored: see createCdartsVariables). */
  readonly params: readonly ParamSpec[];
  readonly buffers: readonly ParamSpec[];
  /** The ensemble logits [3N, classes] from the two reduction cells' outputs and the logits. */
  ensemble(
    reductionOutputs: readonly [tf.Tensor4D, tf.Tensor4D],
    logits: tf.Tensor2D,
    weights: TensorMap,
    ctx: ForwardContext,
  ): tf.Tensor2D;
}

/** True for the names of the modules `share_module` shares. */
export function isSharedModuleName(name: string): boolean {
  return (
    name.startsWith(`${STEM_PREFIX}.`) ||
    name.startsWith(`${HEADS_PREFIX}.`) ||
    name === ENSEMBLE_PARAM
  );
}

/** True for the distillation heads' names (`fix_head` freezes them). */
export function isHeadName(name: string): boolean {
  return name.startsWith(`${HEADS_PREFIX}.`);
}

export function cdartsModules(spec: CdartsModulesSpec): CdartsModules {
  const stemChannels = spec.stemMultiplier * spec.c;
  const stem = convBnStem(spec.imageChannels, stemChannels, STEM_PREFIX);
  const heads = [0, 1].map((k) =>
    distillHead({
      prefix: `${HEADS_PREFIX}.${k}`,
      inChannels: spec.headChannels[k] as number,
      numClasses: spec.numClasses,
      widths: spec.headWidths,
    }),
  ) as [DistillHead, DistillHead];
  return {
    stem,
    stemChannels,
    heads,
    params: [
      ...stem.params,
      ...heads.flatMap((h) => h.params),
      { name: ENSEMBLE_PARAM, shape: [ENSEMBLE_EXITS], init: { kind: 'zeros' } },
    ],
    buffers: [...stem.buffers, ...heads.flatMap((h) => h.buffers)],
    ensemble(reductionOutputs, logits, weights, ctx) {
      const exits: [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D] = [
        heads[0].apply(reductionOutputs[0], weights, ctx),
        heads[1].apply(reductionOutputs[1], weights, ctx),
        logits,
      ];
      return ensembleLogits(exits, lookup(weights, ENSEMBLE_PARAM));
    },
  };
}

/**
 * Variables for parameter specs, values drawn in spec order from `rng`: PyTorch's default
 * init, and U(0, 1)/3 for the ensemble weight.
 */
export function createCdartsVariables(
  specs: readonly ParamSpec[],
  rng: Rng,
  trainable: boolean,
): Record<string, tf.Variable> {
  return createVariables(specs, rng, trainable, (spec, r) =>
    spec.name === ENSEMBLE_PARAM ? initialEnsembleValues(r) : initValues(spec.shape, spec.init, r),
  );
}
