/** A tiny search setup for tests that run many steps on the slow cpu backend. */
import { subset } from '../../src/data/dataset';
import { toDevice } from '../../src/data/deviceSplit';
import { syntheticDataset } from '../../src/data/synthetic';
import type { SearchConfig } from '../../src/nas/darts/searchConfig';
import { SMALL_SEARCH_CONFIG, validateSearchConfig } from '../../src/nas/darts/searchConfig';

export const TINY_CONFIG: SearchConfig = validateSearchConfig({
  ...SMALL_SEARCH_CONFIG,
  layers: 3,
  channels: 2,
  nodes: 2,
  multiplier: 2,
  batchSize: 8,
  epochs: 4,
  seed: 5,
});

export function tinyData(count = 64, size = 8, numClasses = 2) {
  const data = syntheticDataset({ count, size, numClasses, seed: 3 });
  const half = count / 2;
  return {
    shape: data,
    train: toDevice(
      subset(
        data,
        Array.from({ length: half }, (_, i) => i),
      ),
    ),
    val: toDevice(
      subset(
        data,
        Array.from({ length: half }, (_, i) => i + half),
      ),
    ),
  };
}
