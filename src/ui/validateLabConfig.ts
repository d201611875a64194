/** Checks a lab configuration before it is sent to the worker; null when it can run. */
import { validateSearchConfig } from '../nas/darts/searchConfig';
import { checkInputSize, reductionIndices } from '../nas/genotype/cellTopology';
import { cdartsConfigOf } from '../worker/labCdarts';
import type { LabConfig } from '../worker/protocol';
import { recurrentSettingsOf, recurrentSettingsProblem } from '../worker/labRecurrent';

export function labConfigProblem(config: LabConfig): string | null {
  if (config.space === 'recurrent') return recurrentSettingsProblem(recurrentSettingsOf(config));
  try {
    const search = validateSearchConfig(config.search);
    const { images, imageSize } = config.data;
    if (!Number.isInteger(images) || images < 2)
      return `images must be an integer of at least 2, got ${images}`;
    if (config.data.dataset === 'default' && images > 8000) {
      return `the built-in dataset has 8,000 search images; asked for ${images}`;
    }
    checkInputSize(search.layers, imageSize, imageSize);
    if (config.algorithm === 'cdarts') {
      const cdarts = cdartsConfigOf(config);
      checkInputSize(cdarts.evalLayers, imageSize, imageSize);
      const factor = 2 ** reductionIndices(cdarts.searchLayers).size;
      if (imageSize / factor < 2) {
        return `image size ${imageSize} leaves a ${imageSize / factor}-pixel map at the second reduction cell; CDARTS's distillation head needs at least 2x2 (use images of at least ${2 * factor})`;
      }
    }
    const half = Math.floor(images * search.trainPortion);
    if (search.batchSize > half || search.batchSize > images - half) {
      return `batch size ${search.batchSize} is larger than half of the ${images} images (each search split)`;
    }
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}
