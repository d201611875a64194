/**
 * Drop-path masks for checkpointed cells: a cell recomputed in the backward pass must drop the
 * same samples as its forward pass did, so each cell's masks are drawn once, in the forward pass
 * (from the run's source, in the usual order), kept on the host, and handed out again in the
 * same order when the cell is recomputed. Nothing is drawn twice, so the run's random state
 * moves exactly as in a plain step.
 */
import type { KeepMaskSource } from '../ops/dropPath';
import type { Pass } from './cellCheckpoint';

/** Per cell and pass, the source its drop path reads. */
export type CellMasks = (cell: number, pass: Pass) => KeepMaskSource;

export function maskReplay(source: KeepMaskSource): CellMasks {
  const drawn = new Map<number, Float32Array[]>();
  return (cell, pass) => {
    if (pass === 'forward') {
      const masks: Float32Array[] = [];
      drawn.set(cell, masks);
      return {
        next(batch, keepProb) {
          const mask = source.next(batch, keepProb);
          masks.push(mask.slice());
          return mask;
        },
      };
    }
    const masks = drawn.get(cell);
    if (!masks) throw new Error(`cell ${cell} is recomputed before its forward pass`);
    let i = 0;
    return {
      next(batch) {
        const mask = masks[i++];
        if (!mask || mask.length !== batch) {
          throw new Error(
            `cell ${cell}'s recompute asks for a drop-path mask its forward did not draw`,
          );
        }
        return mask.slice();
      },
    };
  };
}
