/**
 * The forward pass of one fused edge group (see `fusedPlan.ts`): every candidate of every edge
 * that reads the group's states, mixed into each destination node with one matMul.
 *
 * The input holds the S states the group reads side by side along channels. One ReLU; one
 * channel-multiplier depthwise conv for the first stage of every conv candidate (kernels
 * zero-embedded in one window, dilated ones expanded); one batched matMul for their pointwise
 * convs; one BatchNorm; the separable convs' second stage likewise; each pool once; one
 * BatchNorm for the second stages, the pools and the FactorizedReduce skips. Every tensor has
 * rank ≤ 4.
 */
import * as tf from '../../tensor/tf';
import type { ForwardContext } from '../../tensor/layer';
import { normalizeBlocks } from './fusedBatchNorm';
import type { GroupPlan } from './fusedPlan';
import { avgPool3x3 } from '../../ops/pooling';
import { leanConcat, leanReshape, leanSlice } from '../../recompute/shapeOps';

/** The assembled weights of one group. */
export interface GroupWeights {
  /** First-stage depthwise filters [K, K, S·C, J] per window (J = its candidates × dests). */
  readonly depthwise1?: readonly tf.Tensor4D[];
  /** First-stage pointwise weights [J·S, C, C]. */
  readonly pointwise1?: tf.Tensor3D;
  /** Second-stage (separable convs) depthwise filter [K2, K2, B·C, 1]. */
  readonly depthwise2?: tf.Tensor4D;
  /** Second-stage pointwise weights [B, C, C]. */
  readonly pointwise2?: tf.Tensor3D;
  /** FactorizedReduce filters [1, 1, S·C, D·S·C/2] (block diagonal in s). */
  readonly reduce1?: tf.Tensor4D;
  readonly reduce2?: tf.Tensor4D;
  /** Mixing matrix [destinations, blocks]. */
  readonly mixing: tf.Tensor2D;
}

export interface GroupOutput {
  /** Per destination, its share of the node's input, flattened NHWC. */
  readonly contributions: tf.Tensor1D[];
  /** NHWC shape of every destination node. */
  readonly shape: [number, number, number, number];
}

function required<T>(t: T | undefined, what: string): T {
  if (t === undefined) throw new Error(`fused edge group: missing ${what}`);
  return t;
}

/** [n, h, w, (s, c, j)] (a channel-multiplier conv's output) → blocks [(j, s), n·h·w, c]. */
function multiplierToBlocks(y: tf.Tensor4D, sources: number, channels: number): tf.Tensor3D {
  const [n, h, w, all] = y.shape;
  const pixels = n * h * w;
  const multiplier = all / (sources * channels);
  const blocks = tf.transpose(
    leanReshape(y, [pixels, sources, channels, multiplier]),
    [3, 1, 0, 2],
  );
  return leanReshape(blocks, [multiplier * sources, pixels, channels]);
}

/** [n, h, w, (b, c)] → blocks [b, n·h·w, c]. */
function channelsToBlocks(x: tf.Tensor4D, channels: number): tf.Tensor3D {
  const [n, h, w, all] = x.shape;
  const pixels = n * h * w;
  const blocks = all / channels;
  if (blocks === 1) return leanReshape(x, [1, pixels, channels]);
  return tf.transpose(leanReshape<tf.Tensor3D>(x, [pixels, blocks, channels]), [1, 0, 2]);
}

/** Blocks [b, n·h·w, c] → [n, h, w, (b, c)]. */
function blocksToChannels(x: tf.Tensor3D, n: number, h: number, w: number): tf.Tensor4D {
  const [blocks, , channels] = x.shape;
  return leanReshape(tf.transpose(x, [1, 0, 2]), [n, h, w, blocks * channels]);
}

/** Every FactorizedReduce skip before its BatchNorm: blocks [(d, s), n·h'·w', C]. */
function reduceBlocks(
  r: tf.Tensor4D,
  conv1: tf.Tensor4D,
  conv2: tf.Tensor4D,
  pairs: number,
): tf.Tensor3D {
  const a = tf.conv2d(r, conv1, 2, 0);
  const b = tf.conv2d(leanSlice<tf.Tensor4D>(r, [0, 1, 1, 0], [-1, -1, -1, -1]), conv2, 2, 0);
  const [n, h, w, all] = a.shape;
  const half = all / pairs;
  // Channels (which conv, (d, s), c') → blocks [(d, s), pixel, (which conv, c')].
  const both = leanReshape(leanConcat([a, b], 3), [n * h * w, 2, pairs, half]);
  return leanReshape(tf.transpose(both, [2, 0, 1, 3]), [pairs, n * h * w, 2 * half]);
}

