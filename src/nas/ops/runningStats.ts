/**
 * A training-mode forward context that updates BatchNorm running statistics in place
 * (PyTorch's train() forward), for networks whose buffers are tfjs variables.
 */
import * as tf from '../tensor/tf';
import type { ForwardContext } from '../tensor/layer';
import { updatedRunningStats } from './batchNorm';

export function updatingContext(buffers: Readonly<Record<string, tf.Variable>>): ForwardContext {
  return {
    training: true,
    buffers,
    onBatchStats: (stats) => {
      const mean = buffers[`${stats.prefix}.runningMean`];
      const variance = buffers[`${stats.prefix}.runningVar`];
      if (!mean || !variance) throw new Error(`no running statistics for "${stats.prefix}"`);
      tf.tidy(() => {
        const next = updatedRunningStats(mean, variance, stats);
        mean.assign(next.mean);
        variance.assign(next.variance);
      });
    },
  };
}
