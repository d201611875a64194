/** Checks a lab configuration before it is sent to the worker; null when it can run. */
import { validateSearchConfig } from '../nas/searchConfig';
import { checkInputSize } from '../nas/cellTopology';
import type { LabConfig } from '../worker/protocol';

export function labConfigProblem(config: LabConfig): string | null {
  try {
    const search = validateSearchConfig(config.search);
    const { images, imageSize } = config.data;
    if (!Number.isInteger(images) || images < 2)
      return `images must be an integer of at least 2, got ${images}`;
    if (config.data.dataset === 'default' && images > 8000) {
      return `the built-in dataset has 8,000 search images; asked for ${images}`;
    }
    checkInputSize(search.layers, imageSize, imageSize);
    const half = Math.floor(images * search.trainPortion);
    if (search.batchSize > half || search.batchSize > images - half) {
      return `batch size ${search.batchSize} is larger than half of the ${images} images (each search split)`;
    }
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}
