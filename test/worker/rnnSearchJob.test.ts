import { beforeAll, describe, expect, it } from 'vitest';
import { deriveRecurrentGenes, rnnGenotypeFromJson } from '../../src/nas/rnn/genotype/rnnGenotype';
import * as tf from '../../src/nas/tensor/tf';
import type { JobAdvance } from '../../src/worker/job';
import { DEFAULT_LAB_RECURRENT } from '../../src/worker/labRecurrent';
import type { LabConfig } from '../../src/worker/protocol';
import type { LabRecurrentSettings, RnnStepPoint } from '../../src/worker/recurrentProtocol';
import type { LabTextCorpus } from '../../src/worker/rnnSearchJob';
import { createRnnSearchJob } from '../../src/worker/rnnSearchJob';
import { PRESETS } from '../../src/ui/labPresets';

const VOCABULARY = 12;

/** A seeded token stream: a repeating phrase with every fifth token random. */
function stream(length: number, seed: number): Int32Array {
  const out = new Int32Array(length);
  let s = seed;
  for (let i = 0; i < length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = i % 5 === 4 ? s % VOCABULARY : (i % 7) + 1;
  }
  return out;
}

const CORPUS: LabTextCorpus = {
  level: 'word',
  vocabularySize: VOCABULARY,
  train: stream(600, 1),
  valid: stream(200, 2),
};

const SETTINGS: LabRecurrentSettings = {
  ...DEFAULT_LAB_RECURRENT,
  nhid: 8,
  bptt: 5,
  batchSize: 4,
  epochs: 2,
  trainTokens: 200,
  validTokens: 100,
};

const config = (recurrent: LabRecurrentSettings): LabConfig => ({
  ...PRESETS['quick demo'],
  backend: 'cpu',
  space: 'recurrent',
  recurrent,
});

const load = async () => CORPUS;

async function drain(job: Awaited<ReturnType<typeof createRnnSearchJob>>): Promise<JobAdvance[]> {
  const out: JobAdvance[] = [];
  for (;;) {
    const a = await job.next();
    out.push(a);
    if (a.kind === 'done') return out;
  }
}

const stepPoints = (advances: readonly JobAdvance[]): RnnStepPoint[] =>
  advances.flatMap((a) => a.messages.flatMap((m) => (m.type === 'rnnStep' ? [m.point] : [])));

describe('recurrent search job (in-thread on cpu)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('streams the corpus, steps with 36×5 alphas and their genotype, epochs with perplexity, then done', async () => {
    const before = tf.memory().numTensors;
    const job = await createRnnSearchJob(config(SETTINGS), load);
    const advances = await drain(job);
    expect(advances[0]?.messages[0]).toEqual({
      type: 'rnnCorpus',
      corpus: { level: 'word', vocabularySize: 12, trainTokens: 200, validTokens: 100 },
    });
    const steps = stepPoints(advances);
    // 200 tokens in 4 columns: 50 rows, rows 0..47 walked in segments of 5 (or 2): ≥ 10 per epoch.
    expect(steps.length).toBeGreaterThanOrEqual(20);
    expect(steps.map((p) => p.step)).toEqual(steps.map((_, i) => i + 1));
    expect(advances.filter((a) => a.kind === 'step').map((a) => a.step)).toEqual(
      steps.map((p) => p.step),
    );
    for (const p of steps) {
      expect(p.alphaSoftmax).toHaveLength(36);
      for (const row of p.alphaSoftmax) {
        expect(row).toHaveLength(5);
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      }
      const genotype = rnnGenotypeFromJson(p.genotype);
      expect(genotype.recurrent).toEqual(deriveRecurrentGenes(p.alphaSoftmax, 8));
      expect(p.trainPerplexity).toBeCloseTo(Math.exp(p.trainLoss), 3);
      expect(p.valPerplexity).toBeCloseTo(Math.exp(p.valLoss), 3);
      expect(p.totalSteps).toBeGreaterThanOrEqual(p.step);
    }
    // Untrained, the loss starts near ln(12).
    expect(steps[0]!.trainLoss).toBeGreaterThan(Math.log(VOCABULARY) - 0.5);
    expect(steps[0]!.trainLoss).toBeLessThan(Math.log(VOCABULARY) + 0.5);
    const epochs = advances.flatMap((a) =>
      a.messages.flatMap((m) => (m.type === 'rnnEpoch' ? [m.point] : [])),
    );
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1]);
    for (const e of epochs) expect(e.valPerplexity).toBeCloseTo(Math.exp(e.valLoss), 3);
    expect(epochs[1]!.step).toBe(steps.at(-1)!.step);
    expect(steps.filter((p) => p.epoch === 0).at(-1)!.step).toBe(epochs[0]!.step);
    expect(advances.at(-1)?.kind).toBe('done');
    await job.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps the tensor count flat across steps', async () => {
    const job = await createRnnSearchJob(config(SETTINGS), load);
    await job.next();
    await job.next();
    const after2 = tf.memory().numTensors;
    for (let i = 0; i < 4; i++) await job.next();
    expect(tf.memory().numTensors).toBe(after2);
    await job.dispose();
  });

  it('applies a learning rate set between steps from the next step on', async () => {
    const a = await createRnnSearchJob(config(SETTINGS), load);
    const b = await createRnnSearchJob(config(SETTINGS), load);
    const first = async (job: typeof a) => stepPoints([await job.next()])[0]!;
    const [a1, b1] = [await first(a), await first(b)];
    expect(b1.trainLoss).toBe(a1.trainLoss);
    b.setRates({ weightLr: 1e-9 });
    const [a2, b2] = [await first(a), await first(b)];
    // Step 2's loss is taken before its update: still equal; step 3 sees step 2's update.
    expect(b2.trainLoss).toBe(a2.trainLoss);
    expect(b2.weightLr).toBe(1e-9);
    expect(a2.weightLr).toBe(SETTINGS.lr);
    const [a3, b3] = [await first(a), await first(b)];
    expect(b3.trainLoss).not.toBe(a3.trainLoss);
    await a.dispose();
    await b.dispose();
  });

  it('refuses settings the corpus cannot fill, and bad settings, with what is wrong', async () => {
    await expect(
      createRnnSearchJob(config({ ...SETTINGS, trainTokens: 5000 }), async () => ({
        ...CORPUS,
        train: CORPUS.train.subarray(0, 10),
      })),
    ).rejects.toThrow(
      /the corpus has 10 training and 200 validation tokens, too few for these settings: train tokens must be an integer of at least 12/,
    );
    await expect(createRnnSearchJob(config({ ...SETTINGS, nhid: 0 }), load)).rejects.toThrow(
      /nhid must be a positive integer, got 0/,
    );
    await expect(
      createRnnSearchJob(config({ ...SETTINGS, validTokens: 19 }), load),
    ).rejects.toThrow(/validation tokens must be an integer of at least 20/);
    const tooBig = { ...CORPUS, vocabularySize: 5 };
    await expect(createRnnSearchJob(config(SETTINGS), async () => tooBig)).rejects.toThrow(
      /outside the vocabulary 0..4/,
    );
  });
});
