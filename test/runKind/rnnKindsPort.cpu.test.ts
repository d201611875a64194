/**
 * The recurrent run kinds are a faithful port of the hosts' code before run kinds: for the same
 * settings and corpus, `rnn-search` and `rnn-retrain` report the numbers the lab's jobs
 * (src/worker/rnnSearchJob.ts, rnnRetrainJob.ts, since deleted, as test/fixtures/rnnLabJobs.json
 * recorded them) streamed, bit for bit; and the presets hold the defaults those hosts had (the
 * command line's old parsers' configurations and token budgets, written out below since the
 * command line now runs the kinds themselves).
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Run, RunEnv, RunReport, StepReport } from '../../src/nas/runKind/runKind';
import { selectRunKind } from '../../src/nas/runKind/registry';
import type { Settings } from '../../src/nas/runKind/settingsSchema';
import { defaultSettings } from '../../src/nas/runKind/settingsSchema';
import {
  PAPER_RNN_RETRAIN_CONFIG,
  SMALL_RNN_RETRAIN_CONFIG,
} from '../../src/nas/rnn/retrain/rnnRetrainConfig';
import { RNN_RETRAIN_INFO, rnnRetrainConfigOf } from '../../src/nas/rnn/retrain/rnnRetrainKindInfo';
import {
  PAPER_RNN_SEARCH_CONFIG,
  SMALL_RNN_SEARCH_CONFIG,
} from '../../src/nas/rnn/search/rnnSearchConfig';
import { RNN_SEARCH_INFO, rnnSearchConfigOf } from '../../src/nas/rnn/search/rnnSearchKindInfo';
import * as tf from '../../src/nas/tensor/tf';
import RECORDED from '../fixtures/rnnLabJobs.json';
import { drain } from '../support/runHarness';
import { textEnv } from '../support/textSource';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SIZES = { nhid: 8, bptt: 5, batchSize: 4, epochs: 2, trainTokens: 120, validTokens: 100 };
const RETRAIN_SIZES = { ...SIZES, epochs: 3, nonmono: 1, validTokens: 60, testTokens: 60 };

async function kindReports(command: 'search' | 'retrain', s: Settings, env: RunEnv) {
  const run: Run = await (await selectRunKind(command, { space: 'rnn' }).load()).create(s, env);
  const reports = await drain(run);
  await run.dispose();
  return reports;
}

/** SHA-256 of the numbers as float64 (how the fixture holds each step's alpha softmax). */
function float64Digest(rows: readonly (readonly number[])[]): string {
  return createHash('sha256')
    .update(new Uint8Array(Float64Array.from(rows.flat()).buffer))
    .digest('hex');
}

const stepsOf = (reports: readonly RunReport[]) =>
  reports.filter((r): r is StepReport => r.type === 'step');
const epochMetric = (reports: readonly RunReport[], key: string) =>
  reports.flatMap((r) => (r.type === 'epoch' ? [r.metrics[key]] : []));

/** The lab's recurrent search settings before run kinds (src/worker/labRecurrent.ts). */
const OLD_LAB_SEARCH = {
  nhid: 16,
  bptt: 10,
  batchSize: 8,
  epochs: 1,
  lr: 20,
  alphaLr: 0.003,
  order: 1,
  level: 'word',
  maxVocabulary: 3000,
  trainTokens: 4000,
  validTokens: 800,
  seed: 2,
};

/** The lab's recurrent retrain settings before run kinds (src/worker/labRecurrentRetrain.ts). */
const OLD_LAB_RETRAIN = {
  nhid: 16,
  bptt: 10,
  batchSize: 8,
  epochs: 2,
  lr: 20,
  nonmono: 1,
  level: 'word',
  maxVocabulary: 3000,
  trainTokens: 4000,
  validTokens: 800,
  testTokens: 800,
  seed: 1267,
};

/** What the command line's parsers before run kinds made of each preset (0 tokens: all). */
const OLD_CLI_PRESETS = {
  small: {
    search: { config: SMALL_RNN_SEARCH_CONFIG, tokens: [16_000, 4_000] },
    retrain: { config: SMALL_RNN_RETRAIN_CONFIG, tokens: [20_000, 4_000, 4_000] },
  },
  paper: {
    search: { config: PAPER_RNN_SEARCH_CONFIG, tokens: [0, 0] },
    retrain: { config: PAPER_RNN_RETRAIN_CONFIG, tokens: [0, 0, 0] },
  },
} as const;

