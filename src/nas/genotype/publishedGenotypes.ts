/**
 * Published genotypes, verbatim: DARTS's `cnn/genotypes.py` (NASNet, AmoebaNet,
 * DARTS_V1, DARTS_V2), PC-DARTS's and P-DARTS's `genotypes.py`, and CDARTS's `cells/*.json`
 * (nested in the source, flattened here; the same genotype for all stages). Genes keep the
 * source's order; a concat the source writes `range(2, 6)` is [2, 3, 4, 5].
 */
import type { Gene, Genotype } from './genotype';

const genes = (...pairs: Gene[]): Gene[] => pairs;

/**
 * A genotype of DARTS's space: 4 nodes of two genes each, each cell's output concatenating all
 * of them (`range(2, 6)`).
 */
function dartsSpace(normal: Gene[], reduce: Gene[]): Genotype {
  return { normal, normalConcat: [2, 3, 4, 5], reduce, reduceConcat: [2, 3, 4, 5] };
}

/** First-order DARTS search result. */
export const DARTS_V1: Genotype = dartsSpace(
  [
    ['sep_conv_3x3', 1],
    ['sep_conv_3x3', 0],
    ['skip_connect', 0],
    ['sep_conv_3x3', 1],
    ['skip_connect', 0],
    ['sep_conv_3x3', 1],
    ['sep_conv_3x3', 0],
    ['skip_connect', 2],
  ],
  [
    ['max_pool_3x3', 0],
    ['max_pool_3x3', 1],
    ['skip_connect', 2],
    ['max_pool_3x3', 0],
    ['max_pool_3x3', 0],
    ['skip_connect', 2],
    ['skip_connect', 2],
    ['avg_pool_3x3', 0],
  ],
);

/** Second-order DARTS search result (`DARTS = DARTS_V2`). */
export const DARTS_V2: Genotype = dartsSpace(
  [
    ['sep_conv_3x3', 0],
    ['sep_conv_3x3', 1],
    ['sep_conv_3x3', 0],
    ['sep_conv_3x3', 1],
    ['sep_conv_3x3', 1],
    ['skip_connect', 0],
    ['skip_connect', 0],
    ['dil_conv_3x3', 2],
  ],
  [
    ['max_pool_3x3', 0],
    ['max_pool_3x3', 1],
    ['skip_connect', 2],
    ['max_pool_3x3', 1],
    ['max_pool_3x3', 0],
    ['skip_connect', 2],
    ['skip_connect', 2],
    ['max_pool_3x3', 1],
  ],
);

/** NASNet-A: 5 nodes; some nodes read one state twice. */
export const NASNET: Genotype = {
  normal: genes(
    ['sep_conv_5x5', 1],
    ['sep_conv_3x3', 0],
    ['sep_conv_5x5', 0],
    ['sep_conv_3x3', 0],
    ['avg_pool_3x3', 1],
    ['skip_connect', 0],
    ['avg_pool_3x3', 0],
    ['avg_pool_3x3', 0],
    ['sep_conv_3x3', 1],
    ['skip_connect', 1],
  ),
  normalConcat: [2, 3, 4, 5, 6],
  reduce: genes(
    ['sep_conv_5x5', 1],
    ['sep_conv_7x7', 0],
    ['max_pool_3x3', 1],
    ['sep_conv_7x7', 0],
    ['avg_pool_3x3', 1],
    ['sep_conv_5x5', 0],
    ['skip_connect', 3],
    ['avg_pool_3x3', 2],
    ['sep_conv_3x3', 2],
    ['max_pool_3x3', 1],
  ),
  reduceConcat: [4, 5, 6],
};

/** AmoebaNet-A: 5 nodes; concats leave out nodes consumed inside the cell. */
export const AMOEBANET: Genotype = {
  normal: genes(
    ['avg_pool_3x3', 0],
    ['max_pool_3x3', 1],
    ['sep_conv_3x3', 0],
    ['sep_conv_5x5', 2],
    ['sep_conv_3x3', 0],
    ['avg_pool_3x3', 3],
    ['sep_conv_3x3', 1],
    ['skip_connect', 1],
    ['skip_connect', 0],
    ['avg_pool_3x3', 1],
  ),
  normalConcat: [4, 5, 6],
  reduce: genes(
    ['avg_pool_3x3', 0],
    ['sep_conv_3x3', 1],
    ['max_pool_3x3', 0],
    ['sep_conv_7x7', 2],
    ['sep_conv_7x7', 0],
    ['avg_pool_3x3', 1],
    ['max_pool_3x3', 0],
    ['max_pool_3x3', 1],
    ['conv_7x1_1x7', 0],
    ['sep_conv_3x3', 5],
  ),
  reduceConcat: [3, 4, 6],
};

