/**
 * The cells an experiment retrains besides the searched ones, drawn or fixed in the search's own
 * space: random cells (the baseline a search has to beat, as in Li & Talwalkar's random-search
 * comparison of DARTS) and a deliberately poor control. Convolutional cells follow the DARTS
 * space of `cnn/model_search.py`: node i reads two of the i + 2 states before it; recurrent cells
 * the space of `rnn/model_search.py`: node i reads one of the i + 1 states before it. An op or
 * activation is never `none`, which a genotype cannot hold. Pure data: no tfjs.
 */
import type { Gene, Genotype, GenotypeJson } from '../nas/genotype/genotype';
import { concatRange, genotypeToJson } from '../nas/genotype/genotype';
import type { OpName } from '../nas/ops/primitives';
import type { RnnGene, RnnGenotypeJson } from '../nas/rnn/genotype/rnnGenotype';
import { rnnGenotypeToJson } from '../nas/rnn/genotype/rnnGenotype';
import type { RnnActivationName } from '../nas/rnn/model/rnnPrimitives';
import type { Rng } from '../nas/tensor/random';

/** What a convolutional search space lets a cell be: its node count and candidate ops. */
export interface ConvSpace {
  readonly nodes: number;
  /** The search's candidates in alpha-column order; `none` among them is never drawn. */
  readonly ops: readonly OpName[];
}

/** What a recurrent search space lets a cell be. */
export interface RecurrentSpace {
  readonly nodes: number;
  /** The activations a node may take (the candidates but `none`). */
  readonly activations: readonly RnnActivationName[];
}

/** The candidates a random gene draws from: every op of the space but `none`. */
export function drawableOps(ops: readonly OpName[]): OpName[] {
  const kept = ops.filter((op) => op !== 'none');
  if (kept.length === 0) throw new Error('the search space has no op but none to draw cells from');
  return kept;
}

/**
 * One random cell of a convolutional space: for each node two distinct inputs (uniform over the
 * pairs, in increasing order) and for each of them an op uniform over the non-`none` candidates.
 * Each cell takes the same number of draws, so the j-th cell of a stream does not depend on how
 * many come after it.
 */
function drawConvGenes(space: ConvSpace, rng: Rng): Gene[] {
  const ops = drawableOps(space.ops);
  const genes: Gene[] = [];
  for (let node = 0; node < space.nodes; node++) {
    const inputs = [...rng.sample(node + 2, 2)].sort((a, b) => a - b);
    for (const input of inputs) genes.push([ops[rng.int(ops.length)] as OpName, input]);
  }
  return genes;
}

/** A random genotype (normal and reduce cells drawn alike, concat = every node, as searched). */
export function drawConvCell(space: ConvSpace, rng: Rng): GenotypeJson {
  const normal = drawConvGenes(space, rng);
  const reduce = drawConvGenes(space, rng);
  const concat = concatRange(space.nodes);
  return genotypeToJson({ normal, normalConcat: concat, reduce, reduceConcat: concat });
}

/**
 * The poor control of a convolutional space: no learned op at all. Every node of the normal cell
 * adds its two inputs c_{k−2} and c_{k−1} through `skip_connect` (identities), every node of the
 * reduction cell max-pools them: the network learns only its stems, preprocessing and
 * classifier.
 */
export function poorConvCell(nodes: number): GenotypeJson {
  const cell = (op: OpName): Gene[] =>
    Array.from({ length: nodes }, (): Gene[] => [
      [op, 0],
      [op, 1],
    ]).flat();
  const concat = concatRange(nodes);
  const genotype: Genotype = {
    normal: cell('skip_connect'),
    normalConcat: concat,
    reduce: cell('max_pool_3x3'),
    reduceConcat: concat,
  };
  return genotypeToJson(genotype);
}

/**
 * One random recurrent cell: for each node one input uniform over the states before it and an
 * activation uniform over the space's; the output averages every node, as DARTS's do.
 */
export function drawRecurrentCell(space: RecurrentSpace, rng: Rng): RnnGenotypeJson {
  if (space.activations.length === 0) throw new Error('the recurrent space has no activation');
  const recurrent: RnnGene[] = [];
  for (let node = 0; node < space.nodes; node++) {
    const input = rng.int(node + 1);
    recurrent.push([
      space.activations[rng.int(space.activations.length)] as RnnActivationName,
      input,
    ]);
  }
  return rnnGenotypeToJson({
    recurrent,
    concat: Array.from({ length: space.nodes }, (_, i) => i + 1),
  });
}

/**
 * The poor control of the recurrent space: every node reads s0 through `identity`, so the cell is
 * one layer deep with no nonlinearity but its highway gates (DARTS_V2 chains relu, tanh and
 * sigmoid nodes eight deep).
 */
export function poorRecurrentCell(nodes: number): RnnGenotypeJson {
  return rnnGenotypeToJson({
    recurrent: Array.from({ length: nodes }, (): RnnGene => ['identity', 0]),
    concat: Array.from({ length: nodes }, (_, i) => i + 1),
  });
}
