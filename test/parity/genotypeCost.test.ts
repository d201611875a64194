/**
 * The analytic cost of a genotype's evaluation network (src/nas/genotype/genotypeCost.ts) against
 * PyTorch: parameters as DARTS's `cnn/utils.py` count_parameters_in_MB counts them and in all, and
 * the multiply-adds forward hooks on every Conv2d and Linear count (scripts/fixtures/cost_ref.py,
 * test/fixtures/genotypeCost.json), for DARTS_V1, DARTS_V2, random genotypes over every op, and
 * the ImageNet stem at 224×224.
 */
import { describe, expect, it } from 'vitest';
import type { CostNetwork, GenotypeCost } from '../../src/nas/genotype/genotypeCost';
import { DARTS_CIFAR_NETWORK, genotypeCost } from '../../src/nas/genotype/genotypeCost';
import { genotypeFromJson } from '../../src/nas/genotype/genotype';
import { DARTS_V2 } from '../../src/nas/genotype/publishedGenotypes';
import { loadFixture } from '../support/fixtures';

interface CostCase extends GenotypeCost {
  readonly name: string;
  readonly genotype: unknown;
  readonly network: CostNetwork;
}

const { cases } = loadFixture<{ cases: CostCase[] }>('genotypeCost.json');

describe('genotype cost against PyTorch', () => {
  it('holds the cases the reference script writes', () => {
    expect(cases.map((c) => c.name)).toEqual([
      'darts_v2_cifar10_paper',
      'darts_v1_cifar10_paper',
      'random_fashion_28',
      'random_nodes_3_5',
      'coverage_16',
      'darts_v2_imagenet_224',
    ]);
  });

  for (const ref of cases) {
    it(`${ref.name}: parameters and multiply-adds equal PyTorch's`, () => {
      const cost = genotypeCost(genotypeFromJson(ref.genotype), ref.network);
      expect(cost).toEqual({
        params: ref.params,
        paramsWithAuxiliary: ref.paramsWithAuxiliary,
        multAdds: ref.multAdds,
        auxiliaryMultAdds: ref.auxiliaryMultAdds,
      });
    });
  }

  it("gives DARTS_V2 at C 36, 20 cells (cnn/train.py --auxiliary) DARTS's 3,349,342 parameters", () => {
    const cost = genotypeCost(DARTS_V2, DARTS_CIFAR_NETWORK);
    expect(cost.params).toBe(3_349_342);
    expect(cost.paramsWithAuxiliary).toBe(3_825_768);
    expect(cost.multAdds).toBe(cases[0]?.multAdds);
  });
});
