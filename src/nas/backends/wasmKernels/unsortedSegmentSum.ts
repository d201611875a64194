/**
 * UnsortedSegmentSum (the gradient of a gather): out[s, …] = Σ x[i, …] over the rows i whose
 * segment id is s; ids outside [0, numSegments) are dropped. One id per row of x, as tfjs's
 * op and cpu kernel take them. A ScatterNd (which sums rows sent to the same place) into one
 * spare row that collects the out-of-range ids, cut off afterwards: the wasm ScatterNd does
 * not check its indices.
 */
import * as tf from '../../tensor/tf';
import type { CompositeInputs } from './compositeKernel';
import { compositeKernel, input } from './compositeKernel';

const NAME = 'UnsortedSegmentSum';

function unsortedSegmentSum(inputs: CompositeInputs, attrs: tf.NamedAttrMap): tf.Tensor {
  const x = input(inputs, 'x', NAME);
  const ids = input(inputs, 'segmentIds', NAME);
  const segments = attrs.numSegments;
  if (typeof segments !== 'number' || !Number.isInteger(segments) || segments < 0) {
    throw new Error(`${NAME}: attribute numSegments must be a non-negative integer`);
  }
  if (ids.shape.length !== 1 || ids.shape[0] !== x.shape[0]) {
    throw new Error(
      `${NAME}: segmentIds must be 1-D with one id per row of x (${x.shape[0]}), got shape [${ids.shape.join(', ')}]`,
    );
  }
  const rest = x.shape.slice(1);
  const intIds = tf.cast(ids, 'int32');
  const inRange = tf.logicalAnd(tf.greaterEqual(intIds, 0), tf.less(intIds, segments));
  const targets = tf.where(inRange, intIds, tf.fill(intIds.shape, segments, 'int32'));
  const withSpare = tf.scatterND(tf.reshape(targets, [ids.size, 1]), x, [segments + 1, ...rest]);
  return tf.slice(withSpare, 0, segments);
}

export const unsortedSegmentSumConfig = (backendName: string): tf.KernelConfig =>
  compositeKernel(NAME, backendName, unsortedSegmentSum);
