/**
 * Parity of the DARTS evaluation network with PyTorch (scripts/fixtures/eval_network_ref.py):
 * training forward (logits, auxiliary logits, loss with drop path replaying PyTorch's masks),
 * the gradient of the loss w.r.t. every weight, BatchNorm running statistics after that
 * forward, and the evaluation-mode forward with them.
 */
import { describe, expect, it } from 'vitest';
import type { KeepMaskSource } from '../../src/nas/ops/dropPath';
import type { EvalNetworkSpec } from '../../src/nas/retrain/evalNetwork';
import { evalNetwork } from '../../src/nas/retrain/evalNetwork';
import { evalTrainingLoss } from '../../src/nas/retrain/evalLoss';
import type { Genotype } from '../../src/nas/genotype/genotype';
import { genotypeFromJson, genotypesEqual } from '../../src/nas/genotype/genotype';
import { createVariables } from '../../src/nas/tensor/initParams';
import { DARTS_V1, DARTS_V2 } from '../../src/nas/genotype/publishedGenotypes';
import { Rng } from '../../src/nas/tensor/random';
import { updatingContext } from '../../src/nas/ops/runningStats';
import * as tf from '../../src/nas/tensor/tf';
import { zipMap } from '../../src/nas/tensor/tensorMaps';
import type { TensorJson } from '../support/fixtures';
import {
  loadFixture,
  relativeError,
  relativeL2Error,
  toTensor,
  toTensorMap,
} from '../support/fixtures';

interface EvalCase {
  name: string;
  genotypeName: string | null;
  genotype: unknown;
  config: Omit<EvalNetworkSpec, 'genotype' | 'auxiliaryWidths'> & {
    auxiliaryWidths: [number, number];
  };
  auxWeight: number;
  dropPathProb: number;
  dropPathMasks: number[][];
  x: TensorJson;
  y: number[];
  params: Record<string, TensorJson>;
  logits: TensorJson;
  auxLogits: TensorJson | null;
  loss: number;
  grads: Record<string, TensorJson>;
  runningStats: Record<string, TensorJson>;
  evalLogits: TensorJson;
}

const PUBLISHED: Record<string, Genotype> = { DARTS_V1, DARTS_V2 };

/** Replays PyTorch's drop-path masks in draw order and counts what was drawn. */
function replayMasks(masks: number[][]): KeepMaskSource & { drawn: () => number } {
  let i = 0;
  return {
    next(batch) {
      const m = masks[i++];
      if (!m) throw new Error(`drop path drew mask ${i}, PyTorch drew only ${masks.length}`);
      expect(m.length).toBe(batch);
      return Float32Array.from(m);
    },
    drawn: () => i,
  };
}

function flatten(tensors: tf.Tensor[]): tf.Tensor {
  return tf.concat(tensors.map((g) => tf.reshape(g, [-1])));
}

export function describeEvalNetworkParity(backend: string, tolerance: number): void {
  const fx = loadFixture<{ cases: EvalCase[] }>('evalNetwork.json');

  describe(`evaluation network matches PyTorch on ${backend}`, () => {
    for (const c of fx.cases) {
      const genotype = genotypeFromJson(c.genotype);
      const net = evalNetwork({ ...c.config, genotype });

      it(`${c.name}: genotype and the names of every parameter and running statistic`, () => {
        if (c.genotypeName !== null) {
          const published = PUBLISHED[c.genotypeName];
          expect(published).toBeDefined();
          expect(genotypesEqual(genotype, published as Genotype)).toBe(true);
        }
        expect(net.params.map((p) => p.name).sort()).toEqual(Object.keys(c.params).sort());
        for (const p of net.params) {
          expect({ name: p.name, shape: p.shape }).toEqual({
            name: p.name,
            shape: (c.params[p.name] as TensorJson).shape,
          });
        }
        expect(net.buffers.map((b) => b.name).sort()).toEqual(Object.keys(c.runningStats).sort());
      });

      it(`${c.name}: training forward, loss, all weight gradients, running statistics, evaluation forward`, async () => {
        const names = Object.keys(c.params);
        const weights = toTensorMap(c.params);
        const buffers = createVariables(net.buffers, Rng.fromSeed(0), false);
        const masks = replayMasks(c.dropPathMasks);
        const x = toTensor(c.x) as tf.Tensor4D;
        const y = tf.tensor1d(c.y, 'int32');
        let logits: tf.Tensor2D | null = null;
        let auxLogits: tf.Tensor2D | null = null;
        const { value, grads } = tf.valueAndGrads((...ws: tf.Tensor[]) => {
          const out = net.forward(x, zipMap(names, ws), {
            ctx: updatingContext(buffers),
            dropPath: { prob: c.dropPathProb, masks },
          });
          logits = tf.keep(out.logits);
          auxLogits = out.auxLogits ? tf.keep(out.auxLogits) : null;
          return evalTrainingLoss(out, y, c.auxWeight);
        })(names.map((n) => weights[n] as tf.Tensor));

        expect(masks.drawn()).toBe(c.dropPathMasks.length);
        if (c.dropPathProb > 0) {
          const sites = net.cells.reduce((total, cell) => total + cell.dropPathSites, 0);
          expect(c.dropPathMasks.length).toBe(sites);
        }
        expect(await relativeError(logits as unknown as tf.Tensor, c.logits)).toBeLessThan(
          tolerance,
        );
        if (c.auxLogits === null) {
          expect(auxLogits).toBeNull();
        } else {
          expect(auxLogits).not.toBeNull();
          expect(await relativeError(auxLogits as unknown as tf.Tensor, c.auxLogits)).toBeLessThan(
            tolerance,
          );
        }
        expect(Math.abs((await value.data())[0]! - c.loss) / c.loss).toBeLessThan(tolerance);

        // All weight gradients as one vector (relative L2, as the supernet's), and each tensor.
        const expected = names.flatMap((n) => (c.grads[n] as TensorJson).data);
        expect(
          await relativeL2Error(flatten(grads), { shape: [expected.length], data: expected }),
        ).toBeLessThan(tolerance);
        const bad: string[] = [];
        for (const [i, n] of names.entries()) {
          const err = await relativeL2Error(grads[i] as tf.Tensor, c.grads[n] as TensorJson);
          if (!(err < tolerance)) bad.push(`${n}: ${err}`);
        }
        expect(bad).toEqual([]);

        const badStats: string[] = [];
        for (const [n, t] of Object.entries(c.runningStats)) {
          const err = await relativeError(buffers[n] as tf.Variable, t);
          if (!(err < tolerance)) badStats.push(`${n}: ${err}`);
        }
        expect(badStats).toEqual([]);

        const evalOut = net.forward(x, weights, { ctx: { training: false, buffers } });
        expect(evalOut.auxLogits).toBeNull();
        expect(await relativeError(evalOut.logits, c.evalLogits)).toBeLessThan(tolerance);
      });
    }
  });
}
