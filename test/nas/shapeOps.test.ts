/**
 * The shape operations whose gradients keep no tensors (`recompute/shapeOps.ts`): the same
 * values and gradients as tfjs's reshape, concat and slice, on the cpu backend, and a concat's
 * inputs are freed with their scope under the gradient tape (tfjs's concat saves them).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { leanConcat, leanReshape, leanSlice } from '../../src/nas/recompute/shapeOps';
import * as tf from '../../src/nas/tensor/tf';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function values(t: tf.Tensor | tf.Tensor[]): Promise<number[]> {
  const list = Array.isArray(t) ? t : [t];
  const out: number[] = [];
  for (const x of list) out.push(...(await x.data()));
  return out;
}

/** Value and gradient (w.r.t. both inputs) of Σ w ⊙ op(a, b), w fixed and random. */
function probe(op: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, a: tf.Tensor, b: tf.Tensor) {
  const shape = op(a, b).shape;
  const w = tf.randomNormal(shape, 0, 1, 'float32', 7);
  const g = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(op(x, y), w)))([a, b]);
  return { value: op(a, b), grads: g };
}

describe('shape operations without saved tensors', () => {
  const a = tf.randomNormal([2, 3, 4, 5], 0, 1, 'float32', 1);
  const b = tf.randomNormal([2, 3, 4, 2], 0, 1, 'float32', 2);
  type Op = (x: tf.Tensor, y: tf.Tensor) => tf.Tensor;
  const cases: [string, Op, Op][] = [];
  cases.push(
    [
      'concat',
      (x, y) => leanConcat([x, tf.mul(y, 2)], 3),
      (x, y) => tf.concat([x, tf.mul(y, 2)], 3),
    ],
    [
      'concat, negative axis',
      (x, y) => leanConcat([y, x, y], -1),
      (x, y) => tf.concat([y, x, y], -1),
    ],
    [
      'reshape',
      (x, y) => tf.add(leanReshape(x, [6, 20]), tf.sum(y)),
      (x, y) => tf.add(tf.reshape(x, [6, 20]), tf.sum(y)),
    ],
    [
      'slice',
      (x, y) => tf.add(leanSlice(x, [1, 0, 1, 2], [1, -1, 2, 3]), tf.sum(y)),
      (x, y) => tf.add(tf.slice(x, [1, 0, 1, 2], [1, -1, 2, 3]), tf.sum(y)),
    ],
  );
  for (const [what, lean, plain] of cases) {
    it(`computes ${what} and its gradient as tfjs does`, async () => {
      const l = probe(lean, a, b);
      const p = probe(plain, a, b);
      expect(l.value.shape).toEqual(p.value.shape);
      expect(await values(l.value)).toEqual(await values(p.value));
      expect(await values(l.grads)).toEqual(await values(p.grads));
    });
  }

  it("frees a concat's inputs with their scope under the tape", () => {
    const x = tf.randomNormal([8, 8]);
    const inScope = (concat: (ts: tf.Tensor[]) => tf.Tensor) => {
      let alive = 0;
      const g = tf.grad((t: tf.Tensor) => {
        const before = tf.memory().numDataBuffers;
        // neg saves nothing for its gradient: only the concat could keep its outputs.
        const y = tf.tidy(() => concat([tf.neg(t), tf.neg(t)]));
        alive = tf.memory().numDataBuffers - before;
        return tf.sum(y);
      })(x);
      g.dispose();
      return alive;
    };
    expect(inScope((ts) => leanConcat(ts))).toBe(1);
    expect(inScope((ts) => tf.concat(ts))).toBe(3);
  });
});
