/**
 * Published genotypes, verbatim from DARTS's `cnn/genotypes.py` (spec §3.4). More presets
 * (PC-DARTS, P-DARTS, CDARTS) come with the retraining issue.
 */
import type { Gene, Genotype } from './genotype';

const genes = (...pairs: Gene[]): Gene[] => pairs;

/** First-order DARTS search result. */
export const DARTS_V1: Genotype = {
  normal: genes(
    ['sep_conv_3x3', 1],
    ['sep_conv_3x3', 0],
    ['skip_connect', 0],
    ['sep_conv_3x3', 1],
    ['skip_connect', 0],
    ['sep_conv_3x3', 1],
    ['sep_conv_3x3', 0],
    ['skip_connect', 2],
  ),
  normalConcat: [2, 3, 4, 5],
  reduce: genes(
    ['max_pool_3x3', 0],
    ['max_pool_3x3', 1],
    ['skip_connect', 2],
    ['max_pool_3x3', 0],
    ['max_pool_3x3', 0],
    ['skip_connect', 2],
    ['skip_connect', 2],
    ['avg_pool_3x3', 0],
  ),
  reduceConcat: [2, 3, 4, 5],
};

/** Second-order DARTS search result (`DARTS = DARTS_V2`). */
export const DARTS_V2: Genotype = {
  normal: genes(
    ['sep_conv_3x3', 0],
    ['sep_conv_3x3', 1],
    ['sep_conv_3x3', 0],
    ['sep_conv_3x3', 1],
    ['sep_conv_3x3', 1],
    ['skip_connect', 0],
    ['skip_connect', 0],
    ['dil_conv_3x3', 2],
  ),
  normalConcat: [2, 3, 4, 5],
  reduce: genes(
    ['max_pool_3x3', 0],
    ['max_pool_3x3', 1],
    ['skip_connect', 2],
    ['max_pool_3x3', 1],
    ['max_pool_3x3', 0],
    ['skip_connect', 2],
    ['skip_connect', 2],
    ['max_pool_3x3', 1],
  ),
  reduceConcat: [2, 3, 4, 5],
};

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
