/**
 * NNI's `CyclicIterator` over a shuffled loader: batches in the order of a permutation of the
 * split, the last one of a pass possibly smaller (drop_last=False), then a new permutation.
 * The sampler's state is plain data, so that a loop position can hold and restore it.
 */
import type { Rng } from '../tensor/random';

export interface SamplerState {
  /** The current pass's order; null before the first batch. */
  readonly order: Int32Array | null;
  /** Images of the current pass already served. */
  readonly offset: number;
}

export const FRESH_SAMPLER: SamplerState = { order: null, offset: 0 };

/** The next batch's indices and the sampler's state after it; draws a new order when needed. */
export function nextBatch(
  state: SamplerState,
  count: number,
  batchSize: number,
  rng: Rng,
): { indices: Int32Array; next: SamplerState } {
  if (!Number.isInteger(count) || count < 1) {
    throw new Error(`a sampler needs at least one image, got ${count}`);
  }
  const fresh = state.order === null || state.offset >= count;
  const order = fresh ? rng.permutation(count) : (state.order as Int32Array);
  if (order.length !== count) {
    throw new Error(`the sampler's order has ${order.length} entries for ${count} images`);
  }
  const offset = fresh ? 0 : state.offset;
  const end = Math.min(offset + batchSize, count);
  return { indices: order.subarray(offset, end), next: { order, offset: end } };
}

export function copySampler(state: SamplerState): SamplerState {
  return { order: state.order && state.order.slice(), offset: state.offset };
}
