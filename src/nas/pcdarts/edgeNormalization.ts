/**
 * PC-DARTS's edge normalization (`model_search.py` of yuhuixu1993/PC-DARTS, Network.forward
 * lines 137–158 and Cell.forward line 85): one β per edge, and each intermediate node weighs
 * the mixed ops of its incoming edges by the softmax of their β over those edges only (node i
 * has i + 2 of them). The weights also scale the op weights in the genotype rule
 * (`genotype()`, lines 186–198): see `pcGenotype.ts`.
 */
import * as tf from '../tensor/tf';

/** Each node's incoming edges as [first edge, count], in the cells' edge order. */
export function nodeEdgeRanges(steps: number): [number, number][] {
  const ranges: [number, number][] = [];
  let start = 0;
  for (let node = 0; node < steps; node++) {
    ranges.push([start, node + 2]);
    start += node + 2;
  }
  return ranges;
}

/** The normalised edge weights [edges] of the β logits [edges]: a softmax per node. */
export function edgeWeights(betas: tf.Tensor1D, steps: number): tf.Tensor1D {
  const parts = nodeEdgeRanges(steps).map(([start, count]) =>
    tf.softmax(tf.slice(betas, [start], [count])),
  );
  return tf.concat(parts) as tf.Tensor1D;
}

/** The same on the host: a softmax per node of plain numbers (reports, the genotype). */
export function edgeWeightValues(betas: readonly number[], steps: number): number[] {
  return nodeEdgeRanges(steps).flatMap(([start, count]) => {
    const row = betas.slice(start, start + count);
    const top = Math.max(...row);
    const exps = row.map((b) => Math.exp(b - top));
    const sum = exps.reduce((a, b) => a + b, 0);
    return exps.map((e) => e / sum);
  });
}
