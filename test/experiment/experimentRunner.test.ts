/**
 * The experiment's orchestration over a host that runs nothing (no tfjs): the order of the runs
 * and their settings (seeds, genotypes), the state written after each finished run, a stop
 * between runs and a second session that runs only what is left, counts that grow keeping the
 * finished runs, the refusal of a folder of another experiment before anything runs, and the
 * report's rows, ranks and interval; and a search kind registered later (as PC-DARTS will be)
 * taken without a change.
 */
import { describe, expect, it } from 'vitest';
import { parseExperimentArgs } from '../../src/cli/experimentArgs';
import type { PlannedRun } from '../../src/experiment/experimentPlan';
import type { ExperimentHost } from '../../src/experiment/experimentRunner';
import { ExperimentStopped, runExperiment } from '../../src/experiment/experimentRunner';
import type { ExperimentConfig } from '../../src/experiment/experimentSettings';
import { EXPERIMENT_SCHEMA } from '../../src/experiment/experimentSettings';
import type { ExperimentState, RunOutcome } from '../../src/experiment/experimentState';
import { DARTS_INFO } from '../../src/nas/darts/dartsKindInfo';
import type { GenotypeJson } from '../../src/nas/genotype/genotype';
import { genotypeToJson } from '../../src/nas/genotype/genotype';
import { DARTS_V1 } from '../../src/nas/genotype/publishedGenotypes';
import { RETRAIN_INFO } from '../../src/nas/retrain/retrainKindInfo';
import { OPS_FIELD } from '../../src/nas/runKind/convFields';
import { registerRunKind } from '../../src/nas/runKind/registry';
import type { RunFile, RunKindInfo } from '../../src/nas/runKind/runKind';
import type { Settings } from '../../src/nas/runKind/settingsSchema';
import { defaultSettings } from '../../src/nas/runKind/settingsSchema';

const config = (
  own: Partial<Record<string, unknown>> = {},
  search: Settings = {},
): ExperimentConfig =>
  ({
    space: 'cnn',
    searchKind: 'darts',
    retrainKind: 'retrain',
    settings: {
      ...defaultSettings(EXPERIMENT_SCHEMA),
      searches: 2,
      random: 3,
      seeds: 2,
      bootstrap: 1000,
      ...own,
    },
    search: { ...defaultSettings(DARTS_INFO.schema, 'demo'), ...search },
    retrain: defaultSettings(RETRAIN_INFO.schema, 'demo'),
  }) as ExperimentConfig;

/** A host whose runs are instant: a search finds DARTS_V1, a retrain's accuracy is a function of its cell and seed. */
class FakeHost implements ExperimentHost {
  state: unknown = null;
  files: RunFile[] = [];
  ran: PlannedRun[] = [];
  savedAfter: number[] = [];
  private clock = 0;

  async loadState(): Promise<unknown> {
    return this.state === null ? null : JSON.parse(JSON.stringify(this.state));
  }
  async saveState(state: ExperimentState): Promise<void> {
    this.state = JSON.parse(JSON.stringify(state));
    this.savedAfter.push(this.ran.length);
  }
  async writeFiles(files: readonly RunFile[]): Promise<void> {
    this.files = [...files];
  }
  async run(run: PlannedRun): Promise<RunOutcome> {
    this.ran.push(run);
    this.clock += run.phase === 'search' ? 10_000 : 2_000;
    if (run.phase === 'search') {
      return {
        metrics: { valAccuracy: 0.5 },
        detail: { genotype: genotypeToJson(DARTS_V1) },
        parameters: null,
        seconds: 10,
        resumedFrom: null,
      };
    }
    // Searched cells 0.8 + small, random 0.5 + j/100, controls 0.6; seeds add s/1000.
    const j = Number(/(\d+)$/.exec(run.cell)?.[1] ?? 0);
    const base =
      run.cellKind === 'searched' ? 0.8 + j / 100 : run.cellKind === 'random' ? 0.5 + j / 100 : 0.6;
    return {
      metrics: { testAccuracy: base + run.seedIndex / 1000, testLoss: 1 },
      detail: {},
      parameters: 1000 + j,
      seconds: 2,
      resumedFrom: null,
    };
  }
  now(): number {
    return this.clock;
  }
}

const file = (host: FakeHost, path: string): string =>
  String(host.files.find((f) => f.path === path)?.data);

