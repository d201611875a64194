/** A tiny CDARTS setup for tests that run steps on the slow cpu backend. */
import type { CdartsConfig } from '../../src/nas/cdarts/cdartsConfig';
import { SMALL_CDARTS_CONFIG, validateCdartsConfig } from '../../src/nas/cdarts/cdartsConfig';

/** 3 search cells, 4 evaluation cells, 2 channels, 2 nodes, narrow heads, 8×8 images. */
export const TINY_CDARTS: CdartsConfig = validateCdartsConfig({
  ...SMALL_CDARTS_CONFIG,
  searchLayers: 3,
  evalLayers: 4,
  channels: 2,
  nodes: 2,
  multiplier: 2,
  stemMultiplier: 2,
  headWidths: [4, 6],
  batchSize: 8,
  epochs: 3,
  warmupEpochs: 1,
  seed: 5,
});
