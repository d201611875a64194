/**
 * Published recurrent genotypes, verbatim from DARTS's `rnn/genotypes.py`: DARTS_V1
 * (first-order search), DARTS_V2 (second order; `DARTS = DARTS_V2`, the cell of the paper's 55.7
 * test perplexity on PTB) and ENAS's cell as DARTS transcribes it (11 nodes, the loose ends
 * averaged). Gene i feeds state i+1; state 0 is s0. A concat the source writes `range(1, 9)` is
 * [1, …, 8].
 */
import type { RnnGene, RnnGenotype } from './rnnGenotype';

const genes = (...pairs: RnnGene[]): RnnGene[] => pairs;

const ALL_EIGHT = [1, 2, 3, 4, 5, 6, 7, 8];

/** First-order DARTS search result. */
export const RNN_DARTS_V1: RnnGenotype = {
  recurrent: genes(
    ['relu', 0],
    ['relu', 1],
    ['tanh', 2],
    ['relu', 3],
    ['relu', 4],
    ['identity', 1],
    ['relu', 5],
    ['relu', 1],
  ),
  concat: ALL_EIGHT,
};

/** Second-order DARTS search result (`DARTS = DARTS_V2`). */
export const RNN_DARTS_V2: RnnGenotype = {
  recurrent: genes(
    ['sigmoid', 0],
    ['relu', 1],
    ['relu', 1],
    ['identity', 1],
    ['tanh', 2],
    ['sigmoid', 5],
    ['tanh', 3],
    ['relu', 5],
  ),
  concat: ALL_EIGHT,
};

/** ENAS's recurrent cell in DARTS's notation. */
export const RNN_ENAS: RnnGenotype = {
  recurrent: genes(
    ['tanh', 0],
    ['tanh', 1],
    ['relu', 1],
    ['tanh', 3],
    ['tanh', 3],
    ['relu', 3],
    ['relu', 4],
    ['relu', 7],
    ['relu', 8],
    ['relu', 8],
    ['relu', 8],
  ),
  concat: [2, 5, 6, 9, 10, 11],
};

/** By the name `rnn/genotypes.py` gives them. */
export const RNN_PUBLISHED_GENOTYPES = {
  DARTS_V1: RNN_DARTS_V1,
  DARTS_V2: RNN_DARTS_V2,
  ENAS: RNN_ENAS,
} as const satisfies Record<string, RnnGenotype>;

export type RnnPublishedGenotypeName = keyof typeof RNN_PUBLISHED_GENOTYPES;
