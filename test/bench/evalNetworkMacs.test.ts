/**
 * Two counts of the same multiply-adds agree: the genotype's analytic cost
 * (src/nas/genotype/genotypeCost.ts, what the lab and genotype.json show) and the bench's count
 * of the kernels tfjs runs (bench/macs.ts through bench/stepProfile.ts), on the retrain's
 * evaluation network — in evaluation mode the network's, in training mode with the auxiliary
 * head's added. Genotypes without dilated convolutions only: the engine runs a dilated depthwise
 * convolution as an undilated one over its kernel spread out with zeros (a k·d − d + 1 square),
 * so the kernels it runs do more multiply-adds than the network's nominal count, which counts
 * each tap once as PyTorch's hooks do.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { profileStep } from '../../bench/stepProfile';
import type { Genotype } from '../../src/nas/genotype/genotype';
import type { CostNetwork } from '../../src/nas/genotype/genotypeCost';
import { genotypeCost } from '../../src/nas/genotype/genotypeCost';
import { DARTS_V1 } from '../../src/nas/genotype/publishedGenotypes';
import { evalNetwork } from '../../src/nas/retrain/evalNetwork';
import { createVariables } from '../../src/nas/tensor/initParams';
import type { TensorMap } from '../../src/nas/tensor/layer';
import { Rng } from '../../src/nas/tensor/random';
import * as tf from '../../src/nas/tensor/tf';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const BATCH = 2;

/** Kernel multiply-adds per image of one forward of `genotype`'s network of sizes `net`. */
async function kernelMultAdds(genotype: Genotype, net: CostNetwork, training: boolean) {
  const built = evalNetwork({ genotype, ...net });
  const weights = createVariables(built.params, Rng.fromSeed(5), true) as TensorMap;
  const buffers = createVariables(built.buffers, Rng.fromSeed(5), false) as TensorMap;
  const x = tf.randomNormal([BATCH, net.imageSize, net.imageSize, net.imageChannels]);
  const profile = await profileStep(() =>
    tf.tidy(() => {
      const { logits, auxLogits } = built.forward(x as tf.Tensor4D, weights, {
        ctx: { training, buffers },
      });
      return auxLogits ? tf.add(logits.sum(), auxLogits.sum()) : logits.sum();
    }),
  );
  tf.dispose([x, ...Object.values(weights), ...Object.values(buffers)]);
  return profile.macs / BATCH;
}

/** Every op but the dilated convolutions, in both cells; one node reads a node. */
const UNDILATED: Genotype = {
  normal: [
    ['sep_conv_5x5', 1],
    ['conv_7x1_1x7', 0],
    ['sep_conv_7x7', 2],
    ['avg_pool_3x3', 1],
    ['sep_conv_3x3', 3],
    ['none', 0],
  ],
  normalConcat: [2, 3, 4],
  reduce: [
    ['skip_connect', 0],
    ['conv_7x1_1x7', 1],
    ['sep_conv_5x5', 0],
    ['max_pool_3x3', 2],
    ['skip_connect', 3],
    ['sep_conv_7x7', 1],
  ],
  reduceConcat: [3, 4],
};

describe("the genotype's multiply-adds against the kernels tfjs runs", () => {
  const small: CostNetwork = {
    c: 4,
    layers: 5,
    numClasses: 10,
    imageChannels: 1,
    imageSize: 16,
    stem: 'cifar',
    auxiliary: true,
  };
  const cases: [string, Genotype, CostNetwork][] = [
    ['DARTS_V1', DARTS_V1, small],
    ['every undilated op', UNDILATED, { ...small, c: 6, imageChannels: 3 }],
    ['DARTS_V1 with the ImageNet stem', DARTS_V1, { ...small, stem: 'imagenet', imageSize: 64 }],
  ];
  for (const [name, genotype, net] of cases) {
    it(`${name}: the same count in evaluation and in training`, async () => {
      const cost = genotypeCost(genotype, net);
      expect(await kernelMultAdds(genotype, net, false)).toBe(cost.multAdds);
      expect(await kernelMultAdds(genotype, net, true)).toBe(
        cost.multAdds + cost.auxiliaryMultAdds,
      );
    });
  }
});
