/**
 * The recurrent run kinds are a faithful port of the hosts' code before run kinds: for the same
 * settings and corpus, `rnn-search` and `rnn-retrain` report the numbers the lab's jobs
 * (src/worker/rnnSearchJob.ts; the retrain's, since deleted, as test/fixtures/rnnLabJobs.json
 * recorded them) streamed and the commands (src/cli/rnnSearchCommand.ts, rnnRetrainCommand.ts)
 * logged, bit for bit; and the presets hold the defaults those hosts had.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseRnnSearchArgs } from '../../src/cli/rnnArgs';
import { parseRnnRetrainArgs } from '../../src/cli/rnnRetrainArgs';
import { runRnnRetrainCommand } from '../../src/cli/rnnRetrainCommand';
import { runRnnSearchCommand } from '../../src/cli/rnnSearchCommand';
import type { Run, RunEnv, RunReport, StepReport } from '../../src/nas/runKind/runKind';
import { selectRunKind } from '../../src/nas/runKind/registry';
import type { Settings } from '../../src/nas/runKind/settingsSchema';
import { defaultSettings } from '../../src/nas/runKind/settingsSchema';
import { stringifyRnnGenotype } from '../../src/nas/rnn/genotype/rnnGenotype';
import { SMALL_RNN_RETRAIN_CONFIG } from '../../src/nas/rnn/retrain/rnnRetrainConfig';
import RECORDED from '../fixtures/rnnLabJobs.json';
import { RNN_ENAS } from '../../src/nas/rnn/genotype/rnnPublishedGenotypes';
import { RNN_RETRAIN_INFO, rnnRetrainConfigOf } from '../../src/nas/rnn/retrain/rnnRetrainKindInfo';
import { RNN_SEARCH_INFO, rnnSearchConfigOf } from '../../src/nas/rnn/search/rnnSearchKindInfo';
import * as tf from '../../src/nas/tensor/tf';
import { PRESETS } from '../../src/ui/labPresets';
import type { JobAdvance } from '../../src/worker/job';
import type { LabConfig } from '../../src/worker/protocol';
import { DEFAULT_LAB_RECURRENT, rnnConfigOf } from '../../src/worker/labRecurrent';
import { builtinTextLoader } from '../../src/worker/labText';
import { createRnnSearchJob } from '../../src/worker/rnnSearchJob';
import { drain } from '../support/runHarness';
import { textEnv, textFolder, textSource } from '../support/textSource';

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

async function jobMessages(job: { next(): Promise<JobAdvance>; dispose(): Promise<void> }) {
  const out = [];
  for (let a = await job.next(); ; a = await job.next()) {
    out.push(...a.messages);
    if (a.kind === 'done') break;
  }
  await job.dispose();
  return out;
}

const stepsOf = (reports: readonly RunReport[]) =>
  reports.filter((r): r is StepReport => r.type === 'step');
const epochMetric = (reports: readonly RunReport[], key: string) =>
  reports.flatMap((r) => (r.type === 'epoch' ? [r.metrics[key]] : []));

type LogRecord = Record<string, unknown> & { type: string };
const readLog = (dir: string): LogRecord[] =>
  readFileSync(join(dir, 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as LogRecord);

const FOLDER_ORIGIN = { builtin: false, name: 'a folder' };

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

describe('the recurrent kinds against the hosts before run kinds', () => {
  it('presets: the lab’s defaults and the command line’s small and paper presets', () => {
    const lab = defaultSettings(RNN_SEARCH_INFO.schema, 'demo');
    expect(rnnSearchConfigOf(lab)).toEqual(rnnConfigOf(DEFAULT_LAB_RECURRENT));
    expect(lab).toMatchObject({ ...DEFAULT_LAB_RECURRENT, order: 1 });
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
    for (const preset of ['small', 'paper']) {
      const cli = parseRnnSearchArgs(['--preset', preset]);
      const s = defaultSettings(RNN_SEARCH_INFO.schema, preset);
      if (cli === 'help') throw new Error('help');
      expect(rnnSearchConfigOf(s)).toEqual(cli.config);
      expect([s.trainTokens, s.validTokens]).toEqual([cli.trainTokens ?? 0, cli.validTokens ?? 0]);
      const retrain = parseRnnRetrainArgs(['--preset', preset, '--genotype', 'DARTS_V2']);
      const r = defaultSettings(RNN_RETRAIN_INFO.schema, preset);
      if (retrain === 'help') throw new Error('help');
      expect(rnnRetrainConfigOf(r)).toEqual(retrain.config);
      expect([r.trainTokens, r.validTokens, r.testTokens]).toEqual(
        [retrain.trainTokens, retrain.validTokens, retrain.testTokens].map((n) => n ?? 0),
      );
    }
  });

  it('rnn-search reports what the lab’s search job streamed', async () => {
    const recurrent = { ...DEFAULT_LAB_RECURRENT, ...SIZES };
    const config: LabConfig = {
      ...PRESETS['quick demo'],
      backend: 'cpu',
      space: 'recurrent',
      recurrent,
    };
    const messages = await jobMessages(
      await createRnnSearchJob(
        config,
        builtinTextLoader(() => textSource()),
      ),
    );
    const settings = { ...defaultSettings(RNN_SEARCH_INFO.schema, 'demo'), ...SIZES };
    const reports = await kindReports('search', settings, textEnv('lab'));
    const points = messages.flatMap((m) => (m.type === 'rnnStep' ? [m.point] : []));
    const steps = stepsOf(reports);
    expect(steps.length).toBe(points.length);
    expect(steps.map((r) => [r.metrics.trainLoss, r.metrics.valLoss, r.genotype])).toEqual(
      points.map((p) => [p.trainLoss, p.valLoss, p.genotype]),
    );
    expect(steps.map((r) => r.alphas?.[0]?.softmax)).toEqual(points.map((p) => p.alphaSoftmax));
    const epochs = messages.flatMap((m) => (m.type === 'rnnEpoch' ? [m.point.valLoss] : []));
    expect(epochMetric(reports, 'valLoss')).toEqual(epochs);
  });

  it('rnn-search reports what `nas-lab search --space rnn` logged', async () => {
    const out = mkdtempSync(join(tmpdir(), 'nas-lab-rnn-port-'));
    const flags = ['--nhid', '8', '--bptt', '5', '--batch-size', '4', '--epochs', '1'];
    const data = ['--train-tokens', '120', '--valid-tokens', '100', '--order', '2'];
    const cmd = parseRnnSearchArgs([
      ...flags,
      ...data,
      ...['--backend', 'cpu', '--data-dir', textFolder(), '--out', out, '--quiet'],
    ]);
    if (cmd === 'help') throw new Error('help');
    await runRnnSearchCommand(cmd, () => undefined);
    const log = readLog(out);
    const settings = { ...defaultSettings(RNN_SEARCH_INFO.schema), ...SIZES, epochs: 1, order: 2 };
    const reports = await kindReports('search', settings, textEnv('cli', FOLDER_ORIGIN));
    const logged = log.filter((r) => r.type === 'step');
    expect(stepsOf(reports).map((r) => [r.metrics.trainLoss, r.metrics.valLoss])).toEqual(
      logged.map((r) => [r.trainLoss, r.valLoss]),
    );
    expect(epochMetric(reports, 'valLoss')).toEqual(
      log.filter((r) => r.type === 'epoch').map((r) => r.valLoss),
    );
    const files = reports.at(-1)?.type === 'done' ? reports.at(-1) : undefined;
    const written = readFileSync(join(out, 'genotype.py'), 'utf8');
    expect(files?.type === 'done' && files.files?.[1]?.data).toBe(written);
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

  it('rnn-retrain reports what `nas-lab retrain --space rnn` logged', async () => {
    const out = mkdtempSync(join(tmpdir(), 'nas-lab-rnn-port-'));
    const genotypeFile = join(out, 'cell.json');
    writeFileSync(genotypeFile, stringifyRnnGenotype(RNN_ENAS));
    const cmd = parseRnnRetrainArgs([
      ...['--genotype', genotypeFile, '--nhid', '8', '--bptt', '5', '--batch-size', '4'],
      ...['--epochs', '3', '--nonmono', '1', '--train-tokens', '120', '--valid-tokens', '60'],
      ...['--test-tokens', '60', '--backend', 'cpu', '--data-dir', textFolder()],
      ...['--out', out, '--quiet'],
    ]);
    if (cmd === 'help') throw new Error('help');
    await runRnnRetrainCommand(
      cmd,
      () => undefined,
      () => undefined,
    );
    const log = readLog(out);
    const settings = {
      ...defaultSettings(RNN_RETRAIN_INFO.schema),
      ...RETRAIN_SIZES,
      genotype: readFileSync(genotypeFile, 'utf8'),
    };
    const reports = await kindReports('retrain', settings, textEnv('cli', FOLDER_ORIGIN));
    expect(stepsOf(reports).map((r) => [r.metrics.trainLoss, r.metrics.lr])).toEqual(
      log.filter((r) => r.type === 'step').map((r) => [r.trainLoss, r.lr]),
    );
    expect(epochMetric(reports, 'testLoss')).toEqual(
      log.filter((r) => r.type === 'epoch').map((r) => r.testLoss),
    );
    const done = log.find((r) => r.type === 'done');
    const last = reports.at(-1);
    expect(last?.type === 'done' && last.metrics.testLoss).toBe(done?.testLoss);
    expect(readFileSync(join(out, 'genotype.json'), 'utf8')).toBe(
      last?.type === 'done' && last.files?.[0]?.data,
    );
  });
});
