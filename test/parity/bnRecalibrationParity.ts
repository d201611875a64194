/**
 * Parity of BatchNorm recalibration with PyTorch (scripts/fixtures/bn_recalibration_ref.py):
 * `BatchNorm2d(momentum=None)` after `reset_running_stats()`, K forwards in train() mode without
 * gradients, then the evaluation forward with those statistics, on the DARTS search network
 * (affine-free candidate BatchNorms that track statistics, both cell kernels) and on the
 * evaluation network (every BatchNorm compared by name).
 */
import { describe, expect, it } from 'vitest';
import { recalibratedStatistics } from '../../src/nas/ops/bnRecalibration';
import { DARTS_PRIMITIVES } from '../../src/nas/ops/primitives';
import type { SupernetSpec } from '../../src/nas/darts/supernet';
import { supernet } from '../../src/nas/darts/supernet';
import type { EvalNetworkSpec } from '../../src/nas/retrain/evalNetwork';
import { evalNetwork } from '../../src/nas/retrain/evalNetwork';
import { genotypeFromJson } from '../../src/nas/genotype/genotype';
import { createVariables } from '../../src/nas/tensor/initParams';
import { Rng } from '../../src/nas/tensor/random';
import type { TensorMap } from '../../src/nas/tensor/layer';
import * as tf from '../../src/nas/tensor/tf';
import type { TensorJson } from '../support/fixtures';
import { loadFixture, relativeError, toTensor, toTensorMap } from '../support/fixtures';

interface Case {
  params: Record<string, TensorJson>;
  batches: TensorJson[];
  x: TensorJson;
  logits: TensorJson;
}

interface Fixture {
  batches: number;
  search: Case & {
    config: Omit<SupernetSpec, 'primitives' | 'kernels'>;
    alphas: { normal: TensorJson; reduce: TensorJson };
    stemStats: Record<string, TensorJson>;
  };
  eval: Case & {
    config: Omit<EvalNetworkSpec, 'genotype'>;
    genotype: unknown;
    runningStats: Record<string, TensorJson>;
  };
}

/** The fixture's batches as inputs (recalibratedStatistics disposes each after its forward). */
function inputsOf(c: Case): (i: number) => tf.Tensor4D {
  return (i) => toTensor(c.batches[i] as TensorJson) as tf.Tensor4D;
}

/** The names whose statistics differ from PyTorch's beyond the tolerance, with their error. */
async function badStats(
  actual: TensorMap,
  expected: Record<string, TensorJson>,
  tolerance: number,
): Promise<string[]> {
  const bad: string[] = [];
  for (const [name, t] of Object.entries(expected)) {
    const a = actual[name];
    const err = a ? await relativeError(a, t) : Number.POSITIVE_INFINITY;
    if (!(err < tolerance)) bad.push(`${name}: ${err}`);
  }
  return bad;
}

export function describeBnRecalibrationParity(backend: string, tolerance: number): void {
  const fx = loadFixture<Fixture>('bnRecalibration.json');

  describe(`BatchNorm recalibration matches PyTorch's momentum=None on ${backend}`, () => {
    for (const kernels of ['fused', 'reference'] as const) {
      it(`search network (${kernels} cells): statistics over ${fx.batches} batches, evaluation logits`, async () => {
        const c = fx.search;
        const net = supernet({ ...c.config, primitives: [...DARTS_PRIMITIVES], kernels });
        expect(net.kernels).toBe(kernels);
        const weights = toTensorMap(c.params);
        const alphas = {
          normal: toTensor(c.alphas.normal) as tf.Tensor2D,
          reduce: toTensor(c.alphas.reduce) as tf.Tensor2D,
        };
        const buffers = createVariables(net.buffers, Rng.fromSeed(0), false);
        const forward = (x: tf.Tensor4D, ctx: Parameters<typeof net.forward>[3]) =>
          net.forward(x, weights, alphas, ctx);
        const before = tf.memory().numTensors;
        const stats = recalibratedStatistics(fx.batches, inputsOf(c), forward, buffers);
        // Nothing is left behind but the statistics (the fused cell reports inside its kernel).
        expect(tf.memory().numTensors - before).toBe(Object.keys(stats).length);
        // Every BatchNorm of the network reported, the affine-free ones of the candidates too.
        expect(Object.keys(stats).sort()).toEqual(net.buffers.map((b) => b.name).sort());
        expect(await badStats(stats, c.stemStats, tolerance)).toEqual([]);
        const x = toTensor(c.x) as tf.Tensor4D;
        const evaluate = (b: TensorMap) => forward(x, { training: false, buffers: b });
        expect(await relativeError(evaluate({ ...buffers, ...stats }), c.logits)).toBeLessThan(
          tolerance,
        );
        // The network's own statistics (0 and 1 here) give other logits: the test can fail.
        expect(await relativeError(evaluate(buffers), c.logits)).toBeGreaterThan(0.01);
      });
    }

    it(`evaluation network: every statistic by name over ${fx.batches} batches, evaluation logits`, async () => {
      const c = fx.eval;
      const net = evalNetwork({ ...c.config, genotype: genotypeFromJson(c.genotype) });
      const weights = toTensorMap(c.params);
      const buffers = createVariables(net.buffers, Rng.fromSeed(0), false);
      const forward = (x: tf.Tensor4D, ctx: Parameters<typeof net.forward>[2]['ctx']) =>
        net.forward(x, weights, { ctx }).logits;
      const stats = recalibratedStatistics(fx.batches, inputsOf(c), forward, buffers);
      expect(Object.keys(stats).sort()).toEqual(Object.keys(c.runningStats).sort());
      expect(await badStats(stats, c.runningStats, tolerance)).toEqual([]);
      const x = toTensor(c.x) as tf.Tensor4D;
      const evaluate = (b: TensorMap) => forward(x, { training: false, buffers: b });
      expect(await relativeError(evaluate({ ...buffers, ...stats }), c.logits)).toBeLessThan(
        tolerance,
      );
      expect(await relativeError(evaluate(buffers), c.logits)).toBeGreaterThan(0.01);
    });
  });
}