/** PC-DARTS searched on CIFAR-10 (`PC_DARTS_cifar`, also CDARTS's `pcdarts_cifar_genotype.json`). */
const PC_DARTS_CIFAR: Genotype = dartsSpace(
  [
    ['sep_conv_3x3', 1],
    ['skip_connect', 0],
    ['sep_conv_3x3', 0],
    ['dil_conv_3x3', 1],
    ['sep_conv_5x5', 0],
    ['sep_conv_3x3', 1],
    ['avg_pool_3x3', 0],
    ['dil_conv_3x3', 1],
  ],
  [
    ['sep_conv_5x5', 1],
    ['max_pool_3x3', 0],
    ['sep_conv_5x5', 1],
    ['sep_conv_5x5', 2],
    ['sep_conv_3x3', 0],
    ['sep_conv_3x3', 3],
    ['sep_conv_3x3', 1],
    ['sep_conv_3x3', 2],
  ],
);

/** PC-DARTS searched on ImageNet (`PC_DARTS_image`). */
const PC_DARTS_IMAGE: Genotype = dartsSpace(
  [
    ['skip_connect', 1],
    ['sep_conv_3x3', 0],
    ['sep_conv_3x3', 0],
    ['skip_connect', 1],
    ['sep_conv_3x3', 1],
    ['sep_conv_3x3', 3],
    ['sep_conv_3x3', 1],
    ['dil_conv_5x5', 4],
  ],
  [
    ['sep_conv_3x3', 0],
    ['skip_connect', 1],
    ['dil_conv_5x5', 2],
    ['max_pool_3x3', 1],
    ['sep_conv_3x3', 2],
    ['sep_conv_3x3', 1],
    ['sep_conv_5x5', 0],
    ['sep_conv_3x3', 3],
  ],
);

/** P-DARTS (`chenxin061/pdarts`; also CDARTS's `pdarts_genotype.json`). */
const PDARTS: Genotype = dartsSpace(
  [
    ['skip_connect', 0],
    ['dil_conv_3x3', 1],
    ['skip_connect', 0],
    ['sep_conv_3x3', 1],
    ['sep_conv_3x3', 1],
    ['sep_conv_3x3', 3],
    ['sep_conv_3x3', 0],
    ['dil_conv_5x5', 4],
  ],
  [
    ['avg_pool_3x3', 0],
    ['sep_conv_5x5', 1],
    ['sep_conv_3x3', 0],
    ['dil_conv_5x5', 2],
    ['max_pool_3x3', 0],
    ['dil_conv_3x3', 1],
    ['dil_conv_3x3', 1],
    ['dil_conv_5x5', 3],
  ],
);

/** CDARTS's CIFAR cell (`CDARTS/cells/cifar_genotype.json`). */
export const CDARTS_CIFAR: Genotype = dartsSpace(
  [
    ['sep_conv_3x3', 0],
    ['sep_conv_3x3', 1],
    ['sep_conv_3x3', 1],
    ['sep_conv_3x3', 2],
    ['sep_conv_3x3', 0],
    ['sep_conv_3x3', 1],
    ['skip_connect', 0],
    ['skip_connect', 2],
  ],
  [
    ['sep_conv_5x5', 1],
    ['max_pool_3x3', 0],
    ['dil_conv_5x5', 2],
    ['skip_connect', 0],
    ['sep_conv_3x3', 0],
    ['sep_conv_5x5', 1],
    ['sep_conv_3x3', 0],
    ['dil_conv_5x5', 2],
  ],
);

/** CDARTS's ImageNet cell (`CDARTS/cells/imagenet_genotype.json`). */
const CDARTS_IMAGENET: Genotype = dartsSpace(
  [
    ['sep_conv_3x3', 1],
    ['sep_conv_3x3', 0],
    ['sep_conv_3x3', 0],
    ['sep_conv_5x5', 2],
    ['sep_conv_5x5', 2],
    ['sep_conv_3x3', 1],
    ['sep_conv_3x3', 1],
    ['sep_conv_5x5', 4],
  ],
  [
    ['sep_conv_5x5', 1],
    ['avg_pool_3x3', 0],
    ['max_pool_3x3', 1],
    ['dil_conv_5x5', 2],
    ['sep_conv_5x5', 1],
    ['dil_conv_5x5', 2],
    ['sep_conv_3x3', 3],
    ['dil_conv_3x3', 4],
  ],
);

/** Every published genotype by the name its source gives it (CDARTS's cells are unnamed). */
export const PUBLISHED_GENOTYPES = {
  NASNet: NASNET,
  AmoebaNet: AMOEBANET,
  DARTS_V1,
  DARTS_V2,
  PC_DARTS_cifar: PC_DARTS_CIFAR,
  PC_DARTS_image: PC_DARTS_IMAGE,
  PDARTS,
  CDARTS_cifar: CDARTS_CIFAR,
  CDARTS_imagenet: CDARTS_IMAGENET,
} as const satisfies Readonly<Record<string, Genotype>>;

export type PublishedGenotypeName = keyof typeof PUBLISHED_GENOTYPES;
