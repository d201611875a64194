/** Genotype comparison that ignores the order of the two genes within a node. */
import type { Gene, Genotype } from '../../src/nas/genotype/genotype';

function sortCell(genes: readonly Gene[]): Gene[] {
  const out: Gene[] = [];
  for (let i = 0; i < genes.length; i += 2) {
    const pair = genes.slice(i, i + 2);
    pair.sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
    out.push(...pair);
  }
  return out;
}

/** The genotype with each node's genes ordered by input (then op): NNI's order. */
export function sortGenesPerNode(g: Genotype): Genotype {
  return { ...g, normal: sortCell(g.normal), reduce: sortCell(g.reduce) };
}
