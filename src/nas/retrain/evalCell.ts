/**
 * The discrete cell of the DARTS evaluation network (`cnn/model.py` Cell): affine
 * preprocessing, one op per gene (stride 2 iff reduction cell and the gene reads s0 or s1),
 * node i = op_{2i}(state) + op_{2i+1}(state) with drop path on each op output in training
 * unless the op is the identity, output = channel concat of the genotype's concat list.
 */
import * as tf from '../tensor/tf';
import type { ForwardContext, Layer, ParamSet, TensorMap } from '../tensor/layer';
import type { DropPath } from '../ops/dropPath';
import { dropPath } from '../ops/dropPath';
import type { Gene } from '../genotype/genotype';
import type { CellInputs } from '../ops/operations';
import { buildOp, cellPreprocess, EVAL_OP_OPTIONS, identity } from '../ops/operations';

export interface EvalCellSpec extends CellInputs {
  /** Two genes per intermediate node: [op, input state index]. */
  readonly genes: readonly Gene[];
  /** State indices concatenated as the output (0, 1 = the preprocessed inputs). */
  readonly concat: readonly number[];
  /** Channels of the cell's nodes. */
  readonly c: number;
  readonly reduction: boolean;
  /**
   * BatchNorms with scale and shift (DARTS's retrain, the default) or without (CDARTS's
   * evaluation network during the search, `bn_affine=False`).
   */
  readonly affine?: boolean;
}

export interface EvalCell extends ParamSet {
  readonly spec: EvalCellSpec;
  /** concat.length · C. */
  readonly outChannels: number;
  /** Op outputs drop path applies to (every op but the identity), in draw order. */
  readonly dropPathSites: number;
  apply(
    s0: tf.Tensor4D,
    s1: tf.Tensor4D,
    weights: TensorMap,
    ctx: ForwardContext,
    drop?: DropPath,
  ): tf.Tensor4D;
}

function checkGenes(spec: EvalCellSpec): void {
  const { genes, concat, prefix } = spec;
  if (genes.length === 0 || genes.length % 2 !== 0) {
    throw new Error(`${prefix}: a cell needs two genes per node, got ${genes.length} genes`);
  }
  genes.forEach(([op, input], i) => {
    const node = Math.floor(i / 2);
    if (!Number.isInteger(input) || input < 0 || input >= node + 2) {
      throw new Error(
        `${prefix}: gene ${i} (${op}, node ${node}) reads state ${input}; it must be from 0 to ${node + 1}`,
      );
    }
  });
  const states = genes.length / 2 + 2;
  if (concat.length === 0) throw new Error(`${prefix}: the concat list is empty`);
  const seen = new Set<number>();
  for (const s of concat) {
    if (!Number.isInteger(s) || s < 0 || s >= states) {
      throw new Error(`${prefix}: concat lists state ${s}; states run from 0 to ${states - 1}`);
    }
    if (seen.has(s)) throw new Error(`${prefix}: concat lists state ${s} twice`);
    seen.add(s);
    if (spec.reduction && s < 2) {
      throw new Error(
        `${prefix}: a reduction cell cannot concatenate input state ${s}: it has twice the spatial size of the nodes`,
      );
    }
  }
}

export function evalCell(spec: EvalCellSpec): EvalCell {
  checkGenes(spec);
  const { prefix, genes, concat, c } = spec;
  const affine = spec.affine ?? EVAL_OP_OPTIONS.affine;
  const opOptions = { ...EVAL_OP_OPTIONS, affine };
  const [pre0, pre1] = cellPreprocess(spec, c, affine);
  const ops: Layer[] = genes.map(([name, input], j) =>
    buildOp(name, `${prefix}.ops.${j}.${name}`, c, spec.reduction && input < 2 ? 2 : 1, opOptions),
  );
  const layers = [pre0, pre1, ...ops];
  return {
    spec,
    params: layers.flatMap((l) => l.params),
    buffers: layers.flatMap((l) => l.buffers),
    outChannels: concat.length * c,
    dropPathSites: ops.filter((op) => op !== identity).length,
    apply(s0, s1, weights, ctx, drop) {
      const active = ctx.training && drop !== undefined && drop.prob > 0 ? drop : null;
      const states: tf.Tensor4D[] = [pre0.apply(s0, weights, ctx), pre1.apply(s1, weights, ctx)];
      const opOutput = (j: number): tf.Tensor4D => {
        const op = ops[j] as Layer;
        const input = states[(genes[j] as Gene)[1]] as tf.Tensor4D;
        const h = op.apply(input, weights, ctx);
        return active && op !== identity ? dropPath(h, active.prob, active.masks) : h;
      };
      for (let node = 0; node < genes.length / 2; node++) {
        // Masks are drawn in gene order (op 2i, then op 2i+1), as DARTS draws them.
        const h1 = opOutput(2 * node);
        const h2 = opOutput(2 * node + 1);
        states.push(tf.add(h1, h2));
      }
      return tf.concat(
        concat.map((s) => states[s] as tf.Tensor4D),
        3,
      );
    },
  };
}