function pooled(x: tf.Tensor4D, pool: 'max' | 'avg', stride: number): tf.Tensor4D {
  return pool === 'max'
    ? tf.maxPool(x, 3, stride, 1)
    : avgPool3x3(stride).apply(x, {}, { training: true, buffers: {} });
}

/**
 * Runs the group on `x` [n, h, w, S·C] (its states side by side); returns each destination's
 * share of its input.
 */
export function groupForward(
  plan: GroupPlan,
  x: tf.Tensor4D,
  assembled: GroupWeights,
  ctx: ForwardContext,
): GroupOutput {
  const [n, h, w, sc] = x.shape;
  const sources = plan.sources.length;
  const c = sc / sources;
  const { stride } = plan;
  const ho = Math.floor((h - 1) / stride) + 1;
  const wo = Math.floor((w - 1) / stride) + 1;
  const pixels = n * ho * wo;
  const dests = plan.dests.length;
  const r = plan.convs.length > 0 || plan.reducingSkip ? tf.relu(x) : null;

  const mixed: tf.Tensor3D[] = [];
  const secondNorm: tf.Tensor3D[] = [];
  if (plan.convs.length > 0 && r) {
    const filters = required(assembled.depthwise1, 'first-stage depthwise filters');
    const perWindow = plan.windows.map((win, i) => {
      const filter = required(filters[i], `first-stage depthwise filter ${i}`);
      return multiplierToBlocks(
        tf.depthwiseConv2d(r, filter, stride, (win.size - 1) / 2),
        sources,
        c,
      );
    });
    const pw = tf.matMul<tf.Tensor3D>(
      leanConcat<tf.Tensor3D>(perWindow),
      required(assembled.pointwise1, 'first-stage pointwise weights'),
    );
    const first = normalizeBlocks(
      pw,
      plan.bn1.map((p) => [p]),
      ctx,
    );
    mixed.push(first);
    if (plan.separableRuns.length > 0) {
      const runs = plan.separableRuns.map(({ start, count }) =>
        leanSlice<tf.Tensor3D>(first, [start, 0, 0], [count, pixels, c]),
      );
      const inner = tf.relu(leanConcat<tf.Tensor3D>(runs));
      const dw2 = tf.depthwiseConv2d(
        blocksToChannels(inner, n, ho, wo),
        required(assembled.depthwise2, 'second-stage depthwise filter'),
        1,
        (plan.window2 - 1) / 2,
      );
      secondNorm.push(
        tf.matMul<tf.Tensor3D>(
          channelsToBlocks(dw2, c),
          required(assembled.pointwise2, 'second-stage pointwise weights'),
        ),
      );
    }
  }
  for (const p of plan.pools) {
    const blocks = channelsToBlocks(pooled(x, p.pool, stride), c);
    // In evaluation every edge normalises the pool with its own running statistics.
    secondNorm.push(
      ctx.training
        ? blocks
        : (tf.concat(new Array<tf.Tensor3D>(dests).fill(blocks)) as tf.Tensor3D),
    );
  }
  if (plan.reducingSkip && r) {
    secondNorm.push(
      reduceBlocks(
        r,
        required(assembled.reduce1, 'FactorizedReduce filter'),
        required(assembled.reduce2, 'FactorizedReduce filter'),
        dests * sources,
      ),
    );
  }
  if (secondNorm.length > 0) {
    const all = leanConcat<tf.Tensor3D>(secondNorm);
    mixed.push(normalizeBlocks(all, plan.bn2(ctx.training), ctx));
  }
  if (plan.skipColumn !== null && !plan.reducingSkip) mixed.push(channelsToBlocks(x, c));
  if (mixed.length === 0) throw new Error(`states ${plan.sources.join(', ')} feed no op`);
  const blocks = leanConcat<tf.Tensor3D>(mixed);
  const flat = leanReshape<tf.Tensor2D>(blocks, [blocks.shape[0], pixels * c]);
  const contributions = tf.matMul(assembled.mixing, flat);
  return {
    contributions:
      dests === 1
        ? [leanReshape<tf.Tensor1D>(contributions, [pixels * c])]
        : (tf.unstack(contributions) as tf.Tensor1D[]),
    shape: [n, ho, wo, c],
  };
}
