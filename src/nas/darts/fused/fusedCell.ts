/**
 * The DARTS search cell computed with few kernels (`kernels: 'fused'`): the same function of
 * the same named parameters as the reference cell, with the edges grouped by the states they
 * read (`fusedPlan.ts`, `fusedGroup.ts`). Per cell, all depthwise and FactorizedReduce filters
 * are assembled by one gather, all pointwise weights by one concat, all mixing matrices by one
 * gather from the softmax of the alphas, and the two preprocessing BatchNorms are one.
 */
import * as tf from '../../tensor/tf';
import type { ForwardContext, TensorMap } from '../../tensor/layer';
import { lookup } from '../../tensor/layer';
import { normalizeChannels } from './fusedBatchNorm';
import { gatherOnce } from './fusedGather';
import type { GroupWeights } from './fusedGroup';
import { groupForward } from './fusedGroup';
import type { GatherPlan, GroupPlan } from './fusedPlan';
import { cellGroups, mixingIndices } from './fusedPlan';
import type { FilterPlan, FilterSlot } from './fusedFilterPlan';
import { filterPlan } from './fusedFilterPlan';
import type { SearchCellSpec } from '../searchCell';
import { sumAll } from '../../tensor/tensorSum';
import { edgeCount } from '../../genotype/cellTopology';
import { leanConcat, leanReshape, leanSlice } from '../../recompute/shapeOps';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Assembled = Map<number, Mutable<Omit<GroupWeights, 'mixing'>>>;

function slot(out: Assembled, group: number): Mutable<Omit<GroupWeights, 'mixing'>> {
  const entry = out.get(group) ?? {};
  out.set(group, entry);
  return entry;
}

/** Every depthwise and FactorizedReduce filter of the cell: one gather. */
function assembleFilters(plan: FilterPlan, weights: TensorMap, out: Assembled): void {
  if (plan.filters.length === 0) return;
  const flats = plan.sources.map(({ names }) => {
    const parts = names.map((name) => lookup(weights, name));
    return tf.reshape(parts.length === 1 ? (parts[0] as tf.Tensor) : tf.concat(parts, 3), [-1]);
  });
  const source = (flats.length === 1 ? flats[0] : tf.concat(flats)) as tf.Tensor1D;
  const gathered = gatherOnce(source, plan.indices, plan.inverse);
  const sizes = plan.filters.map((f) => f.shape.reduce((a, b) => a * b, 1));
  const parts = sizes.length === 1 ? [gathered] : tf.split(gathered, sizes);
  plan.filters.forEach((f: FilterSlot, i) => {
    const filter = tf.reshape(parts[i] as tf.Tensor, f.shape) as tf.Tensor4D;
    const entry = slot(out, f.group);
    if (f.kind === 'depthwise1') entry.depthwise1 = [...(entry.depthwise1 ?? []), filter];
    else entry[f.kind] = filter;
  });
}

/** Every pointwise weight of the cell as [blocks, C, C] per group and stage: one concat. */
function assemblePointwise(
  groups: readonly GroupPlan[],
  c: number,
  weights: TensorMap,
  out: Assembled,
): void {
  const slots: { group: number; kind: 'pointwise1' | 'pointwise2'; names: readonly string[] }[] =
    [];
  groups.forEach((g, group) => {
    if (g.pointwise1.length > 0) slots.push({ group, kind: 'pointwise1', names: g.pointwise1 });
    if (g.pointwise2.length > 0) slots.push({ group, kind: 'pointwise2', names: g.pointwise2 });
  });
  const names = slots.flatMap((s) => s.names);
  if (names.length === 0) return;
  const parts = names.map((name) => lookup(weights, name));
  const all = tf.reshape(parts.length === 1 ? (parts[0] as tf.Tensor) : tf.concat(parts), [
    names.length,
    c,
    c,
  ]);
  const split =
    slots.length === 1
      ? [all]
      : tf.split(
          all,
          slots.map((s) => s.names.length),
        );
  slots.forEach((s, i) => {
    slot(out, s.group)[s.kind] = split[i] as tf.Tensor3D;
  });
}

/** The mixing matrix [destinations, blocks] of every group: one gather from the softmax. */
function assembleMixing(
  softmax: tf.Tensor1D,
  plan: GatherPlan & { shapes: [number, number][] },
): tf.Tensor2D[] {
  const gathered = gatherOnce(softmax, plan.indices, plan.inverse);
  const sizes = plan.shapes.map(([d, b]) => d * b);
  const parts = sizes.length === 1 ? [gathered] : tf.split(gathered, sizes);
  return plan.shapes.map((shape, i) => tf.reshape(parts[i] as tf.Tensor, shape) as tf.Tensor2D);
}

