/** The lab's presets: a configuration of the search, its data and the backend. */
import { PAPER_SEARCH_CONFIG, SMALL_SEARCH_CONFIG } from '../nas/darts/searchConfig';
import type { LabConfig } from '../worker/protocol';

export const PRESETS = {
  /** Seconds per step even on a software GPU: for a first look and for end-to-end tests. */
  'quick demo': {
    search: {
      ...SMALL_SEARCH_CONFIG,
      layers: 3,
      channels: 2,
      nodes: 2,
      multiplier: 2,
      batchSize: 4,
      epochs: 2,
    },
    data: { dataset: 'default', images: 32, imageSize: 8 },
    backend: 'auto',
  },
  /** The paper's cell in a small network on a subset of the built-in data. */
  small: {
    search: SMALL_SEARCH_CONFIG,
    data: { dataset: 'default', images: 1024, imageSize: 16 },
    backend: 'auto',
  },
  /** The official CIFAR-10 search settings on all 8,000 built-in images at full size. */
  'paper settings': {
    search: PAPER_SEARCH_CONFIG,
    data: { dataset: 'default', images: 8000, imageSize: 28 },
    backend: 'auto',
  },
} as const satisfies Record<string, LabConfig>;

export type PresetName = keyof typeof PRESETS;

export const DEFAULT_PRESET: PresetName = 'quick demo';
