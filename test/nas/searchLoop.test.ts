import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { genotypeFromJson, genotypeToJson } from '../../src/nas/genotype/genotype';
import type { SearchEvent } from '../../src/nas/darts/searchLoop';
import { runSearch } from '../../src/nas/darts/searchLoop';
import { createSearchState, disposeSearchState } from '../../src/nas/darts/searchState';
import * as tf from '../../src/nas/tensor/tf';
import { TINY_CONFIG, tinyData } from '../support/tiny';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function collect(config = TINY_CONFIG, onStep?: () => void): Promise<SearchEvent[]> {
  const data = tinyData();
  const state = createSearchState(config, data.shape);
  const events: SearchEvent[] = [];
  try {
    for await (const e of runSearch(state, data)) {
      events.push(e);
      if (e.type === 'step') onStep?.();
    }
  } finally {
    data.train.dispose();
    data.val.dispose();
    disposeSearchState(state);
  }
  return events;
}

describe('DARTS search loop (cpu)', () => {
  afterAll(() => undefined);

  it('keeps the number of live tensors flat over 30 first-order steps', async () => {
    const counts: number[] = [];
    await collect({ ...TINY_CONFIG, epochs: 8 }, () => counts.push(tf.memory().numTensors));
    expect(counts.length).toBe(32);
    expect(new Set(counts.slice(1)).size).toBe(1);
  });

  it('keeps the number of live tensors flat over second-order steps', async () => {
    const counts: number[] = [];
    await collect({ ...TINY_CONFIG, order: 2, epochs: 2 }, () =>
      counts.push(tf.memory().numTensors),
    );
    expect(new Set(counts.slice(1)).size).toBe(1);
  });

  it('streams progress and lowers the validation loss on a learnable task', async () => {
    const events = await collect({ ...TINY_CONFIG, epochs: 6 });
    const steps = events.filter((e) => e.type === 'step');
    const epochs = events.filter((e) => e.type === 'epoch');
    const done = events.at(-1);
    expect(steps.length).toBe(24);
    expect(epochs.length).toBe(6);
    const first = steps[0];
    if (first?.type !== 'step') throw new Error('no step');
    expect(first.alphaSoftmax.normal.length).toBe(5);
    for (const row of first.alphaSoftmax.reduce) {
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
    // The alpha objective on fresh validation batches, averaged over the first and last epoch.
    const meanValLoss = (epoch: number) => {
      const v = steps.flatMap((e) => (e.type === 'step' && e.epoch === epoch ? [e.valLoss] : []));
      return v.reduce((a, b) => a + b, 0) / v.length;
    };
    expect(meanValLoss(5)).toBeLessThan(meanValLoss(0) * 0.7);
    if (done?.type !== 'done') throw new Error('no done event');
    expect(genotypeFromJson(genotypeToJson(done.genotype))).toEqual(done.genotype);
  });

  it('is reproducible under a seed on the cpu backend', async () => {
    const a = await collect({ ...TINY_CONFIG, epochs: 1 });
    const b = await collect({ ...TINY_CONFIG, epochs: 1 });
    const losses = (ev: SearchEvent[]) =>
      ev.flatMap((e) => (e.type === 'step' ? [e.trainLoss, e.valLoss] : []));
    expect(losses(a)).toEqual(losses(b));
  });

  it("streams max |α| after every step within the step's one readback", async () => {
    const data = tinyData();
    const state = createSearchState({ ...TINY_CONFIG, epochs: 1 }, data.shape);
    const backend = tf.backend();
    const read = backend.read.bind(backend);
    let reads = 0;
    backend.read = (id) => {
      reads += 1;
      return read(id);
    };
    try {
      const run = runSearch(state, data);
      let seen = 0;
      for (let r = await run.next(); !r.done; r = await run.next()) {
        const e = r.value;
        if (e.type !== 'step') continue;
        // The first step also reads the starting softmax for the initial genotype.
        expect(reads).toBe(seen === 0 ? 2 : 1);
        reads = 0;
        seen += 1;
        const values = [
          ...((await state.alphas.normal.data()) as Float32Array),
          ...((await state.alphas.reduce.data()) as Float32Array),
        ];
        reads = 0;
        expect(e.alphaMaxAbs).toBe(Math.max(...values.map(Math.abs)));
        expect(e.alphaMaxAbs).toBeGreaterThan(0);
      }
      expect(seen).toBe(4);
    } finally {
      backend.read = read;
      data.train.dispose();
      data.val.dispose();
      disposeSearchState(state);
    }
  });

  it('rejects a batch larger than the data', async () => {
    await expect(collect({ ...TINY_CONFIG, batchSize: 64 })).rejects.toThrow(
      /batch size 64 is larger than the weight-training split \(32 images\)/,
    );
  });
});

describe('a user-defined op set', () => {
  it('searches over the chosen candidates only, in the chosen column order', async () => {
    const primitives = ['sep_conv_3x3', 'none', 'max_pool_3x3'] as const;
    const events = await collect({ ...TINY_CONFIG, primitives: [...primitives], epochs: 1 });
    const done = events.at(-1);
    const step = events[0];
    if (done?.type !== 'done' || step?.type !== 'step') throw new Error('missing events');
    expect(step.alphaSoftmax.normal.every((row) => row.length === 3)).toBe(true);
    for (const [op] of [...done.genotype.normal, ...done.genotype.reduce]) {
      expect(['sep_conv_3x3', 'max_pool_3x3']).toContain(op);
    }
  });
});