/** Both preprocessed inputs side by side [n, h, w, 2C], normalised by one BatchNorm. */
function preprocess(
  spec: SearchCellSpec,
  s0: tf.Tensor4D,
  s1: tf.Tensor4D,
  weights: TensorMap,
  ctx: ForwardContext,
): tf.Tensor4D {
  const conv = (x: tf.Tensor4D, name: string, stride: number) =>
    tf.conv2d(x, lookup(weights, `${spec.prefix}.${name}`) as tf.Tensor4D, stride, 0);
  let a: tf.Tensor4D;
  if (spec.reductionPrev) {
    // FactorizedReduce: two 1×1 stride-2 convs, the second on the input shifted by one pixel.
    const r = tf.relu(s0);
    const shifted = leanSlice<tf.Tensor4D>(r, [0, 1, 1, 0], [-1, -1, -1, -1]);
    a = leanConcat([conv(r, 'pre0.conv1', 2), conv(shifted, 'pre0.conv2', 2)], 3);
  } else {
    a = conv(tf.relu(s0), 'pre0.conv', 1);
  }
  const b = conv(tf.relu(s1), 'pre1.conv', 1);
  const prefixes = [`${spec.prefix}.pre0.bn`, `${spec.prefix}.pre1.bn`];
  return normalizeChannels(leanConcat([a, b], 3), prefixes, ctx);
}

export interface FusedCell {
  /** Output [n, h, w, multiplier·C] from the inputs and the flat softmax [edges · ops]. */
  apply(
    s0: tf.Tensor4D,
    s1: tf.Tensor4D,
    softmax: tf.Tensor1D,
    weights: TensorMap,
    ctx: ForwardContext,
  ): tf.Tensor4D;
}

export function fusedCell(spec: SearchCellSpec): FusedCell {
  const { steps, multiplier, c } = spec;
  const planSpec = {
    prefix: spec.prefix,
    steps,
    c,
    reduction: spec.reduction,
    primitives: spec.primitives,
  };
  const groups = cellGroups(planSpec);
  const filters = filterPlan(planSpec, groups);
  const opCount = spec.primitives.length;
  const edges = edgeCount(steps);
  const mixing = {
    training: mixingIndices(groups, opCount, edges, true),
    evaluation: mixingIndices(groups, opCount, edges, false),
  };
  return {
    apply(s0, s1, softmax, weights, ctx) {
      if (softmax.size !== edges * opCount) {
        throw new Error(`the cell needs ${edges}×${opCount} op weights, got ${softmax.size}`);
      }
      const assembled: Assembled = new Map();
      assembleFilters(filters, weights, assembled);
      assemblePointwise(groups, c, weights, assembled);
      const mix = assembleMixing(softmax, ctx.training ? mixing.training : mixing.evaluation);
      // Each stage in its own scope: what its gradient does not keep is freed when it ends,
      // not when the cell does (the peak of a cell is a few stages' temporaries, not all).
      const inputs = tf.tidy(() => preprocess(spec, s0, s1, weights, ctx));
      const nodes: tf.Tensor4D[] = [];
      const pending: tf.Tensor1D[][] = Array.from({ length: steps }, () => []);
      let nodeShape: [number, number, number, number] = [0, 0, 0, 0];
      const finishNode = (node: number) => {
        const terms = pending[node] as tf.Tensor1D[];
        if (terms.length === 0) throw new Error(`node ${node} has no input`);
        nodes.push(leanReshape<tf.Tensor4D>(sumAll(terms), nodeShape));
      };
      groups.forEach((plan, g) => {
        // Group g ≥ 1 reads node g − 1, complete once every earlier group has run.
        if (g > 0) finishNode(g - 1);
        const x = g === 0 ? inputs : (nodes[g - 1] as tf.Tensor4D);
        const contributions = tf.tidy(() => {
          const out = groupForward(
            plan,
            x,
            { ...assembled.get(g), mixing: mix[g] as tf.Tensor2D },
            ctx,
          );
          nodeShape = out.shape;
          return out.contributions;
        });
        contributions.forEach((t, d) => {
          (pending[plan.dests[d] as number] as tf.Tensor1D[]).push(t);
        });
      });
      finishNode(steps - 1);
      return leanConcat<tf.Tensor4D>(nodes.slice(-multiplier), 3);
    },
  };
}
