/**
 * The DARTS search split (`cnn/train_search.py`): the first `portion` of the training images
 * (in file order) trains the weights, the rest trains the alphas.
 */
import type { ImageDataset } from './dataset';
import { range, subset } from './dataset';

export interface SearchSplit {
  readonly train: ImageDataset;
  readonly val: ImageDataset;
}

export function dartsSearchSplit(d: ImageDataset, portion: number): SearchSplit {
  const cut = Math.floor(d.count * portion);
  if (cut < 1 || cut >= d.count) {
    throw new Error(
      `${d.name}: ${d.count} images cannot be split ${portion}:${1 - portion} for a search`,
    );
  }
  return {
    train: subset(d, range(0, cut), `${d.name} (search-train)`),
    val: subset(d, range(cut, d.count), `${d.name} (search-val)`),
  };
}

/** The first `count` images (all of them when count ≥ the dataset size). */
export function firstImages(d: ImageDataset, count: number): ImageDataset {
  return count >= d.count ? d : subset(d, range(0, count));
}