describe('the experiment runner', () => {
  it('runs the searches, then every cell over its seeds, saving after each run', async () => {
    const host = new FakeHost();
    const report = await runExperiment(config(), host);
    expect(host.ran.map((r) => r.id)).toEqual([
      'search/seed-0',
      'search/seed-1',
      ...[
        'searched-0',
        'searched-1',
        'random-0',
        'random-1',
        'random-2',
        'control-DARTS_V2',
        'control-poor',
      ].flatMap((c) => [`retrain/${c}/seed-0`, `retrain/${c}/seed-1`]),
    ]);
    // Seeds: the kind's seed + k (search) and + s (retrain); the genotype: the cell's.
    const demoSeed = defaultSettings(DARTS_INFO.schema, 'demo').seed as number;
    expect(host.ran.slice(0, 2).map((r) => r.settings.seed)).toEqual([demoSeed, demoSeed + 1]);
    const searched = host.ran.find((r) => r.id === 'retrain/searched-1/seed-1');
    expect(JSON.parse(String(searched?.settings.genotype))).toEqual(genotypeToJson(DARTS_V1));
    expect(searched?.settings.seed).toBe(1);
    expect(
      host.ran.find((r) => r.id === 'retrain/control-DARTS_V2/seed-0')?.settings.genotype,
    ).toBe('DARTS_V2');
    // Saved before the first run and after each.
    expect(host.savedAfter).toEqual(Array.from({ length: 17 }, (_, i) => i));
    expect(report.complete).toBe(true);
    expect(report.runs).toHaveLength(16);
    const byId = Object.fromEntries(report.cells.map((c) => [c.id, c]));
    expect(byId['searched-1']?.mean).toBeCloseTo(0.8105, 12);
    expect(byId['searched-1']?.std).toBeCloseTo(Math.sqrt(0.5e-6), 12);
    expect(byId['searched-0']?.amongRandom).toEqual({ rank: 1, of: 4, beats: 3 });
    expect(byId['control-DARTS_V2']?.amongRandom).toEqual({ rank: 1, of: 4, beats: 3 });
    expect(byId['random-0']?.amongRandom).toBeNull();
    // Searched means 0.8005, 0.8105; random 0.5005, 0.5105, 0.5205: every resample's difference is in [0.28, 0.31].
    const b = report.searchedMinusRandom;
    expect(b?.estimate).toBeCloseTo(0.8055 - 0.5105, 12);
    expect(b?.low).toBeGreaterThanOrEqual(0.28 - 1e-12);
    expect(b?.high).toBeLessThanOrEqual(0.31 + 1e-12);
    const md = file(host, 'report.md');
    expect(md).toMatch(
      /\| searched-1 \| searched \| 81\.05% ± 0\.07% \| 2 \| 1,001 \| 1 of 4 \(beats 3 of 3\) \|/,
    );
    expect(md).toMatch(/\| random-2 \| random \| 52\.05% ± 0\.07% \| 2 \|/);
    expect(md).toMatch(/\| control-poor \| control \| 60\.05% ± 0\.07% \|/);
    expect(md).toMatch(/The whole interval favours the searched cells/);
    expect(file(host, 'report.svg')).toMatch(/^<svg[\s\S]*searched \(2\)[\s\S]*<\/svg>\n$/);
    expect(JSON.parse(file(host, 'report.json')).runs).toHaveLength(16);
  });

  it('stops between runs when asked and goes on in a second session without redoing any', async () => {
    const host = new FakeHost();
    const stop = new AbortController();
    await expect(
      runExperiment(config(), host, {
        signal: stop.signal,
        onProgress: (p) => {
          if (p.type === 'finish' && p.finished === 3) stop.abort();
        },
      }),
    ).rejects.toThrow(ExperimentStopped);
    expect(host.ran).toHaveLength(3);
    expect(Object.keys((host.state as ExperimentState).runs)).toEqual([
      'search/seed-0',
      'search/seed-1',
      'retrain/searched-0/seed-0',
    ]);
    const partial = JSON.parse(file(host, 'report.json'));
    expect(partial).toMatchObject({ complete: false, runsFinished: 3, runsPlanned: 16 });
    host.ran = [];
    let opened = -1;
    const report = await runExperiment(config(), host, {
      onOpen: (finished) => (opened = finished),
    });
    expect(opened).toBe(3);
    expect(host.ran).toHaveLength(13);
    expect(host.ran[0]?.id).toBe('retrain/searched-0/seed-1');
    expect(report.complete).toBe(true);
  });

  it('keeps the finished runs when the counts grow, and reports the ETA by phase', async () => {
    const host = new FakeHost();
    await runExperiment(config({ seeds: 1, random: 2 }), host);
    expect(host.ran).toHaveLength(2 + 6);
    host.ran = [];
    const etas: number[] = [];
    await runExperiment(config({ seeds: 2, random: 3 }), host, {
      onProgress: (p) => {
        if (p.type === 'start') etas.push(p.etaMs);
      },
    });
    // Only the new runs: every cell's second seed and random-2's first.
    expect(host.ran.map((r) => r.id).sort()).toEqual(
      [
        ...[
          'searched-0',
          'searched-1',
          'random-0',
          'random-1',
          'random-2',
          'control-DARTS_V2',
          'control-poor',
        ].map((c) => `retrain/${c}/seed-1`),
        'retrain/random-2/seed-0',
      ].sort(),
    );
    // Retrains take 2 s each: 8 left, then 7, …
    expect(etas).toEqual([16_000, 14_000, 12_000, 10_000, 8_000, 6_000, 4_000, 2_000]);
  });

  it('refuses a folder of another experiment before anything runs, naming what differs', async () => {
    const host = new FakeHost();
    await runExperiment(config({ searches: 1, random: 1, seeds: 1, controls: [] }), host);
    host.ran = [];
    await expect(
      runExperiment(
        config({ searches: 1, random: 1, seeds: 1, controls: [], seed: 5 }, { epochs: 3 }),
        host,
      ),
    ).rejects.toThrow(/other settings \(seed was 0, now 5; search\.epochs was 2, now 3\)/);
    expect(host.ran).toHaveLength(0);
    host.state = { format: 'something else' };
    await expect(runExperiment(config(), host)).rejects.toThrow(
      /state\.json cannot be read: it is not an experiment's state/,
    );
    expect(host.ran).toHaveLength(0);
  });

  it('refuses settings a cell cannot retrain with before anything runs', async () => {
    const host = new FakeHost();
    const bad = { ...config(), retrain: { ...config().retrain, layers: 2 } } as ExperimentConfig;
    await expect(runExperiment(bad, host)).rejects.toThrow(/retrain settings: layers is below 3/);
    expect(host.ran).toHaveLength(0);
    expect(host.state).toBeNull();
  });
});