describe('the recurrent kinds against the hosts before run kinds', () => {
  it('presets: the lab’s defaults and the command line’s small and paper presets', () => {
    const lab = defaultSettings(RNN_SEARCH_INFO.schema, 'demo');
    expect(lab).toMatchObject(OLD_LAB_SEARCH);
    // The old lab's configuration: the small preset with its settings.
    const {
      level: _sl,
      maxVocabulary: _sm,
      trainTokens: _st,
      validTokens: _sv,
      ...oldSearch
    } = OLD_LAB_SEARCH;
    // The small preset as it was before it was measured: the paper's dropouts (and alpha rate).
    const { dropout } = PAPER_RNN_SEARCH_CONFIG;
    expect(rnnSearchConfigOf(lab)).toEqual({ ...SMALL_RNN_SEARCH_CONFIG, dropout, ...oldSearch });
    const retrainLab = defaultSettings(RNN_RETRAIN_INFO.schema, 'demo');
    expect(retrainLab).toMatchObject(OLD_LAB_RETRAIN);
    // The old lab's configuration: the small preset with its settings, segments up to bptt + 5.
    const { level: _level, maxVocabulary: _cap, ...oldConfig } = OLD_LAB_RETRAIN;
    const { trainTokens: _t, validTokens: _v, testTokens: _u, ...oldLab } = oldConfig;
    expect(rnnRetrainConfigOf(retrainLab)).toEqual({
      ...SMALL_RNN_RETRAIN_CONFIG,
      ...oldLab,
      maxSeqLenDelta: 5,
    });
    for (const preset of ['small', 'paper'] as const) {
      const { search, retrain } = OLD_CLI_PRESETS[preset];
      const s = defaultSettings(RNN_SEARCH_INFO.schema, preset);
      expect(rnnSearchConfigOf(s)).toEqual(search.config);
      expect([s.trainTokens, s.validTokens]).toEqual(search.tokens);
      const r = defaultSettings(RNN_RETRAIN_INFO.schema, preset);
      expect(rnnRetrainConfigOf(r)).toEqual(retrain.config);
      expect([r.trainTokens, r.validTokens, r.testTokens]).toEqual(retrain.tokens);
    }
  });

  it('rnn-search reports what the lab’s search job streamed (recorded)', async () => {
    const settings = { ...defaultSettings(RNN_SEARCH_INFO.schema, 'demo'), ...SIZES };
    const reports = await kindReports('search', settings, textEnv('lab'));
    const steps = stepsOf(reports);
    const recurrentGenes = (g: unknown) => JSON.stringify((g as { recurrent: unknown }).recurrent);
    expect(
      steps.map((r) => [
        r.metrics.trainLoss,
        r.metrics.valLoss,
        recurrentGenes(r.genotype),
        float64Digest(r.alphas?.[0]?.softmax ?? []),
      ]),
    ).toEqual(RECORDED.search.steps);
    expect(epochMetric(reports, 'valLoss')).toEqual(RECORDED.search.epochValLoss);
  });

  it('rnn-retrain reports what the lab’s retrain job streamed (recorded)', async () => {
    const settings = {
      ...defaultSettings(RNN_RETRAIN_INFO.schema, 'demo'),
      ...RETRAIN_SIZES,
      // The old job's segments: up to bptt + ⌊bptt / 2⌋.
      maxSeqLenDelta: 2,
      genotype: 'ENAS',
    };
    const reports = await kindReports('retrain', settings, textEnv('lab'));
    const recorded = RECORDED.retrain;
    expect(
      stepsOf(reports).map((r) => [
        r.metrics.trainLoss,
        r.metrics.lr,
        (r.detail as { optimizer: string }).optimizer,
      ]),
    ).toEqual(recorded.steps);
    expect(
      reports.flatMap((r) => {
        if (r.type !== 'epoch') return [];
        const d = r.detail as { switchedToAsgd: boolean; evaluated: string };
        return [[r.metrics.valPerplexity, r.metrics.testPerplexity, d.switchedToAsgd, d.evaluated]];
      }),
    ).toEqual(recorded.epochs);
    const done = reports.at(-1);
    expect(done?.type === 'done' && done.metrics.testPerplexity).toBe(recorded.testPerplexity);
  });
});
