import { describe, expect, it } from 'vitest';
import type { FileSource } from '../../src/data/catalog';
import { SMALL_SEARCH_CONFIG } from '../../src/nas/searchConfig';
import type { FromWorker, LabConfig } from '../../src/worker/protocol';
import { SearchSession } from '../../src/worker/searchSession';

const CONFIG: LabConfig = {
  search: {
    ...SMALL_SEARCH_CONFIG,
    layers: 3,
    channels: 2,
    nodes: 2,
    multiplier: 2,
    batchSize: 4,
    epochs: 50,
  },
  data: { dataset: 'synthetic', images: 16, imageSize: 8 },
  backend: 'cpu',
};

const noFiles: () => FileSource = () => ({
  read: async (c) => {
    throw new Error(`no files (${c.join(', ')})`);
  },
});

function harness() {
  const messages: FromWorker[] = [];
  const session = new SearchSession({ post: (m) => messages.push(m), dataSource: noFiles });
  const steps = () => messages.filter((m) => m.type === 'step').length;
  const until = async (predicate: () => boolean, ms = 60_000) => {
    const start = Date.now();
    while (!predicate()) {
      if (Date.now() - start > ms) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { messages, session, steps, until };
}

describe('search session (the worker engine, in-thread on cpu)', () => {
  it('starts, reports the backend, streams steps; pause holds, step advances one, stop ends', async () => {
    const { messages, session, steps, until } = harness();
    await session.handle({ type: 'start', config: CONFIG, dataUrl: '' });
    expect(messages.find((m) => m.type === 'backend')).toMatchObject({
      backend: 'cpu',
      reason: 'cpu was requested',
    });
    await until(() => steps() >= 2);
    await session.handle({ type: 'pause' });
    await until(() => messages.some((m) => m.type === 'status' && m.status === 'paused'));
    // 'paused' comes after the step under way: from then on the counter must not move.
    const paused = steps();
    await new Promise((r) => setTimeout(r, 1500));
    expect(steps()).toBe(paused);
    await session.handle({ type: 'step' });
    await until(() => steps() === paused + 1);
    await new Promise((r) => setTimeout(r, 1000));
    expect(steps()).toBe(paused + 1);
    await session.handle({ type: 'setRates', alphaLr: 0.01, weightLr: 0.05 });
    await session.handle({ type: 'resume' });
    await until(() => steps() >= paused + 3);
    const last = messages.filter((m) => m.type === 'step').at(-1);
    if (last?.type !== 'step') throw new Error('no step');
    expect(last.point.weightLr).toBeGreaterThan(0.04);
    expect(last.point.genotype.normal.length).toBe(4);
    await session.handle({ type: 'stop' });
    expect(messages.at(-1)).toEqual({ type: 'status', status: 'stopped' });
    const stopped = steps();
    await new Promise((r) => setTimeout(r, 500));
    expect(steps()).toBe(stopped);
  });

  it('reports a bad configuration as an error message and stays usable', async () => {
    const { messages, session, steps, until } = harness();
    await session.handle({
      type: 'start',
      dataUrl: '',
      config: { ...CONFIG, search: { ...CONFIG.search, nodes: 0 } },
    });
    expect(messages).toContainEqual({
      type: 'error',
      message: 'node count (nodes) must be an integer of at least 1, got 0',
    });
    await session.handle({
      type: 'start',
      dataUrl: '',
      config: { ...CONFIG, data: { ...CONFIG.data, imageSize: 6 } },
    });
    expect(messages.at(-1)).toMatchObject({
      type: 'error',
      message: expect.stringMatching(/image size 6x6 must be a multiple of 4/),
    });
    await session.handle({
      type: 'start',
      dataUrl: '',
      config: { ...CONFIG, data: { ...CONFIG.data, dataset: 'default' } },
    });
    expect(messages.at(-1)).toMatchObject({
      type: 'error',
      message: expect.stringMatching(/no files/),
    });
    await session.handle({ type: 'start', config: CONFIG, dataUrl: '' });
    await until(() => steps() >= 1);
    await session.handle({ type: 'stop' });
  });
});