/** A search kind registered later, as PC-DARTS will be: its own settings, the DARTS space. */
const PC_DARTS_TOY: RunKindInfo = {
  ...DARTS_INFO,
  id: 'pc-darts-toy',
  title: 'PC-DARTS search',
  select: { space: 'cnn', algorithm: 'pc-darts' },
  checkpointFormat: 'nas-lab.pc-darts-toy-checkpoint',
  schema: {
    presets: ['small'],
    fields: [
      { key: 'nodes', type: 'int', min: 1, default: 3, group: 'network', help: 'nodes' },
      { ...OPS_FIELD, default: ['none', 'max_pool_3x3', 'sep_conv_3x3'] },
      { key: 'partialChannels', type: 'int', min: 1, default: 4, group: 'method', help: 'K' },
      { key: 'seed', type: 'int', default: 0, group: 'run', help: 'seed' },
    ],
  },
};

describe('a search kind registered later (the PC-DARTS seam)', () => {
  it('is taken by the flags and the runner without a change to the experiment', async () => {
    const remove = registerRunKind({
      info: PC_DARTS_TOY,
      load: () => Promise.reject(new Error('a descriptor only')),
    });
    try {
      const parsed = parseExperimentArgs([
        ...['--algorithm', 'pc-darts', '--search.partial-channels', '2', '--searches', '1'],
        ...['--random', '4', '--seeds', '1', '--controls', 'poor', '--preset', 'demo'],
        ...['--search.preset', 'small'],
      ]);
      if ('help' in parsed) throw new Error('usage');
      const { config } = parsed;
      expect(config).toMatchObject({ searchKind: 'pc-darts-toy', retrainKind: 'retrain' });
      expect(config.search).toEqual({
        nodes: 3,
        ops: ['none', 'max_pool_3x3', 'sep_conv_3x3'],
        partialChannels: 2,
        seed: 0,
      });
      const host = new FakeHost();
      const report = await runExperiment(config, host);
      expect(host.ran[0]).toMatchObject({ id: 'search/seed-0', kindId: 'pc-darts-toy' });
      expect(report.complete).toBe(true);
      // The random cells are of its space: 3 nodes, its ops but none.
      for (const cell of report.cells.filter((c) => c.kind === 'random')) {
        const g = cell.genotype as GenotypeJson;
        expect(g.normal).toHaveLength(6);
        expect(new Set([...g.normal, ...g.reduce].map(([op]) => op)).size).toBeLessThanOrEqual(2);
        expect(
          [...g.normal, ...g.reduce].every(
            ([op]) => op === 'max_pool_3x3' || op === 'sep_conv_3x3',
          ),
        ).toBe(true);
      }
      expect(report.cells.find((c) => c.id === 'control-poor')?.genotype).toMatchObject({
        normal_concat: [2, 3, 4],
      });
    } finally {
      remove();
    }
  });
});
