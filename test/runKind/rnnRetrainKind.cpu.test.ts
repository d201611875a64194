/**
 * The `rnn-retrain` run kind on the cpu backend, through the registry: a tiny retrain reports
 * its corpus and genotype, steps (SGD, then ASGD), epochs with the switch, and train.py's final
 * report with genotype.json; a checkpoint taken mid-epoch, at an epoch's end or inside an ASGD
 * epoch resumes into exactly the reports the uninterrupted run gave, and one with a weight
 * changed does not; invalid settings are refused naming the key.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeContainer, encodeContainer } from '../../src/nas/io/checkpointFormat';
import { runKindForCheckpoint, selectRunKind } from '../../src/nas/runKind/registry';
import type { EpochReport, RunReport, StepReport } from '../../src/nas/runKind/runKind';
import type { Settings } from '../../src/nas/runKind/settingsSchema';
import { defaultSettings } from '../../src/nas/runKind/settingsSchema';
import { parseRnnGenotype, stringifyRnnGenotype } from '../../src/nas/rnn/genotype/rnnGenotype';
import { rnnGenotypeToRepr } from '../../src/nas/rnn/genotype/rnnGenotypeRepr';
import { RNN_DARTS_V2 } from '../../src/nas/rnn/genotype/rnnPublishedGenotypes';
import { RNN_RETRAIN_CHECKPOINT_FORMAT } from '../../src/nas/rnn/retrain/rnnRetrainCheckpoint';
import { RNN_RETRAIN_INFO } from '../../src/nas/rnn/retrain/rnnRetrainKindInfo';
import * as tf from '../../src/nas/tensor/tf';
import { afterNote, drain, timeless, until } from '../support/runHarness';
import { textEnv } from '../support/textSource';

const GENOTYPE = {
  recurrent: [
    ['tanh', 0],
    ['relu', 1],
  ],
  concat: [1, 2],
} as const;

/** nonmono 1 and a high learning rate, so that the run switches to ASGD early. */
const TINY: Settings = {
  ...defaultSettings(RNN_RETRAIN_INFO.schema),
  genotype: stringifyRnnGenotype(GENOTYPE),
  nhid: 6,
  batchSize: 4,
  evalBatchSize: 4,
  testBatchSize: 2,
  bptt: 6,
  maxSeqLenDelta: 3,
  epochs: 4,
  nonmono: 1,
  trainTokens: 200,
  validTokens: 60,
  testTokens: 40,
  seed: 3,
};

const entry = () => selectRunKind('retrain', { space: 'rnn' });
const kind = () => entry().load();
const steps = (reports: readonly RunReport[]) =>
  reports.filter((r): r is StepReport => r.type === 'step');
const epochs = (reports: readonly RunReport[]) =>
  reports.filter((r): r is EpochReport => r.type === 'epoch');
const switched = (r: RunReport) =>
  r.type === 'epoch' && (r.detail as { switchedToAsgd: boolean }).switchedToAsgd;

let whole: RunReport[] = [];

beforeAll(async () => {
  await tf.setBackend('cpu');
  const run = await (await kind()).create(TINY, textEnv());
  whole = await drain(run);
  await run.dispose();
});

