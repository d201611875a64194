/**
 * The lab's CDARTS settings and how they make a CDARTS configuration. tfjs-free, so that the
 * page can check a configuration before it starts.
 */
import type { CdartsConfig } from '../nas/cdarts/cdartsConfig';
import { SMALL_CDARTS_CONFIG, validateCdartsConfig } from '../nas/cdarts/cdartsConfig';
import { SMALL_SEARCH_CONFIG } from '../nas/darts/searchConfig';
import type { LabCdartsSettings, LabConfig } from './protocol';

/** CDARTS settings for the lab when a link or preset gives none: the quick demo's scale. */
export const DEFAULT_LAB_CDARTS: LabCdartsSettings = {
  evalLayers: 3,
  warmupEpochs: 1,
  evalWarmupEpochs: 1,
  nasnetLr: SMALL_CDARTS_CONFIG.nasnetLr,
  lossT: SMALL_CDARTS_CONFIG.lossT,
  lossAlpha: SMALL_CDARTS_CONFIG.lossAlpha,
  interactiveType: SMALL_CDARTS_CONFIG.interactiveType,
  regularCoeff: SMALL_CDARTS_CONFIG.regularCoeff,
  regularRatio: SMALL_CDARTS_CONFIG.regularRatio,
};

/** The CDARTS configuration of a lab configuration: the shared settings, then CDARTS's own. */
export function cdartsConfigOf(config: LabConfig): CdartsConfig {
  const s = config.search;
  return validateCdartsConfig({
    ...SMALL_CDARTS_CONFIG,
    primitives: s.primitives,
    nodes: s.nodes,
    multiplier: s.multiplier,
    searchLayers: s.layers,
    channels: s.channels,
    batchSize: s.batchSize,
    epochs: s.epochs,
    weightLr: s.weightLr,
    alphaLr: s.alphaLr,
    trainPortion: s.trainPortion,
    seed: s.seed,
    ...(config.cdarts ?? DEFAULT_LAB_CDARTS),
  });
}

/**
 * The lab configuration a CDARTS configuration came from (`cdartsConfigOf`'s inverse for what
 * the lab sets; DARTS-only search settings get the small preset's values, which CDARTS ignores).
 */
export function labConfigOfCdarts(
  c: CdartsConfig,
  data: LabConfig['data'],
  backend: LabConfig['backend'],
): LabConfig {
  return {
    algorithm: 'cdarts',
    search: {
      ...SMALL_SEARCH_CONFIG,
      primitives: c.primitives,
      nodes: c.nodes,
      multiplier: c.multiplier,
      layers: c.searchLayers,
      channels: c.channels,
      batchSize: c.batchSize,
      epochs: c.epochs,
      weightLr: c.weightLr,
      alphaLr: c.alphaLr,
      trainPortion: c.trainPortion,
      seed: c.seed,
    },
    cdarts: {
      evalLayers: c.evalLayers,
      warmupEpochs: c.warmupEpochs,
      evalWarmupEpochs: c.evalWarmupEpochs,
      nasnetLr: c.nasnetLr,
      lossT: c.lossT,
      lossAlpha: c.lossAlpha,
      interactiveType: c.interactiveType,
      regularCoeff: c.regularCoeff,
      regularRatio: c.regularRatio,
    },
    data,
    backend,
  };
}
