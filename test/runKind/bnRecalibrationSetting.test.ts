/**
 * The `bnRecalibration` setting of the convolutional kinds (`ops/bnRecalibrationSetting.ts`,
 * `ops/bnRecalibration.ts`): on (10 batches) in every preset but the paper-exact ones, where it
 * is 0; `--bn-recalibration N` on the command line; stored in a checkpoint's settings, and 0 for
 * checkpoints written before it existed. On a run: the training (every step's figures, the
 * weights, alphas, running statistics, optimizer and random states a checkpoint holds) is bit for
 * bit the training without it; only the epoch-end evaluation differs, and its report says which
 * statistics it used; a checkpoint resumes into the very reports of the uninterrupted run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseRunArgs } from '../../src/cli/runArgs';
import type { DartsSettings } from '../../src/nas/darts/dartsKindInfo';
import { DARTS_INFO } from '../../src/nas/darts/dartsKindInfo';
import { CDARTS_INFO } from '../../src/nas/cdarts/cdartsKindInfo';
import { RETRAIN_INFO } from '../../src/nas/retrain/retrainKindInfo';
import { decodeContainer } from '../../src/nas/io/checkpointFormat';
import {
  BN_RECALIBRATION_BATCHES,
  BN_RECALIBRATION_FILL,
  statisticsOf,
} from '../../src/nas/ops/bnRecalibrationSetting';
import { settingsFromHost, settingsToHost } from '../../src/nas/runKind/hostSettings';
import { runKindForCheckpoint, selectRunKind } from '../../src/nas/runKind/registry';
import type { Run, RunKind, RunKindInfo, RunReport } from '../../src/nas/runKind/runKind';
import type { Settings } from '../../src/nas/runKind/settingsSchema';
import { defaultSettings } from '../../src/nas/runKind/settingsSchema';
import * as tf from '../../src/nas/tensor/tf';
import { drain, indexOf, testEnv } from '../support/kindRuns';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

interface KindCase {
  readonly info: RunKindInfo;
  /** The presets that reproduce the official scripts: recalibration off. */
  readonly paper: readonly string[];
  /** The command line's words that select the kind. */
  readonly argv: readonly string[];
  readonly kind: () => Promise<RunKind>;
  /** A tiny run: 16 training images in batches of 8, so K ≥ 2 reads 2 batches. */
  readonly tiny: Settings;
}

const DARTS: KindCase = {
  info: DARTS_INFO,
  paper: ['paper'],
  argv: ['search'],
  kind: () => selectRunKind('search', { space: 'cnn' }).load(),
  tiny: {
    ...(defaultSettings(DARTS_INFO.schema, 'demo') as DartsSettings),
    dataset: 'synthetic',
    images: 32,
    imageSize: 8,
    batchSize: 8,
    epochs: 2,
    seed: 5,
    ops: ['max_pool_3x3', 'skip_connect', 'sep_conv_3x3'],
  },
};

const RETRAIN: KindCase = {
  info: RETRAIN_INFO,
  paper: ['paper'],
  argv: ['retrain'],
  kind: () => selectRunKind('retrain', { space: 'cnn' }).load(),
  tiny: {
    ...defaultSettings(RETRAIN_INFO.schema, 'demo'),
    channels: 2,
    batchSize: 8,
    epochs: 2,
    images: 16,
    testImages: 8,
    seed: 3,
  },
};

/** A warm-up epoch (the search network alone), then a cycle: both networks are evaluated. */
const CDARTS: KindCase = {
  info: CDARTS_INFO,
  paper: ['nni'],
  argv: ['search', '--algorithm', 'cdarts'],
  kind: () => selectRunKind('search', { space: 'cnn', algorithm: 'cdarts' }).load(),
  tiny: {
    ...defaultSettings(CDARTS_INFO.schema, 'demo'),
    dataset: 'synthetic',
    images: 32,
    imageSize: 8,
    batchSize: 8,
    seed: 5,
    ops: ['max_pool_3x3', 'skip_connect', 'sep_conv_3x3'],
  },
};

const CASES: readonly KindCase[] = [DARTS, RETRAIN, CDARTS];

/** The run's reports to its end, and its checkpoint once it ended. */
async function runThrough(c: KindCase, settings: Settings) {
  const run: Run = await (await c.kind()).create(settings, testEnv());
  try {
    const reports = await drain(run);
    return { reports, checkpoint: await run.checkpoint() };
  } finally {
    await run.dispose();
  }
}

/**
 * A manifest without its host settings, its clock readings (`elapsedMs`) and the last evaluation's
 * figures a retrain keeps for its done report (`summary`), at any depth.
 */
function timeless(m: Readonly<Record<string, unknown>>): unknown {
  const strip = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(strip)
      : typeof v === 'object' && v !== null
        ? Object.fromEntries(
            Object.entries(v)
              .filter(([k]) => k !== 'elapsedMs' && k !== 'summary')
              .map(([k, x]) => [k, strip(x)]),
          )
        : v;
  const { host: _host, ...rest } = m;
  return strip(rest);
}

