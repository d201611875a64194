/**
 * What the derived genotype costs once retrained, shown beside it and recomputed whenever it
 * changes: the parameters and multiply-adds of its evaluation network at the sizes DARTS's paper
 * retrains CIFAR-10 with (`cnn/train.py --auxiliary`: C 36, 20 cells; not the lab's retrain
 * form, whose small networks are for trying things out). Counted analytically, without tfjs
 * (src/nas/genotype/genotypeCost.ts).
 */
import { memo, useMemo } from 'react';
import { genotypeFromJson } from '../nas/genotype/genotype';
import type { CostNetwork } from '../nas/genotype/genotypeCost';
import { DARTS_CIFAR_NETWORK, genotypeCost } from '../nas/genotype/genotypeCost';
import { costNetworkText, formatMillions } from '../nas/genotype/genotypeCostText';
import { isCellGenotype } from './reportDetails';

/** The cost's figures, or why there are none (a genotype the network cannot be built from). */
function costOf(genotype: unknown, network: CostNetwork) {
  if (!isCellGenotype(genotype)) return null;
  try {
    return genotypeCost(genotypeFromJson(genotype), network);
  } catch (e) {
    return { problem: (e as Error).message };
  }
}

/** The cost of `genotype` (a convolutional genotype's JSON; anything else draws nothing). */
export const CellCost = memo(function CellCost({
  genotype,
  network = DARTS_CIFAR_NETWORK,
}: {
  readonly genotype: unknown;
  readonly network?: CostNetwork;
}) {
  const cost = useMemo(() => costOf(genotype, network), [genotype, network]);
  if (!cost) return null;
  const assumed =
    network === DARTS_CIFAR_NETWORK
      ? `as DARTS retrains it for CIFAR-10: ${costNetworkText(network)}`
      : `at ${costNetworkText(network)}`;
  if ('problem' in cost) {
    return (
      <p className="problem" data-testid="cell-cost">
        No cost {assumed}: {cost.problem}
      </p>
    );
  }
  return (
    <p className="cell-cost" data-testid="cell-cost">
      Evaluation network, {assumed}:{' '}
      <strong data-testid="cell-cost-params">{formatMillions(cost.params)} parameters</strong>{' '}
      (DARTS's count, without the auxiliary head; {formatMillions(cost.paramsWithAuxiliary)} with
      it),{' '}
      <strong data-testid="cell-cost-mult-adds">
        {formatMillions(cost.multAdds)} multiply-adds
      </strong>{' '}
      per image (convolutions and the classifier, inference).
    </p>
  );
});
