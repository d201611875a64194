/**
 * PC-DARTS's partial channel connection (`model_search.py` of yuhuixu1993/PC-DARTS, MixedOp and
 * channel_shuffle, lines 9–53): of an edge's C input channels only the first C/K go through the
 * candidate ops (built for C/K channels) and their α-weighted sum; the other C − C/K bypass them
 * (through a 2×2 max pool of stride 2 on a reduction edge, so that their size matches); the two
 * parts are concatenated and the channels shuffled in K groups, so that the next edge sees other
 * channels. Layout NHWC: channel is the last axis.
 */
import * as tf from '../tensor/tf';
import type { Layer } from '../tensor/layer';
import type { MixedOp } from '../ops/mixedOp';
import { mixedOp } from '../ops/mixedOp';
import { partialChannelsProblem } from './pcdartsSettings';

/**
 * `channel_shuffle(x, groups)` in NHWC: channel g·(C/groups) + i moves to i·groups + g (the
 * official view [N, groups, C/groups, H, W], transpose of the two channel axes, flatten).
 */
export function channelShuffle(x: tf.Tensor4D, groups: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  if (groups === 1) return x;
  if (c % groups !== 0) throw new Error(`${c} channels do not split into ${groups} groups`);
  // Rank 3 so that every backend transposes it (some lack rank-5 transposes).
  const grouped = tf.reshape(x, [n * h * w, groups, c / groups]);
  return tf.reshape(tf.transpose(grouped, [0, 2, 1]), [n, h, w, c]);
}

/**
 * The partial-channel mixed op of an edge of `c` channels and `stride`: `build(cOp)` makes the
 * candidates for `cOp` = C/K channels. Its output always exists (the bypass part is never zero),
 * also where every run candidate is `none`.
 */
export function partialMixedOp(
  k: number,
  c: number,
  stride: number,
  build: (channels: number) => readonly Layer[],
): MixedOp {
  const problem = partialChannelsProblem(c, k);
  if (problem) throw new Error(problem);
  const part = c / k;
  const inner = mixedOp(build(part));
  return {
    ...inner,
    apply(x, opWeights, weights, ctx, skip) {
      const [n, h, w] = x.shape;
      const through = tf.slice(x, [0, 0, 0, 0], [n, h, w, part]);
      const bypass = tf.slice(x, [0, 0, 0, part], [n, h, w, c - part]);
      // A reduction edge halves the size: its bypass goes through MaxPool2d(2, 2).
      const kept = stride === 1 ? bypass : tf.maxPool(bypass, 2, 2, 'valid');
      const mixed =
        inner.apply(through, opWeights, weights, ctx, skip) ??
        tf.zeros([n, kept.shape[1], kept.shape[2], part]);
      return channelShuffle(tf.concat([mixed, kept], 3), k);
    },
  };
}
