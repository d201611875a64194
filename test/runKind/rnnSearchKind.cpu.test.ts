/**
 * The `rnn-search` run kind on the cpu backend, through the registry: a tiny search reports its
 * corpus, steps (36 edges × 5 candidates, the genotype and its files), epochs and its end; a
 * checkpoint taken mid-epoch or at an epoch's end resumes into exactly the reports the
 * uninterrupted run gave (first and second order), and a checkpoint altered by one alpha does
 * not; invalid settings and a search too big for the lab are refused before any tensor.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeContainer, encodeContainer } from '../../src/nas/io/checkpointFormat';
import { runKindForCheckpoint, selectRunKind } from '../../src/nas/runKind/registry';
import type { RunReport, StepReport } from '../../src/nas/runKind/runKind';
import type { Settings } from '../../src/nas/runKind/settingsSchema';
import { defaultSettings } from '../../src/nas/runKind/settingsSchema';
import { deriveRecurrentGenes, parseRnnGenotype } from '../../src/nas/rnn/genotype/rnnGenotype';
import { importRnnGenotypeText } from '../../src/nas/rnn/genotype/rnnGenotypeText';
import { RNN_PRIMITIVES } from '../../src/nas/rnn/model/rnnPrimitives';
import { RNN_SEARCH_CHECKPOINT_FORMAT } from '../../src/nas/rnn/search/rnnSearchCheckpoint';
import { RNN_SEARCH_INFO, rnnSearchConfigOf } from '../../src/nas/rnn/search/rnnSearchKindInfo';
import { rnnSearchMemoryProblem, WASM_HEAP_BYTES } from '../../src/nas/rnn/search/rnnSearchMemory';
import * as tf from '../../src/nas/tensor/tf';
import { afterNote, drain, timeless, until } from '../support/runHarness';
import { textEnv } from '../support/textSource';

const TINY: Settings = {
  ...defaultSettings(RNN_SEARCH_INFO.schema),
  nhid: 8,
  batchSize: 4,
  bptt: 5,
  epochs: 2,
  trainTokens: 120,
  validTokens: 100,
};

/** A smaller cell for the tests that replay runs: what they check does not depend on its size. */
const SMALL_CELL: Settings = { ...TINY, nodes: 3 };

