/**
 * The analytic genotype cost (src/nas/genotype/genotypeCost.ts) agrees with the network the
 * retrain builds (evalNetwork.ts's parameter list) for every published genotype, follows the
 * genotype when it changes, refuses sizes the network refuses, and says what it assumes.
 */
import { describe, expect, it } from 'vitest';
import type { Genotype } from '../../src/nas/genotype/genotype';
import { parseGenotype, stringifyGenotype } from '../../src/nas/genotype/genotype';
import { importGenotypeText } from '../../src/nas/genotype/genotypeFormats';
import { genotypeFile } from '../../src/nas/runKind/runReports';
import type { CostNetwork } from '../../src/nas/genotype/genotypeCost';
import {
  DARTS_CIFAR_NETWORK,
  DARTS_IMAGENET_NETWORK,
  genotypeCost,
} from '../../src/nas/genotype/genotypeCost';
import {
  genotypeCostJson,
  genotypeCostOfJson,
  genotypeCostText,
} from '../../src/nas/genotype/genotypeCostText';
import { DARTS_V2, PUBLISHED_GENOTYPES } from '../../src/nas/genotype/publishedGenotypes';
import { countParameters, evalNetwork } from '../../src/nas/retrain/evalNetwork';

const SMALL: CostNetwork = {
  c: 8,
  layers: 5,
  numClasses: 10,
  imageChannels: 1,
  imageSize: 16,
  stem: 'cifar',
  auxiliary: true,
};

describe('genotype cost', () => {
  const networks: [string, CostNetwork][] = [
    ['paper CIFAR', DARTS_CIFAR_NETWORK],
    ['paper ImageNet', DARTS_IMAGENET_NETWORK],
    ['small', SMALL],
    ['small, no head', { ...SMALL, auxiliary: false, c: 6, layers: 4 }],
  ];
  for (const [name, genotype] of Object.entries(PUBLISHED_GENOTYPES)) {
    it(`counts ${name}'s parameters as the retrain's network holds them`, () => {
      for (const [, net] of networks) {
        const built = evalNetwork({ genotype, ...net });
        const cost = genotypeCost(genotype, net);
        expect(cost.params).toBe(countParameters(built, { includeAuxiliary: false }));
        expect(cost.paramsWithAuxiliary).toBe(countParameters(built, { includeAuxiliary: true }));
      }
    });
  }

  it('follows the genotype: one sep_conv_3x3 of the normal cell made a skip', () => {
    const changed: Genotype = {
      ...DARTS_V2,
      normal: DARTS_V2.normal.map((gene, i) => (i === 0 ? ['skip_connect', gene[1]] : gene)),
    };
    const before = genotypeCost(DARTS_V2, DARTS_CIFAR_NETWORK);
    const after = genotypeCost(changed, DARTS_CIFAR_NETWORK);
    // A SepConv at C: twice (depthwise 3×3 + pointwise + BN); six normal cells at each width.
    const sepParams = (c: number) => 2 * (9 * c + c * c + 2 * c);
    const sepMacs = (c: number, size: number) => 2 * (9 * c + c * c) * size * size;
    expect(before.params - after.params).toBe(6 * (sepParams(36) + sepParams(72) + sepParams(144)));
    expect(before.multAdds - after.multAdds).toBe(
      6 * (sepMacs(36, 32) + sepMacs(72, 16) + sepMacs(144, 8)),
    );
    expect(after.auxiliaryMultAdds).toBe(before.auxiliaryMultAdds);
  });

  it('grows with the channels and the cells, and the head only adds to the total', () => {
    const base = genotypeCost(DARTS_V2, SMALL);
    expect(genotypeCost(DARTS_V2, { ...SMALL, c: 16 }).multAdds).toBeGreaterThan(base.multAdds);
    expect(genotypeCost(DARTS_V2, { ...SMALL, layers: 8 }).params).toBeGreaterThan(base.params);
    const headless = genotypeCost(DARTS_V2, { ...SMALL, auxiliary: false });
    expect(headless).toEqual({
      params: base.params,
      paramsWithAuxiliary: base.params,
      multAdds: base.multAdds,
      auxiliaryMultAdds: 0,
    });
    expect(base.paramsWithAuxiliary).toBeGreaterThan(base.params);
  });

  it('refuses sizes the network cannot run on', () => {
    expect(() => genotypeCost(DARTS_V2, { ...SMALL, imageSize: 18 })).toThrow(/odd 9-pixel/);
    expect(() => genotypeCost(DARTS_V2, { ...SMALL, imageSize: 4 })).toThrow(/at least 2×2/);
    expect(() => genotypeCost(DARTS_V2, { ...SMALL, c: 0 })).toThrow(/channels must be/);
    const inputs: Genotype = { ...DARTS_V2, reduceConcat: [1, 2] };
    expect(() => genotypeCost(inputs, SMALL)).toThrow(/cannot concatenate its inputs/);
  });

  it('says what it counts and at which sizes', () => {
    const cost = genotypeCost(DARTS_V2, DARTS_CIFAR_NETWORK);
    expect(genotypeCostText(cost, DARTS_CIFAR_NETWORK)).toBe(
      '3.35M parameters (3.83M with the auxiliary head), 528M multiply-adds per image at C 36, 20 cells, 32×32×3 images, 10 classes, auxiliary head',
    );
    expect(genotypeCostJson(DARTS_V2)).toEqual({
      c: 36,
      layers: 20,
      numClasses: 10,
      imageChannels: 3,
      imageSize: 32,
      stem: 'cifar',
      auxiliary: true,
      params: 3_349_342,
      paramsWithAuxiliary: 3_825_768,
      multAdds: cost.multAdds,
    });
  });

  it('is in the genotype.json a run writes; readers take that file and one without it', () => {
    const written = genotypeFile(DARTS_V2).data as string;
    const json = JSON.parse(written) as unknown;
    expect(json).toMatchObject({ format: 'nas-lab.genotype', cost: genotypeCostJson(DARTS_V2) });
    expect(genotypeCostOfJson(json)).toEqual({
      network: DARTS_CIFAR_NETWORK,
      cost: { params: 3_349_342, paramsWithAuxiliary: 3_825_768, multAdds: 528_359_040 },
    });
    // Each [op, input] pair stays on one line, as DARTS prints genotypes.
    expect(written).toContain('    ["sep_conv_3x3", 0],\n');
    expect(parseGenotype(written)).toEqual(DARTS_V2);
    expect(importGenotypeText(written).genotype).toEqual(DARTS_V2);
    const before = stringifyGenotype(DARTS_V2);
    expect(parseGenotype(before)).toEqual(DARTS_V2);
    expect(genotypeCostOfJson(JSON.parse(before))).toBeNull();
    expect(
      genotypeCostOfJson({ cost: { ...genotypeCostJson(DARTS_V2), stem: 'mnist' } }),
    ).toBeNull();
    // A genotype the network cannot be built from is written without a cost.
    const inputs: Genotype = { ...DARTS_V2, reduceConcat: [0, 2] };
    const plain = JSON.parse(genotypeFile(inputs).data as string) as Record<string, unknown>;
    expect('cost' in plain).toBe(false);
    expect(parseGenotype(genotypeFile(inputs).data as string)).toEqual(inputs);
  });
});