const epochs = (reports: readonly RunReport[]) => reports.filter((r) => r.type === 'epoch');

describe('the bnRecalibration setting', () => {
  it('is 10 batches in every preset but the paper-exact ones, where it is 0', () => {
    expect(BN_RECALIBRATION_BATCHES).toBe(10);
    for (const c of CASES) {
      for (const preset of c.info.schema.presets) {
        const expected = c.paper.includes(preset) ? 0 : BN_RECALIBRATION_BATCHES;
        expect({ preset, k: defaultSettings(c.info.schema, preset).bnRecalibration }).toEqual({
          preset,
          k: expected,
        });
      }
    }
  });

  it('is set by --bn-recalibration N and refuses a negative count', () => {
    for (const c of CASES) {
      const [command, ...rest] = c.argv as ['search' | 'retrain', ...string[]];
      const parsed = parseRunArgs(command, [...rest, '--bn-recalibration', '3'], []);
      if ('help' in parsed || !('settings' in parsed.start)) throw new Error('expected settings');
      expect(parsed.start.settings.bnRecalibration).toBe(3);
      expect(() => parseRunArgs(command, [...rest, '--bn-recalibration', '-1'], [])).toThrow(
        'bn-recalibration',
      );
    }
  });

  it("round-trips through a checkpoint's settings; an older checkpoint's is 0", () => {
    for (const c of CASES) {
      const settings = { ...defaultSettings(c.info.schema), bnRecalibration: 7 };
      expect(settingsFromHost(c.info, settingsToHost(c.info, settings))?.bnRecalibration).toBe(7);
      const old = Object.fromEntries(
        Object.entries(settingsToHost(c.info, settings)).filter(([k]) => k !== 'bnRecalibration'),
      );
      expect(() => settingsFromHost(c.info, old)).toThrow('bnRecalibration is missing');
      expect(settingsFromHost(c.info, old, BN_RECALIBRATION_FILL)?.bnRecalibration).toBe(0);
    }
  });

  for (const c of CASES) {
    it(`${c.info.id}: trains bit for bit as without it; only the evaluation and its phrase differ`, async () => {
      const off = await runThrough(c, { ...c.tiny, bnRecalibration: 0 });
      const on = await runThrough(c, { ...c.tiny, bnRecalibration: 5 });
      const training = (reports: readonly RunReport[]) => reports.filter((r) => r.type === 'step');
      expect(training(on.reports).length).toBeGreaterThan(0);
      expect(training(on.reports)).toEqual(training(off.reports));
      expect(epochs(on.reports).length).toBe(epochs(off.reports).length);
      expect(epochs(off.reports).map((r) => statisticsOf(r.detail))).toEqual(
        epochs(off.reports).map(() => 'running statistics'),
      );
      // 16 training images in batches of 8: K = 5 reads the 2 there are.
      expect(epochs(on.reports).map((r) => statisticsOf(r.detail))).toEqual(
        epochs(on.reports).map(() => 'BatchNorm recalibrated over 2 batches'),
      );
      const figures = (reports: readonly RunReport[]) =>
        epochs(reports).map((r) => (r.type === 'epoch' ? r.metrics : {}));
      expect(figures(on.reports)).not.toEqual(figures(off.reports));
      // What a checkpoint holds: every tensor (the running statistics too) and random state alike.
      const a = decodeContainer(off.checkpoint);
      const b = decodeContainer(on.checkpoint);
      expect(b.tensors.length).toBeGreaterThan(0);
      expect(b.tensors).toEqual(a.tensors);
      const host = (m: Readonly<Record<string, unknown>>) =>
        m['host'] as Readonly<Record<string, unknown>>;
      expect(host(a.manifest)['bnRecalibration']).toBe(0);
      expect(host(b.manifest)['bnRecalibration']).toBe(5);
      expect(timeless(b.manifest)).toEqual(timeless(a.manifest));
    });

    it(`${c.info.id}: resumes with it into the reports of the uninterrupted run`, async () => {
      const settings = { ...c.tiny, bnRecalibration: 2 };
      const { reports: full } = await runThrough(c, settings);
      const first = await (await c.kind()).create(settings, testEnv());
      const stop = (r: RunReport) => r.type === 'step' && r.step === 1;
      await drain(first, stop);
      const bytes = await first.checkpoint();
      await first.dispose();
      const run = await (await runKindForCheckpoint(bytes).load()).resume(bytes, testEnv());
      expect(run.settings['bnRecalibration']).toBe(2);
      const reports = await drain(run);
      await run.dispose();
      expect(reports.slice(1)).toEqual(full.slice(indexOf(full, stop) + 1));
      expect(epochs(reports).length).toBeGreaterThan(0);
    });
  }
});
