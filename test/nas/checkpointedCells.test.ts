/**
 * Checkpointed cells in the DARTS search (`recompute/cellCheckpoint.ts`): the gradients of the
 * checkpointed backward equal the plain backward's (weights and alphas, fused and reference
 * cells), a search step (first order and unrolled) leaves the same weights, alphas, running
 * statistics and optimizer states either way, tensors do not pile up across steps, and the
 * checkpointed step's memory peak is lower.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { toDevice } from '../../src/data/deviceSplit';
import { syntheticDataset } from '../../src/data/synthetic';
import { validateSearchConfig } from '../../src/nas/darts/searchConfig';
import type { SearchConfig } from '../../src/nas/darts/searchConfig';
import type { CellKernels } from '../../src/nas/darts/searchCell';
import type { SearchState } from '../../src/nas/darts/searchState';
import { createSearchState, disposeSearchState } from '../../src/nas/darts/searchState';
import type { Batch } from '../../src/nas/darts/searchStep';
import { searchStep, weightStep } from '../../src/nas/darts/searchStep';
import { crossEntropy } from '../../src/nas/ops/loss';
import { updatingContext } from '../../src/nas/ops/runningStats';
import type { StackedObjective } from '../../src/nas/recompute/cellCheckpoint';
import { valueAndGradsOf } from '../../src/nas/recompute/cellCheckpoint';
import * as tf from '../../src/nas/tensor/tf';
import { TINY_CONFIG } from '../support/tiny';
import { differingTensors, peakBytesOf } from '../support/tensorCompare';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** 4 cells (reductions at 1 and 2), 3 nodes, C 3, on 8×8×2 images of 3 classes. */
const CONFIG: SearchConfig = validateSearchConfig({
  ...TINY_CONFIG,
  layers: 4,
  nodes: 3,
  multiplier: 3,
  channels: 3,
  batchSize: 4,
});
const SHAPE = { height: 8, width: 8, channels: 2, numClasses: 3 };

function batches(): { train: Batch; val: Batch } {
  const data = syntheticDataset({ count: 8, size: 8, channels: 2, numClasses: 3, seed: 9 });
  const split = toDevice(data);
  const train = split.batch([0, 1, 2, 3]);
  const val = split.batch([4, 5, 6, 7]);
  split.dispose();
  return { train, val };
}

function state(checkpointCells: boolean, order: 1 | 2 = 1, kernels?: CellKernels): SearchState {
  return createSearchState({ ...CONFIG, order, checkpointCells }, SHAPE, {
    ...(kernels ? { kernels } : {}),
  });
}

/** The training objective on `batch` with every weight and both alphas requested. */
function gradients(s: SearchState, batch: Batch, checkpointed: boolean) {
  const ctx = updatingContext(s.buffers);
  const objective: StackedObjective = {
    stacks: [s.net.stack(batch.x, s.weights, s.alphas, ctx)],
    objective: (states) => crossEntropy(s.net.logits(states[0] ?? [], s.weights), batch.y),
  };
  const names = [...Object.keys(s.weights), 'alphas.normal', 'alphas.reduce'];
  const tensors = [...Object.values(s.weights), s.alphas.normal, s.alphas.reduce];
  const { value, grads } = valueAndGradsOf(objective, tensors, checkpointed);
  const named: Record<string, tf.Tensor> = {};
  names.forEach((n, i) => {
    const g = grads[i];
    if (!g) throw new Error(`no gradient for ${n}`);
    named[n] = g;
  });
  return { value, grads: named };
}

function mapValues(
  m: Readonly<Record<string, tf.Tensor>>,
  f: (t: tf.Tensor, name: string) => tf.Tensor,
): Record<string, tf.Tensor> {
  return Object.fromEntries(Object.entries(m).map(([n, t]) => [n, f(t, n)]));
}

