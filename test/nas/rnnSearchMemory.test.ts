/**
 * The recurrent search's memory bound (rnnSearchMemory.ts): below the peak tf.profile measures
 * for a real step on cpu (a lower bound, so that it never refuses a search that fits), close
 * enough to it to be useful, and a message that names the sizes and a batch that fits.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  PAPER_RNN_SEARCH_CONFIG,
  SMALL_RNN_SEARCH_CONFIG,
} from '../../src/nas/rnn/search/rnnSearchConfig';
import {
  estimateRnnSearchStepBytes,
  rnnSearchMemoryProblem,
  WASM_HEAP_BYTES,
} from '../../src/nas/rnn/search/rnnSearchMemory';
import {
  createRnnSearchState,
  disposeRnnSearchState,
} from '../../src/nas/rnn/search/rnnSearchState';
import { rnnSearchStep } from '../../src/nas/rnn/search/rnnSearchStep';
import { batchify, disposeSegment, tokenSegment } from '../../src/nas/rnn/model/rnnTokenData';
import * as tf from '../../src/nas/tensor/tf';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function measuredPeakBytes(
  config: typeof PAPER_RNN_SEARCH_CONFIG,
  vocabulary: number,
): Promise<number> {
  const state = createRnnSearchState(config, vocabulary);
  const { batchSize: b, bptt: t, nhid } = config;
  const stream = Array.from({ length: b * (t + 2) }, (_, i) => (i * 7919) % vocabulary);
  const segment = tokenSegment(batchify(stream, b), 0, t);
  const start = tf.memory().numBytes;
  const profile = await tf.profile(() => {
    const r = rnnSearchStep(state, segment, segment, tf.zeros([b, nhid]), tf.zeros([b, nhid]), t);
    return [r.trainLoss, r.valLoss, r.hiddenTrain, r.hiddenVal];
  });
  tf.dispose(profile.result as tf.Tensor[]);
  disposeSegment(segment);
  disposeRnnSearchState(state);
  return profile.peakBytes - start;
}

describe('recurrent search memory bound', () => {
  it('is below the measured peak of a step, and within 2.5× of it', async () => {
    for (const [config, vocabulary] of [
      [{ ...PAPER_RNN_SEARCH_CONFIG, nhid: 96, batchSize: 12, bptt: 6, steps: 4 }, 2000],
      [
        {
          ...PAPER_RNN_SEARCH_CONFIG,
          nhid: 64,
          batchSize: 8,
          bptt: 4,
          steps: 4,
          order: 2 as const,
        },
        500,
      ],
    ] as const) {
      const peak = await measuredPeakBytes(config, vocabulary);
      const bound = estimateRnnSearchStepBytes(config, vocabulary).bytes;
      expect(bound, `bound ${bound} vs peak ${peak}`).toBeLessThan(peak);
      expect(bound * 2.5, `bound ${bound} vs peak ${peak}`).toBeGreaterThan(peak);
    }
  }, 60_000);

  it('refuses the paper preset in the wasm heap, naming the sizes and a batch that fits', () => {
    const problem = rnnSearchMemoryProblem(
      PAPER_RNN_SEARCH_CONFIG,
      3000,
      WASM_HEAP_BYTES,
      "the wasm backend's heap limit",
    );
    expect(problem).toMatch(
      /^a search step needs at least \d+ GiB, more than the wasm backend's heap limit \(4\.0 GiB\): batch 256 × bptt 35 = 8960 token rows, each holding nhid 300 × 36 cell edges/,
    );
    const fits = Number(/batch size to at most (\d+)/.exec(problem ?? '')?.[1]);
    const at = (batchSize: number) =>
      estimateRnnSearchStepBytes({ ...PAPER_RNN_SEARCH_CONFIG, batchSize }, 3000).bytes;
    expect(at(fits)).toBeLessThanOrEqual(WASM_HEAP_BYTES);
    expect(at(fits + 1)).toBeGreaterThan(WASM_HEAP_BYTES);
  });

  it('lets the small preset through, counts the second order, and says when no batch fits', () => {
    expect(rnnSearchMemoryProblem(SMALL_RNN_SEARCH_CONFIG, 3000, WASM_HEAP_BYTES, 'x')).toBeNull();
    const first = estimateRnnSearchStepBytes(SMALL_RNN_SEARCH_CONFIG, 3000).bytes;
    const second = estimateRnnSearchStepBytes({ ...SMALL_RNN_SEARCH_CONFIG, order: 2 }, 3000);
    expect(second.bytes).toBeCloseTo(1.5 * first);
    const huge = { ...SMALL_RNN_SEARCH_CONFIG, nhid: 4000, bptt: 400 };
    expect(rnnSearchMemoryProblem(huge, 3000, WASM_HEAP_BYTES, 'x')).toMatch(
      /lower bptt or nhid \(even a batch of 2 does not fit\)/,
    );
  });
});
