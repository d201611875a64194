/**
 * The `checkpointCells` setting of the convolutional kinds (DARTS, CDARTS, retrain), written once:
 * whether a training step recomputes each cell in its backward pass (`cellCheckpoint.ts`). It
 * changes memory and time, not the numbers beyond float32 round-off (sums in another order), so
 * it is on by default. A configuration says it only when it is off (absent: on), so that the
 * default configurations stay as they were; one read back from a checkpoint (which does not
 * store it) takes it from the checkpoint's settings; and a checkpoint written before the setting
 * existed was computed with the plain backward and resumes with it, bit for bit. No tfjs here:
 * the kinds' descriptors use it.
 */

export const CHECKPOINT_CELLS_FIELD = {
  key: 'checkpointCells',
  type: 'boolean',
  default: true as boolean,
  group: 'run',
  help:
    'checkpointed cells: recompute each cell in the backward pass, the same numbers in a ' +
    'fraction of the memory for one more forward pass of the cells (off: keep everything)',
  advanced: true,
} as const;

/** The setting's value where a checkpoint's stored settings lack it: the plain backward. */
export const CHECKPOINT_CELLS_FILL = { checkpointCells: false } as const;

/** What a configuration holds for the setting: nothing when on, `checkpointCells: false` off. */
export function checkpointCellsConfig(on: boolean): { readonly checkpointCells?: false } {
  return on ? {} : { checkpointCells: false };
}

/** A checkpoint with its configuration's `checkpointCells` taken from its settings. */
export function withCheckpointCells<K extends { readonly config: object }>(
  checkpoint: K,
  settings: { readonly checkpointCells: boolean },
): K {
  const config = { ...checkpoint.config, ...checkpointCellsConfig(settings.checkpointCells) };
  return { ...checkpoint, config };
}
