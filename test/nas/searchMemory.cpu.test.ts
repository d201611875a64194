/**
 * The DARTS search's memory check before its first tensor: the lower bound stays under the
 * peaks measured by bench/stepMemory.ts (and is not vacuous), grows with what the step holds,
 * names the largest batch that fits, and the run kind refuses a step too large for the lab
 * before allocating the supernet.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DARTS_RUN_KIND } from '../../src/nas/darts/dartsRunKind';
import { defaultSettings } from '../../src/nas/runKind/settingsSchema';
import { DARTS_SCHEMA } from '../../src/nas/darts/dartsKindInfo';
import type { SearchConfig } from '../../src/nas/darts/searchConfig';
import { PAPER_SEARCH_CONFIG } from '../../src/nas/darts/searchConfig';
import { estimateSearchStepBytes, searchMemoryProblem } from '../../src/nas/darts/searchMemory';
import { WASM_HEAP_BYTES } from '../../src/nas/runKind/memoryLimit';
import * as tf from '../../src/nas/tensor/tf';
import { testEnv } from '../support/kindRuns';

const CIFAR = { height: 32, width: 32, channels: 3, numClasses: 10 };
const MiB = 2 ** 20;
const bytes = (c: SearchConfig) => estimateSearchStepBytes(c, CIFAR).bytes;
const MEDIUM: SearchConfig = { ...PAPER_SEARCH_CONFIG, channels: 8, layers: 5, batchSize: 16 };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('the DARTS search step’s memory bound', () => {
  it('stays under the measured wasm heap peaks, within a factor of 1.2', () => {
    // docs/BENCHMARKS.md, "Checkpointed cells": 325 MiB and 2,971 MiB of wasm heap.
    for (const [config, measured] of [
      [MEDIUM, 325],
      [PAPER_SEARCH_CONFIG, 2971],
    ] as const) {
      expect(bytes(config) / MiB).toBeLessThanOrEqual(measured);
      expect(bytes(config) / MiB).toBeGreaterThan(measured / 1.2);
    }
    // Without checkpointed cells every cell's tape: 3,250 MiB by tfjs's count at C 8.
    const taped = bytes({ ...MEDIUM, checkpointCells: false }) / MiB;
    expect(taped).toBeLessThanOrEqual(3250);
    expect(taped).toBeGreaterThan((5 * bytes(MEDIUM)) / MiB);
  });

  it('grows with the batch, the channels and the image, and shrinks with fewer ops', () => {
    expect(bytes({ ...MEDIUM, batchSize: 32 })).toBeCloseTo(2 * bytes(MEDIUM), 6);
    expect(bytes({ ...MEDIUM, channels: 16 })).toBeCloseTo(2 * bytes(MEDIUM), 6);
    expect(estimateSearchStepBytes(MEDIUM, { ...CIFAR, height: 16, width: 16 }).bytes).toBeCloseTo(
      bytes(MEDIUM) / 4,
      6,
    );
    const pools: SearchConfig = { ...MEDIUM, primitives: ['max_pool_3x3', 'skip_connect'] };
    expect(bytes(pools)).toBeLessThan(bytes(MEDIUM) / 5);
  });

  it('refuses the paper search without checkpointed cells on wasm, naming the batch that fits', () => {
    const config = { ...PAPER_SEARCH_CONFIG, checkpointCells: false };
    const problem = searchMemoryProblem(config, CIFAR, WASM_HEAP_BYTES, 'the heap') ?? '';
    const fits = Number(/at most (\d+)/.exec(problem)?.[1]);
    expect(problem).toMatch(
      /^a search step needs at least [\d.]+ GiB, more than the heap \(4\.0 GiB\)/,
    );
    expect(problem).toContain('every cell’s tape (checkpointed cells are off)');
    expect(bytes({ ...config, batchSize: fits })).toBeLessThanOrEqual(WASM_HEAP_BYTES);
    expect(bytes({ ...config, batchSize: fits + 1 })).toBeGreaterThan(WASM_HEAP_BYTES);
    // With them (the default), the paper's step fits, as measured.
    expect(searchMemoryProblem(PAPER_SEARCH_CONFIG, CIFAR, WASM_HEAP_BYTES, 'the heap')).toBe(null);
  });

  it('makes the run kind refuse a step too large for the lab before allocating the supernet', async () => {
    const settings = {
      ...defaultSettings(DARTS_SCHEMA, 'demo'),
      dataset: 'synthetic',
      images: 256,
      imageSize: 32,
      channels: 64,
      layers: 8,
      nodes: 4,
      batchSize: 64,
    };
    const before = tf.memory().numTensors;
    const env = { ...testEnv(), host: 'lab' } as const;
    await expect(DARTS_RUN_KIND.create(settings, env)).rejects.toThrow(
      /more than what the lab can hold \(the wasm heap limit\) \(4\.0 GiB\).*lower the batch size to at most \d+/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
