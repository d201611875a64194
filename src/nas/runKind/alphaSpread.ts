/**
 * How far a search's architecture weights have moved off uniform, from the softmax rows its
 * reports carry: the mean over edges of each row's entropy divided by log(candidates) (1 =
 * uniform, 0 = one candidate), and the mean share of each row's strongest candidate. The lab's
 * entropy chart and the first-minutes benchmark read a search's progress through it. Pure.
 */

/** Softmax rows by group, as `AlphaGroup` carries them. */
export interface SoftmaxRows {
  readonly softmax: readonly (readonly number[])[];
}

/** Mean normalised entropy and mean strongest share over every row of every group. */
export function alphaSpread(groups: readonly SoftmaxRows[]): {
  entropy: number;
  strongest: number;
} {
  let entropy = 0;
  let strongest = 0;
  let edges = 0;
  for (const g of groups) {
    for (const row of g.softmax) {
      const total = row.reduce((a, b) => a + b, 0);
      if (row.length < 2 || !(total > 0)) continue;
      const p = row.map((x) => x / total);
      entropy += -p.reduce((a, x) => a + (x > 0 ? x * Math.log(x) : 0), 0) / Math.log(p.length);
      strongest += Math.max(...p);
      edges++;
    }
  }
  return edges === 0
    ? { entropy: 1, strongest: 0 }
    : { entropy: entropy / edges, strongest: strongest / edges };
}
