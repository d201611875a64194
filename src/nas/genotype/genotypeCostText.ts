/**
 * A genotype's cost (genotypeCost.ts) for people and for files: one line of text naming the sizes
 * it assumes, and the `cost` object a genotype file records (`genotype.json`, written by
 * runKind/runReports.ts) and its reader, which returns null for files without one. No tfjs here.
 */
import type { Genotype } from './genotype';
import type { CostNetwork, GenotypeCost } from './genotypeCost';
import { DARTS_CIFAR_NETWORK, genotypeCost } from './genotypeCost';

/** `3.35M`: a count in millions to three significant digits. */
export function formatMillions(count: number): string {
  return `${Number((count / 1e6).toPrecision(3))}M`;
}

/** What `net` is, for people: `C 36, 20 cells, 32×32×3 images, 10 classes, auxiliary head`. */
export function costNetworkText(net: CostNetwork): string {
  const stem = net.stem === 'imagenet' ? ', ImageNet stem' : '';
  const head = net.auxiliary ? ', auxiliary head' : '';
  return `C ${net.c}, ${net.layers} cells, ${net.imageSize}×${net.imageSize}×${net.imageChannels} images, ${net.numClasses} classes${stem}${head}`;
}

/** The figures a line of text says (a genotype file's cost has these). */
export type CostFigures = Pick<GenotypeCost, 'params' | 'paramsWithAuxiliary' | 'multAdds'>;

/**
 * One line: `3.35M parameters (3.83M with the auxiliary head), 528M multiply-adds per image at
 * C 36, 20 cells, …`.
 */
export function genotypeCostText(cost: CostFigures, net: CostNetwork): string {
  const withHead = net.auxiliary
    ? ` (${formatMillions(cost.paramsWithAuxiliary)} with the auxiliary head)`
    : '';
  return `${formatMillions(cost.params)} parameters${withHead}, ${formatMillions(cost.multAdds)} multiply-adds per image at ${costNetworkText(net)}`;
}

/** The cost as the genotype file records it, with the sizes it assumes. */
export interface GenotypeCostJson {
  c: number;
  layers: number;
  numClasses: number;
  imageChannels: number;
  imageSize: number;
  stem: 'cifar' | 'imagenet';
  auxiliary: boolean;
  params: number;
  paramsWithAuxiliary: number;
  multAdds: number;
}

/** `genotype`'s cost at `net` (DARTS's CIFAR-10 retrain unless given), for a genotype file. */
export function genotypeCostJson(
  genotype: Genotype,
  net: CostNetwork = DARTS_CIFAR_NETWORK,
): GenotypeCostJson {
  const { params, paramsWithAuxiliary, multAdds } = genotypeCost(genotype, net);
  const { c, layers, numClasses, imageChannels, imageSize, stem, auxiliary } = net;
  return {
    c,
    layers,
    numClasses,
    imageChannels,
    imageSize,
    stem,
    auxiliary,
    params,
    paramsWithAuxiliary,
    multAdds,
  };
}

const COST_NUMBERS = [
  'c',
  'layers',
  'numClasses',
  'imageChannels',
  'imageSize',
  'params',
  'paramsWithAuxiliary',
  'multAdds',
] as const;

/**
 * The `cost` a genotype file's JSON holds, as the sizes and the figures; null where it has none
 * or not in this form (files written before it, or by hand).
 */
export function genotypeCostOfJson(
  value: unknown,
): { network: CostNetwork; cost: CostFigures } | null {
  if (typeof value !== 'object' || value === null) return null;
  const cost = (value as { cost?: unknown }).cost;
  if (typeof cost !== 'object' || cost === null) return null;
  const o = cost as Record<string, unknown>;
  if (!COST_NUMBERS.every((key) => typeof o[key] === 'number')) return null;
  if ((o.stem !== 'cifar' && o.stem !== 'imagenet') || typeof o.auxiliary !== 'boolean') {
    return null;
  }
  const j = o as unknown as GenotypeCostJson;
  const { c, layers, numClasses, imageChannels, imageSize, stem, auxiliary } = j;
  return {
    network: { c, layers, numClasses, imageChannels, imageSize, stem, auxiliary },
    cost: { params: j.params, paramsWithAuxiliary: j.paramsWithAuxiliary, multAdds: j.multAdds },
  };
}
