/** Pure data preparation for `AlphaSmallMultiples` (no tfjs: safe for the page's main thread). */

/** One snapshot of one cell type's alpha softmax: `softmax[edge][op]`. */
export interface AlphaSnapshot {
  readonly step: number;
  readonly softmax: readonly (readonly number[])[];
}

/** A row of one edge's stacked-area chart: the step and `op{k}` = probability of op k. */
export interface AlphaRow {
  readonly step: number;
  [key: string]: number;
}

export const opKey = (k: number): string => `op${k}`;

/** The rows of edge `edge`'s chart, one per snapshot (a missing entry reads as 0). */
export function alphaRows(
  history: readonly AlphaSnapshot[],
  edge: number,
  opCount: number,
): AlphaRow[] {
  return history.map(({ step, softmax }) => {
    const probabilities = softmax[edge];
    const row: AlphaRow = { step };
    for (let k = 0; k < opCount; k++) row[opKey(k)] = probabilities?.[k] ?? 0;
    return row;
  });
}

export interface Winner {
  readonly op: string;
  readonly index: number;
  readonly probability: number;
}

/**
 * The op with the largest probability among the non-`none` ops (the op DARTS would keep on this
 * edge), or null when there is none (no data, or only `none`).
 */
export function winningOp(
  probabilities: readonly number[] | undefined,
  primitives: readonly string[],
): Winner | null {
  let best: Winner | null = null;
  for (let index = 0; index < primitives.length; index++) {
    const op = primitives[index];
    const probability = probabilities?.[index];
    if (op === undefined || op === 'none') continue;
    if (probability === undefined || !Number.isFinite(probability)) continue;
    if (best === null || probability > best.probability) best = { op, index, probability };
  }
  return best;
}
