/**
 * The recurrent model's hand-written gradients against references, on the backend the calling
 * test file selects: the token cross-entropy (d logits = (softmax − onehot) / N) and the tied
 * embedding lookup (dy scattered onto the table's rows). References: a float64 computation in
 * JS (PyTorch's `nll_loss(log_softmax)` and `embedding` backward written out), and tfjs's own
 * autodiff of the formulations they replace (a one-hot pick of the log-softmax; a gather).
 * The backward must dispatch no UnsortedSegmentSum (tfjs-cpu's takes time proportional to
 * segments × elements) and a number of kernels independent of the number of targets.
 */
import { describe, expect, it } from 'vitest';
import { crossEntropy } from '../../src/nas/ops/loss';
import { embeddingLookup } from '../../src/nas/rnn/model/rnnEmbeddingLookup';
import { tokenCrossEntropy } from '../../src/nas/rnn/model/rnnLoss';
import * as tf from '../../src/nas/tensor/tf';
import { countKernels, formatKernelCount } from '../support/kernelCount';

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return m;
}

/** PyTorch's mean nll_loss(log_softmax(x)) and its gradient, in float64. */
function crossEntropyReference(x: Float32Array, targets: Int32Array, v: number) {
  const n = targets.length;
  const grad = new Float64Array(n * v);
  let loss = 0;
  for (let r = 0; r < n; r++) {
    let max = -Infinity;
    for (let c = 0; c < v; c++) max = Math.max(max, x[r * v + c] ?? 0);
    let sum = 0;
    for (let c = 0; c < v; c++) sum += Math.exp((x[r * v + c] ?? 0) - max);
    const t = targets[r] ?? 0;
    loss -= (x[r * v + t] ?? 0) - max - Math.log(sum);
    for (let c = 0; c < v; c++) {
      grad[r * v + c] = (Math.exp((x[r * v + c] ?? 0) - max) / sum - (c === t ? 1 : 0)) / n;
    }
  }
  return { loss: loss / n, grad };
}

function randomTargets(n: number, v: number, seed: number): tf.Tensor1D {
  return tf.randomUniform([n], 0, v, 'int32', seed) as tf.Tensor1D;
}

const ceGrad = (targets: tf.Tensor1D) =>
  tf.valueAndGrad((l: tf.Tensor) => tokenCrossEntropy(l as tf.Tensor2D, targets));