describe('rnn-retrain run kind', () => {
  it('is the registry’s recurrent retrain, and its checkpoints are the core’s', () => {
    expect(entry().info).toBe(RNN_RETRAIN_INFO);
    expect(RNN_RETRAIN_INFO.checkpointFormat).toBe(RNN_RETRAIN_CHECKPOINT_FORMAT);
  });

  it('reports corpus and genotype, SGD then ASGD steps, epochs with the switch, then done', async () => {
    const note = whole[0];
    expect(note?.type === 'note' && note.detail).toMatchObject({
      note: 'corpus',
      trainTokens: 200,
      validTokens: 60,
      testTokens: 40,
      genotype: {
        recurrent: [
          ['tanh', 0],
          ['relu', 1],
        ],
        concat: [1, 2],
      },
    });
    const stepReports = steps(whole);
    expect(stepReports.map((r) => r.step)).toEqual(stepReports.map((_, i) => i + 1));
    const keys = ['trainLoss', 'trainPerplexity', 'lr', 'segmentLength'];
    for (const r of stepReports) expect(Object.keys(r.metrics)).toEqual(keys);
    expect(stepReports[0]?.files?.map((f) => f.path)).toEqual(['genotype.json']);
    expect(parseRnnGenotype(stepReports[0]?.files?.[0]?.data as string)).toEqual(GENOTYPE);
    expect(stepReports.slice(1).every((r) => r.files === undefined)).toBe(true);
    const epochReports = epochs(whole);
    expect(epochReports.map((e) => e.epoch)).toEqual([0, 1, 2, 3]);
    const switchAt = epochReports.findIndex(switched);
    expect(switchAt).toBeGreaterThan(0);
    expect(switchAt).toBeLessThan(3);
    const optimizers = stepReports.map((r) => (r.detail as { optimizer: string }).optimizer);
    const firstAsgd = optimizers.indexOf('asgd');
    expect(stepReports[firstAsgd]?.epoch).toBe(switchAt + 1);
    expect(optimizers.slice(firstAsgd).every((o) => o === 'asgd')).toBe(true);
    const done = whole.at(-1);
    const best = epochReports.reduce((a, b) =>
      (b.metrics.valLoss as number) < (a.metrics.valLoss as number) ? b : a,
    );
    expect(done?.type === 'done' && done.metrics.testPerplexity).toBe(best.metrics.testPerplexity);
    expect(done?.type === 'done' && done.files?.map((f) => f.path)).toEqual(['genotype.json']);
  });

  it('resumes mid-epoch, at an epoch’s end and inside an ASGD epoch into the same reports', async () => {
    const k = await kind();
    const before = tf.memory().numTensors;
    const run = await k.create(TINY, textEnv());
    const points = [
      (r: RunReport) => r.type === 'step' && r.step === 3,
      (r: RunReport) => r.type === 'epoch' && r.epoch === 0,
      switched,
      (r: RunReport) =>
        r.type === 'step' && (r.detail as { optimizer: string }).optimizer === 'asgd',
    ];
    const taken: [Uint8Array, number][] = [];
    const seen: RunReport[] = [];
    for (const stop of points) {
      seen.push(...(await until(run, stop)));
      taken.push([await run.checkpoint(), seen.length]);
    }
    seen.push(...(await drain(run)));
    await run.dispose();
    expect(seen.map(timeless)).toEqual(whole.map(timeless));
    for (const [bytes, done] of taken) {
      const found = runKindForCheckpoint(bytes);
      expect(found.info.id).toBe('rnn-retrain');
      const resumed = await (await found.load()).resume(bytes, textEnv());
      expect(resumed.settings).toEqual(TINY);
      // Saved again before its first step (the lab's Save right after a load): the same state
      // (its manifest may list the settings in another order).
      expect(decodeContainer(await resumed.checkpoint())).toEqual(decodeContainer(bytes));
      const replay = afterNote(await drain(resumed));
      // The resumed run offers genotype.json with its first step, as every run does.
      const expected = whole.slice(done).map(timeless);
      expect(
        replay.map((r) => timeless(r.type === 'step' ? { ...r, files: undefined } : r)),
      ).toEqual(
        expected.map((r) =>
          (r as RunReport).type === 'step' ? { ...(r as StepReport), files: undefined } : r,
        ),
      );
      await resumed.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a checkpoint with one weight changed resumes into other reports (the control)', async () => {
    const k = await kind();
    const run = await k.create(TINY, textEnv());
    const head = await until(run, (r) => r.type === 'step' && r.step === 2);
    const bytes = await run.checkpoint();
    await run.dispose();
    const { manifest, tensors } = decodeContainer(bytes);
    const altered = tensors.map((t, n) =>
      n === 0 ? { ...t, values: t.values.map((v, i) => (i === 0 ? v + 1e-3 : v)) } : t,
    );
    const resumed = await k.resume(encodeContainer({ manifest, tensors: altered }), textEnv());
    const replay = afterNote(await drain(resumed));
    await resumed.dispose();
    const rest = whole.slice(head.length);
    expect(replay).toHaveLength(rest.length);
    expect(steps(replay).map((r) => r.metrics.trainLoss)).not.toEqual(
      steps(rest).map((r) => r.metrics.trainLoss),
    );
  });

  it('changes its learning rate live and keeps it in checkpoints; other keys are refused', async () => {
    const k = await kind();
    const run = await k.create(TINY, textEnv());
    await until(run, (r) => r.type === 'step');
    run.setLive({ lr: 2 });
    const [next] = await until(run, (r) => r.type === 'step');
    const seqLen = (next?.detail as { seqLen: number }).seqLen;
    expect(next?.type === 'step' && next.metrics.lr).toBe((2 * seqLen) / 6);
    expect(() => run.setLive({ alphaLr: 1 })).toThrow('alphaLr cannot change');
    const resumed = await k.resume(await run.checkpoint(), textEnv());
    expect(resumed.settings).toEqual({ ...TINY, lr: 2 });
    await Promise.all([run.dispose(), resumed.dispose()]);
  });

  it('reports a diverged step instead of throwing, and will not save it', async () => {
    const run = await (await kind()).create(TINY, textEnv());
    await until(run, (r) => r.type === 'step');
    run.injectFault?.('nan');
    const [nan] = await until(run, (r) => r.type === 'step');
    expect(nan?.type === 'step' && nan.metrics.trainLoss).toBeNaN();
    await expect(run.checkpoint()).rejects.toThrow('the retrain has diverged');
    await run.dispose();
  });

  it('takes a published name or a long repr, and resumes a long one from the manifest', async () => {
    const k = await kind();
    const named = await k.create({ ...TINY, genotype: 'darts' }, textEnv());
    const [note] = await until(named, () => true);
    expect(note?.type === 'note' && note.text).toContain('Retraining recurrent genotype DARTS_V2');
    await named.dispose();
    const repr = `${rnnGenotypeToRepr(RNN_DARTS_V2, 'MINE')}\n${'#'.repeat(300)}\n`;
    const run = await k.create({ ...TINY, genotype: repr, epochs: 1 }, textEnv());
    await until(run, (r) => r.type === 'step');
    const resumed = await k.resume(await run.checkpoint(), textEnv());
    expect(parseRnnGenotype(resumed.settings.genotype as string)).toEqual(RNN_DARTS_V2);
    await Promise.all([run.dispose(), resumed.dispose()]);
  });

  it('refuses invalid settings naming the key, before reading any file', async () => {
    const k = await kind();
    const env = textEnv();
    const cases: [Record<string, unknown>, string][] = [
      [{ genotype: 'DARTS_V3' }, 'genotype: "DARTS_V3" is not a published recurrent genotype'],
      [
        { genotype: '{"recurrent": [["none", 0]], "concat": [1]}' },
        'genotype: invalid recurrent genotype',
      ],
      [{ nonmono: 0 }, 'nonmono is below 1'],
      [{ maxSeqLenDelta: -1 }, 'maxSeqLenDelta is below 0'],
      [{ dropoute: 1 }, 'dropoute must be a dropout rate in [0, 1), got 1'],
      [
        { testTokens: 3 },
        'testTokens must be at least 4, got 3 (batch size 4, eval batch 4, test batch 2)',
      ],
      [{ clip: 0 }, 'clip must be > 0, got 0'],
    ];
    for (const [change, message] of cases) {
      await expect(k.create({ ...TINY, ...change } as Settings, env)).rejects.toThrow(message);
    }
    expect(env.requests).toEqual([]);
  });
});