const entry = () => selectRunKind('search', { space: 'rnn' });
const kind = () => entry().load();
const steps = (reports: readonly RunReport[]) =>
  reports.filter((r): r is StepReport => r.type === 'step');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('rnn-search run kind', () => {
  it('is the registry’s recurrent search, and its checkpoints are the core’s', () => {
    expect(entry().info).toBe(RNN_SEARCH_INFO);
    expect(RNN_SEARCH_INFO.checkpointFormat).toBe(RNN_SEARCH_CHECKPOINT_FORMAT);
  });

  it('reports the corpus, steps with 36×5 alphas and the genotype files, epochs, then done', async () => {
    const before = tf.memory().numTensors;
    const env = textEnv();
    const run = await (await kind()).create(TINY, env);
    expect(env.requests).toEqual(['builtin-text']);
    const reports = await drain(run);
    const note = reports[0];
    expect(note?.type).toBe('note');
    expect(note?.type === 'note' && note.detail).toMatchObject({
      note: 'corpus',
      level: 'word',
      trainTokens: 120,
      validTokens: 100,
      source: 'built-in austen-pride',
    });
    const stepReports = steps(reports);
    expect(stepReports.length).toBeGreaterThanOrEqual(10);
    expect(stepReports.map((r) => r.step)).toEqual(stepReports.map((_, i) => i + 1));
    const keys = RNN_SEARCH_INFO.metrics.map((m) => m.key);
    for (const r of stepReports) {
      expect(Object.keys(r.metrics).sort()).toEqual([...keys].sort());
      expect(r.metrics.lr).toBe(TINY.lr);
      expect(r.metrics.trainPerplexity).toBeCloseTo(Math.exp(r.metrics.trainLoss as number), 3);
      const [group] = r.alphas ?? [];
      expect(r.alphas).toHaveLength(1);
      expect(group?.name).toBe('recurrent');
      expect(group?.ops).toEqual(RNN_PRIMITIVES);
      expect(group?.softmax).toHaveLength(36);
      for (const row of group?.softmax ?? []) {
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      }
      expect(r.alphaMaxAbs).toBeGreaterThan(0);
      expect(r.alphaMaxAbs).toBeLessThan(1);
      const genotype = parseRnnGenotype(JSON.stringify(r.genotype));
      expect(genotype.recurrent).toEqual(deriveRecurrentGenes(group?.softmax ?? [], 8));
      expect(r.files?.map((f) => f.path)).toEqual(['genotype.json', 'genotype.py']);
      const repr = importRnnGenotypeText(r.files?.[1]?.data as string);
      expect(repr).toEqual({ genotype, format: 'repr', name: 'SEARCHED' });
      expect(r.totalSteps).toBeGreaterThanOrEqual(r.step);
    }
    const epochs = reports.filter((r) => r.type === 'epoch');
    expect(epochs.map((e) => e.type === 'epoch' && e.epoch)).toEqual([0, 1]);
    const lastOfEpoch0 = stepReports.filter((r) => r.epoch === 0).at(-1);
    expect(epochs[0]?.step).toBe(lastOfEpoch0?.step);
    for (const e of epochs) {
      expect(e.metrics.valPerplexity).toBeCloseTo(Math.exp(e.metrics.valLoss as number), 3);
    }
    const done = reports.at(-1);
    expect(done?.type).toBe('done');
    expect(done?.type === 'done' && done.metrics).toEqual(epochs[1]?.metrics);
    expect(done?.type === 'done' && done.files?.[0]?.data).toBe(
      stepReports.at(-1)?.files?.[0]?.data,
    );
    expect(await run.next()).toBeNull();
    await run.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  for (const order of [1, 2]) {
    it(`resumes order ${order} mid-epoch and at an epoch's end into the same reports`, async () => {
      const settings = { ...SMALL_CELL, order };
      const k = await kind();
      const whole = await drain(await k.create(settings, textEnv()));
      const run = await k.create(settings, textEnv());
      const head = await until(run, (r) => r.type === 'step' && r.step === 3);
      const mid = await run.checkpoint();
      const head2 = await until(run, (r) => r.type === 'epoch');
      const boundary = await run.checkpoint();
      const rest = await drain(run);
      await run.dispose();
      // Taking checkpoints does not change the run.
      expect([...head, ...head2, ...rest].map(timeless)).toEqual(whole.map(timeless));
      for (const [bytes, done] of [
        [mid, head.length],
        [boundary, head.length + head2.length],
      ] as const) {
        const found = runKindForCheckpoint(bytes);
        expect(found.info.id).toBe('rnn-search');
        const resumed = await (await found.load()).resume(bytes, textEnv());
        expect(resumed.settings).toEqual(settings);
        expect(resumed.step).toBe(steps(whole.slice(0, done)).length);
        // Saved again before its first step (the lab's Save right after a load): the same state
        // (its manifest may list the settings in another order).
        expect(decodeContainer(await resumed.checkpoint())).toEqual(decodeContainer(bytes));
        const replay = afterNote(await drain(resumed));
        expect(replay.map(timeless)).toEqual(whole.slice(done).map(timeless));
        await resumed.dispose();
      }
    });
  }

  it('a checkpoint with one alpha changed resumes into other reports (the control)', async () => {
    const k = await kind();
    const run = await k.create(SMALL_CELL, textEnv());
    await until(run, (r) => r.type === 'step' && r.step === 2);
    const bytes = await run.checkpoint();
    const rest = afterNote(await drain(run));
    await run.dispose();
    const { manifest, tensors } = decodeContainer(bytes);
    const altered = tensors.map((t) =>
      t.name === 'alpha' ? { ...t, values: t.values.map((v, i) => (i === 0 ? v + 1e-3 : v)) } : t,
    );
    const resumed = await k.resume(encodeContainer({ manifest, tensors: altered }), textEnv());
    const replay = afterNote(await drain(resumed));
    await resumed.dispose();
    expect(replay).toHaveLength(rest.length);
    expect(replay.map(timeless)).not.toEqual(rest.map(timeless));
  });

  it('resumes a checkpoint whose host settings are the old lab’s (no order), or refuses other data', async () => {
    const k = await kind();
    const run = await k.create(SMALL_CELL, textEnv());
    await until(run, (r) => r.type === 'step' && r.step === 2);
    const bytes = await run.checkpoint();
    const rest = afterNote(await drain(run));
    await run.dispose();
    const { manifest, tensors } = decodeContainer(bytes);
    const keys = ['nhid', 'bptt', 'batchSize', 'epochs', 'lr', 'alphaLr', 'level', 'seed'];
    const lab = Object.fromEntries(keys.map((key) => [key, SMALL_CELL[key]]));
    const old = { ...lab, maxVocabulary: 3000, trainTokens: 120, validTokens: 100, corpus: 'x' };
    const resumed = await k.resume(
      encodeContainer({ manifest: { ...manifest, host: old }, tensors }),
      textEnv(),
    );
    expect(resumed.settings).toEqual({ ...SMALL_CELL, maxVocabulary: 3000 });
    expect(afterNote(await drain(resumed)).map(timeless)).toEqual(rest.map(timeless));
    await resumed.dispose();
    const { host: _host, ...bare } = manifest;
    const before = tf.memory().numTensors;
    await expect(k.resume(encodeContainer({ manifest: bare, tensors }), textEnv())).rejects.toThrow(
      /^cannot resume: the search was at 30 train and 25 alpha rows, the data has 135 and 45/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('changes its learning rates live, keeps them in checkpoints, and refuses other keys', async () => {
    const k = await kind();
    const run = await k.create(TINY, textEnv());
    await until(run, (r) => r.type === 'step');
    run.setLive({ lr: 5, alphaLr: 0.01 });
    const [next] = await until(run, (r) => r.type === 'step');
    expect(next?.type === 'step' && next.metrics).toMatchObject({ lr: 5, alphaLr: 0.01 });
    expect(() => run.setLive({ bptt: 3 })).toThrow('bptt cannot change');
    expect(() => run.setLive({ lr: 0 })).toThrow('lr must be > 0');
    const resumed = await k.resume(await run.checkpoint(), textEnv());
    expect(resumed.settings).toMatchObject({ lr: 5, alphaLr: 0.01, bptt: 5 });
    await Promise.all([run.dispose(), resumed.dispose()]);
  });

  it('reports a diverged step (NaN weights) and exploding alphas instead of throwing', async () => {
    const k = await kind();
    const run = await k.create(TINY, textEnv());
    await until(run, (r) => r.type === 'step');
    run.injectFault?.('explodeAlphas');
    const [exploded] = await until(run, (r) => r.type === 'step');
    expect(exploded?.type === 'step' && exploded.alphaMaxAbs).toBeGreaterThan(100);
    run.injectFault?.('nan');
    const [nan] = await until(run, (r) => r.type === 'step');
    expect(nan?.type === 'step' && nan.metrics.trainLoss).toBeNaN();
    await expect(run.checkpoint()).rejects.toThrow('the search has diverged');
    await run.dispose();
  });

  it('refuses invalid settings naming the key, before reading any file', async () => {
    const k = await kind();
    const env = textEnv();
    const cases: [Record<string, unknown>, string][] = [
      [{ bptt: 0 }, 'bptt is below 1'],
      [{ dropouth: 1 }, 'dropouth must be a dropout rate in [0, 1), got 1'],
      [{ batchSize: 1 }, 'batchSize is below 2'],
      [{ order: 3 }, 'order is above 2'],
      [{ trainTokens: 8 }, 'trainTokens must be at least 12, got 8'],
      [{ lr: 0 }, 'lr must be > 0, got 0'],
      [{ maxVocabulary: 1 }, 'maxVocabulary must be 0'],
      [{ emsize: 8 }, 'emsize is not a setting of this kind'],
    ];
    for (const [change, message] of cases) {
      await expect(k.create({ ...TINY, ...change } as Settings, env)).rejects.toThrow(message);
    }
    expect(env.requests).toEqual([]);
    await expect(
      k.create({ ...TINY, trainTokens: 0, validTokens: 0, batchSize: 256 }, env),
    ).rejects.toThrow(
      /^the corpus has 540 training and 180 validation tokens, too few for these settings: trainTokens must be at least 768/,
    );
  });

  it('refuses a search too big for the lab before any tensor, naming the batch that fits', async () => {
    const k = await kind();
    const big = { ...TINY, nhid: 600, batchSize: 64, bptt: 60, trainTokens: 0, validTokens: 0 };
    const before = tf.memory().numTensors;
    const error = await k.create(big, textEnv('lab')).catch((e: Error) => e);
    expect(tf.memory().numTensors).toBe(before);
    const expected = rnnSearchMemoryProblem(
      rnnSearchConfigOf(big),
      14,
      WASM_HEAP_BYTES,
      'what the lab can hold (the wasm heap limit)',
    );
    expect(expected).toMatch(/lower the batch size to at most \d+/);
    expect((error as Error).message).toBe(expected);
  });
});