export function describeRnnLossGradients(backend: string, tol: number): void {
  describe(`recurrent loss gradients (${backend})`, () => {
    it('token cross-entropy: value and gradient equal a float64 reference and the one-hot formulation', async () => {
      const [n, v] = [37, 211];
      const logits = tf.mul(tf.randomNormal([n, v], 0, 1, 'float32', 5), 3) as tf.Tensor2D;
      const targets = randomTargets(n, v, 6);
      const { value, grad } = ceGrad(targets)(logits);
      const ref = crossEntropyReference(
        (await logits.data()) as Float32Array,
        (await targets.data()) as Int32Array,
        v,
      );
      expect(Math.abs(((await value.data())[0] ?? NaN) - ref.loss)).toBeLessThan(tol * ref.loss);
      const g = await grad.data();
      expect(maxAbsDiff(g, ref.grad)).toBeLessThan(tol);
      // The formulation it replaces in value, autodiff through a one-hot pick.
      const old = tf.valueAndGrad((l: tf.Tensor) => crossEntropy(l as tf.Tensor2D, targets))(
        logits,
      );
      expect(Math.abs(((await old.value.data())[0] ?? NaN) - ref.loss)).toBeLessThan(
        tol * ref.loss,
      );
      expect(maxAbsDiff(g, await old.grad.data())).toBeLessThan(tol);
      tf.dispose([logits, targets, value, grad, old.value, old.grad]);
    });

    it('token cross-entropy scales with the upstream gradient and refuses mismatched targets', async () => {
      const logits = tf.randomNormal([5, 7], 0, 1, 'float32', 8) as tf.Tensor2D;
      const targets = tf.tensor1d([0, 6, 3, 3, 1], 'int32');
      const g1 = tf.grad((l: tf.Tensor) => tokenCrossEntropy(l as tf.Tensor2D, targets))(logits);
      const g3 = tf.grad((l: tf.Tensor) => tf.mul(tokenCrossEntropy(l as tf.Tensor2D, targets), 3))(
        logits,
      );
      expect(
        maxAbsDiff(
          await g3.data(),
          (await g1.data()).map((x) => 3 * x),
        ),
      ).toBeLessThan(tol);
      expect(() => tokenCrossEntropy(logits, tf.tensor1d([1, 2], 'int32'))).toThrow(
        /5 rows of logits for 2 targets/,
      );
      tf.dispose([logits, targets, g1, g3]);
    });

    it('embedding lookup: rows and the gradient (repeated ids summed) equal a gather', async () => {
      const [vocab, width] = [53, 6];
      const table = tf.randomNormal([vocab, width], 0, 1, 'float32', 9) as tf.Tensor2D;
      const ids = tf.tensor1d([4, 0, 52, 4, 17, 4, 0, 31], 'int32');
      const weights = tf.randomNormal([ids.size, width], 0, 1, 'float32', 10);
      const loss = (lookup: (t: tf.Tensor2D) => tf.Tensor) => (t: tf.Tensor) =>
        tf.sum(tf.mul(lookup(t as tf.Tensor2D), weights));
      const mine = tf.valueAndGrad(loss((t) => embeddingLookup(t, ids)))(table);
      const theirs = tf.valueAndGrad(loss((t) => tf.gather(t, ids)))(table);
      expect(maxAbsDiff(await mine.value.data(), await theirs.value.data())).toBeLessThan(tol);
      // float64 reference: row r of the gradient is the sum of the weights' rows whose id is r.
      const idv = await ids.data();
      const w = await weights.data();
      const ref = new Float64Array(vocab * width);
      idv.forEach((id, i) => {
        for (let c = 0; c < width; c++) {
          ref[id * width + c] = (ref[id * width + c] ?? 0) + (w[i * width + c] ?? 0);
        }
      });
      const g = await mine.grad.data();
      expect(maxAbsDiff(g, ref)).toBeLessThan(tol);
      expect(maxAbsDiff(g, await theirs.grad.data())).toBeLessThan(tol);
      tf.dispose([table, ids, weights, mine.value, mine.grad, theirs.value, theirs.grad]);
    });

    it('backward passes dispatch no UnsortedSegmentSum and as many kernels for 8 as for 512 targets', async () => {
      const v = 300;
      const ceCount = (n: number) => {
        const logits = tf.randomNormal([n, v], 0, 1, 'float32', 11) as tf.Tensor2D;
        const targets = randomTargets(n, v, 12);
        return countKernels(() => {
          const r = ceGrad(targets)(logits);
          tf.dispose([logits, targets]);
          return [r.value, r.grad];
        });
      };
      const lookupCount = (n: number) => {
        const table = tf.randomNormal([v, 8], 0, 1, 'float32', 13) as tf.Tensor2D;
        const ids = randomTargets(n, v, 14);
        return countKernels(() => {
          const g = tf.grad((t: tf.Tensor) => tf.sum(embeddingLookup(t as tf.Tensor2D, ids)))(
            table,
          );
          tf.dispose([table, ids]);
          return g;
        });
      };
      for (const count of [ceCount, lookupCount]) {
        const small = await count(8);
        const large = await count(512);
        expect(small.byName.has('UnsortedSegmentSum'), formatKernelCount(small)).toBe(false);
        expect(large.total, formatKernelCount(large)).toBe(small.total);
      }
    });

    it('leaves no tensors behind', () => {
      const logits = tf.randomNormal([6, 9], 0, 1, 'float32', 15) as tf.Tensor2D;
      const targets = randomTargets(6, 9, 16);
      const table = tf.randomNormal([9, 4], 0, 1, 'float32', 17) as tf.Tensor2D;
      const run = () =>
        tf.tidy(() =>
          tf.grads((l: tf.Tensor, t: tf.Tensor) =>
            tf.add(
              tokenCrossEntropy(l as tf.Tensor2D, targets),
              tf.sum(embeddingLookup(t as tf.Tensor2D, targets)),
            ),
          )([logits, table]),
        );
      tf.dispose(run());
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) tf.dispose(run());
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([logits, targets, table]);
    });
  });
}
