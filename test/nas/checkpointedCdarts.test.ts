/**
 * Checkpointed cells in CDARTS's steps (`recompute/cellCheckpoint.ts` through `cdartsStep.ts`):
 * both warm-ups and the joint step, whose objective spans two checkpointed stacks (the search and
 * the evaluation network) and the distillation between them, move every weight, alpha, running
 * statistic and momentum buffer exactly as the plain backward does, with and without shared
 * modules; and the tensor count stays flat.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { CdartsConfig } from '../../src/nas/cdarts/cdartsConfig';
import { validateCdartsConfig } from '../../src/nas/cdarts/cdartsConfig';
import type { CdartsState } from '../../src/nas/cdarts/cdartsState';
import { createCdartsState, disposeCdartsState } from '../../src/nas/cdarts/cdartsState';
import { evalWeightStep, jointStep, searchWeightStep } from '../../src/nas/cdarts/cdartsStep';
import * as tf from '../../src/nas/tensor/tf';
import { tinyData } from '../support/tiny';
import { TINY_CDARTS } from '../support/tinyCdarts';
import { differingTensors } from '../support/tensorCompare';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const RATES = { weightLr: 0.05, nasnetLr: 0.05, alphaLr: 0.01 };

function batches() {
  const d = tinyData(16, 8, 2);
  const indices = [0, 1, 2, 3, 4, 5, 6, 7];
  const train = d.train.batch(indices);
  const val = d.val.batch(indices);
  const { height, width, channels, numClasses } = d.shape;
  return {
    train,
    val,
    shape: { height, width, channels, numClasses },
    dispose() {
      d.train.dispose();
      d.val.dispose();
      tf.dispose([train.x, train.y, val.x, val.y]);
    },
  };
}

/** Every variable of a state by name. */
function variables(s: CdartsState): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  const add = (prefix: string, m: Readonly<Record<string, tf.Tensor>>) => {
    for (const [n, v] of Object.entries(m)) out[`${prefix}:${n}`] = v;
  };
  add('shared', s.shared.weights);
  add('sharedBn', s.shared.buffers);
  add('search', s.search.weights);
  add('searchBn', s.search.buffers);
  add('eval', s.evalNet.weights);
  add('evalBn', s.evalNet.buffers);
  add('alpha', { normal: s.alphas.normal, reduce: s.alphas.reduce });
  add('searchMomentum', s.searchOptimizer.buffers);
  add('evalMomentum', s.evalNet.momentum);
  add('sharedMomentum', s.evalSharedMomentum);
  return out;
}

/** Each variable's values as a new tensor (the state's change is compared, not its values). */
function snapshot(s: CdartsState): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [n, v] of Object.entries(variables(s))) out[n] = tf.clone(v);
  return out;
}

function changes(
  s: CdartsState,
  before: Readonly<Record<string, tf.Tensor>>,
): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [n, v] of Object.entries(variables(s))) out[n] = tf.sub(v, before[n] as tf.Tensor);
  return out;
}

async function scalars(r: tf.TensorContainer): Promise<number[]> {
  const flat: number[] = [];
  const walk = async (t: unknown): Promise<void> => {
    if (t instanceof tf.Tensor) flat.push(...(await t.data()));
    else if (t && typeof t === 'object') for (const v of Object.values(t)) await walk(v);
  };
  await walk(r);
  return flat;
}

/** Warm-ups, then two joint steps; every step's scalars and the state's change. */
async function run(config: CdartsConfig, checkpointCells: boolean) {
  const b = batches();
  const s = createCdartsState({ ...config, checkpointCells }, b.shape);
  const before = snapshot(s);
  const figures: number[] = [];
  const steps: (() => tf.TensorContainer)[] = [
    () => searchWeightStep(s, b.train, RATES.weightLr),
    () => evalWeightStep(s, b.train, RATES.nasnetLr),
    () => jointStep(s, b.train, b.val, 0.3, RATES),
    () => jointStep(s, b.train, b.val, 0.3, RATES),
  ];
  for (const step of steps) {
    const r = step();
    figures.push(...(await scalars(r)));
    tf.dispose(r);
  }
  return {
    state: s,
    figures,
    changes: changes(s, before),
    dispose() {
      tf.dispose(Object.values(before));
      disposeCdartsState(s);
      b.dispose();
    },
  };
}

describe('checkpointed cells (CDARTS)', () => {
  for (const shareModule of [false, true]) {
    it(`move every variable as the plain steps do (share_module ${shareModule})`, async () => {
      const config = validateCdartsConfig({ ...TINY_CDARTS, shareModule });
      const plain = await run(config, false);
      const ckpt = await run(config, true);
      expect(ckpt.figures.length).toBe(plain.figures.length);
      ckpt.figures.forEach((v, i) => expect(v).toBeCloseTo(plain.figures[i] as number, 5));
      expect(await differingTensors(ckpt.changes, plain.changes, 1e-5)).toEqual([]);
      // The comparison means something: the alphas and the evaluation network moved.
      const moved = await scalars([
        tf.norm(ckpt.changes['alpha:normal'] as tf.Tensor),
        tf.norm(ckpt.changes['evalBn:cells.0.pre0.bn.runningMean'] as tf.Tensor),
      ]);
      expect(Math.min(...moved)).toBeGreaterThan(0);
      tf.dispose([...Object.values(plain.changes), ...Object.values(ckpt.changes)]);
      plain.dispose();
      ckpt.dispose();
    });
  }

  it('keep the tensor count flat across joint steps', async () => {
    const b = batches();
    const s = createCdartsState({ ...TINY_CDARTS, checkpointCells: true }, b.shape);
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) {
      tf.dispose(jointStep(s, b.train, b.val, 0.3, RATES));
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts).size).toBe(1);
    disposeCdartsState(s);
    b.dispose();
  });
});