/** Every variable of a search state by name (weights, buffers, alphas, optimizer states). */
function everything(s: SearchState): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [n, v] of Object.entries(s.weights)) out[`w:${n}`] = v;
  for (const [n, v] of Object.entries(s.buffers)) out[`b:${n}`] = v;
  out['alphas.normal'] = s.alphas.normal;
  out['alphas.reduce'] = s.alphas.reduce;
  for (const [n, v] of Object.entries(s.weightOptimizer.buffers)) out[`m:${n}`] = v;
  return out;
}

describe('checkpointed cells (DARTS supernet)', () => {
  for (const kernels of ['fused', 'reference'] as const) {
    it(`give the plain backward's weight and alpha gradients and statistics (${kernels})`, async () => {
      const { train } = batches();
      const plain = state(false, 1, kernels);
      const ckpt = state(true, 1, kernels);
      const a = gradients(plain, train, false);
      const b = gradients(ckpt, train, true);
      expect(await b.value.data()).toEqual(await a.value.data());
      expect(await differingTensors(b.grads, a.grads, 1e-5)).toEqual([]);
      // Every BatchNorm's running statistics moved once, to the same values.
      expect(await differingTensors(ckpt.buffers, plain.buffers, 1e-6)).toEqual([]);
      const fresh = state(true);
      const unmoved: string[] = [];
      for (const [n, v] of Object.entries(ckpt.buffers)) {
        const change = tf.max(tf.abs(tf.sub(v, fresh.buffers[n] as tf.Tensor)));
        if (!(((await change.data())[0] as number) > 0)) unmoved.push(n);
      }
      expect(unmoved).toEqual([]);
      disposeSearchState(fresh);
      // The alphas' gradients are not zero: the comparison means something.
      expect((await tf.norm(b.grads['alphas.normal'] as tf.Tensor).data())[0]).toBeGreaterThan(
        1e-6,
      );
      disposeSearchState(plain);
      disposeSearchState(ckpt);
    });
  }

  for (const order of [1, 2] as const) {
    it(`change the state as the plain search steps do (order ${order})`, async () => {
      const { train, val } = batches();
      const plain = state(false, order);
      const ckpt = state(true, order);
      const start = tf.tidy(() => mapValues(everything(plain), tf.clone));
      const rates = { weightLr: 0.1, alphaLr: 0.05 };
      for (let i = 0; i < 2; i++) {
        const p = searchStep(plain, train, val, rates);
        const c = searchStep(ckpt, train, val, rates);
        for (const key of ['trainLoss', 'trainAccuracy', 'valLoss'] as const) {
          const x = (await p[key].data())[0] as number;
          expect((await c[key].data())[0]).toBeCloseTo(x, 5);
        }
        tf.dispose([p, c] as unknown as tf.Tensor[]);
      }
      // The change of every variable (its values would hide a wrong gradient times the rate).
      const change = (s: SearchState) =>
        tf.tidy(() => mapValues(everything(s), (v, n) => tf.sub(v, start[n] as tf.Tensor)));
      const a = change(plain);
      const b = change(ckpt);
      expect(await differingTensors(b, a, 1e-5)).toEqual([]);
      tf.dispose([...Object.values(a), ...Object.values(b), ...Object.values(start)]);
      disposeSearchState(plain);
      disposeSearchState(ckpt);
    });
  }

  it('keep the tensor count flat across steps', async () => {
    const { train, val } = batches();
    const s = state(true, 2);
    const rates = { weightLr: 0.1, alphaLr: 0.05 };
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = searchStep(s, train, val, rates);
      tf.dispose(Object.values(r));
      counts.push(tf.memory().numTensors);
    }
    expect(counts[2]).toBe(counts[1]);
    expect(counts[1]).toBe(counts[0]);
    disposeSearchState(s);
  });

  it('lower the peak of a weight step', async () => {
    const { train } = batches();
    const peak = async (checkpointCells: boolean) => {
      const s = state(checkpointCells);
      const { peak: bytes, result } = await peakBytesOf(() => weightStep(s, train, 0.1));
      tf.dispose(Object.values(result));
      disposeSearchState(s);
      return bytes;
    };
    const plain = await peak(false);
    const ckpt = await peak(true);
    expect(ckpt).toBeLessThan(0.75 * plain);
  });
});
