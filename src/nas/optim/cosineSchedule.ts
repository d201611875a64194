/**
 * Cosine annealing per epoch as the DARTS search computes it (`cnn/train_search.py` with
 * PyTorch 0.3 scheduler semantics): lr_e = lrMin + (lrMax − lrMin)·(1 + cos(π·e/T))/2 for 0-based
 * epoch e, constant within an epoch. Epoch 0 uses lrMax; the last epoch never quite reaches lrMin.
 */
export function cosineLr(epoch: number, totalEpochs: number, lrMax: number, lrMin: number): number {
  return lrMin + ((lrMax - lrMin) * (1 + Math.cos((Math.PI * epoch) / totalEpochs))) / 2;
}
