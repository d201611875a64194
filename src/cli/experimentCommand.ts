/**
 * `nas-lab experiment` on the command line: the experiment's host over a folder. Each run is
 * `nas-lab search|retrain`'s own runner (runCommand.ts) in its subfolder, with its log.jsonl and
 * a checkpoint every N steps; a run interrupted (Ctrl-C) resumes from that checkpoint through the
 * runner's --resume path, and a run whose log holds its done report is read, not run again. The
 * state and the reports are written whole (a temporary file renamed). Progress with the ETA goes
 * to stderr, the result to stdout.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlannedRun } from '../experiment/experimentPlan';
import type { ReportMetric } from '../experiment/experimentReport';
import { differenceText, metricText, testMetric } from '../experiment/experimentReport';
import type {
  ExperimentHost,
  ExperimentOptions,
  ExperimentProgress,
} from '../experiment/experimentRunner';
import { runExperiment } from '../experiment/experimentRunner';
import type { RunOutcome } from '../experiment/experimentState';
import { outcomeOfReports } from '../experiment/experimentState';
import { runKindById, runKindForCheckpoint } from '../nas/runKind/registry';
import type { Settings } from '../nas/runKind/settingsSchema';
import { changedKeys } from '../nas/runKind/settingsSchema';
import type { ExperimentRequest } from './experimentArgs';
import { parseExperimentArgs } from './experimentArgs';
import { MAX_CHECKPOINT_FILE_BYTES, readLimitedFile } from './hostFlags';
import { formatDuration } from './progressBar';
import type { CliIo } from './runCommand';
import { CHECKPOINT_FILE, runCommand, writeAtomically } from './runCommand';

export const STATE_FILE = 'state.json';

/** A run's log.jsonl, line by line; empty when there is none. */
function readLog(path: string): unknown[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as unknown];
      } catch {
        // The last line of a run killed while writing it.
        return [];
      }
    });
}

/** The settings a log's config line says the run had, or null. */
function loggedSettings(lines: readonly unknown[]): Settings | null {
  const [config] = lines as { type?: string; settings?: Settings }[];
  return config?.type === 'config' && config.settings ? config.settings : null;
}

/** Seconds the log's last step says the run took (a run finished in an earlier session). */
function loggedSeconds(lines: readonly unknown[]): number {
  const steps = lines.filter((l) => (l as { type?: string }).type === 'step') as {
    elapsedMs?: number;
  }[];
  const ms = steps.at(-1)?.elapsedMs;
  return typeof ms === 'number' ? ms / 1000 : 0;
}

/** Runs one planned run in its folder (or reads it, where its log says it finished). */
async function runInFolder(
  run: PlannedRun,
  req: ExperimentRequest,
  io: CliIo,
): Promise<RunOutcome> {
  const { host } = req;
  const dir = join(host.outDir, run.id);
  const logPath = join(dir, 'log.jsonl');
  const entry = runKindById(run.kindId);
  const same = (settings: Settings | null) =>
    settings !== null && changedKeys(entry.info.schema, settings, run.settings).length === 0;
  const before = readLog(logPath);
  const finished = outcomeOfReports(before, loggedSeconds(before));
  if (finished && same(loggedSettings(before))) return finished;
  const checkpointPath = join(dir, CHECKPOINT_FILE);
  let checkpoint: Uint8Array | null = null;
  if (existsSync(checkpointPath)) {
    const bytes = readLimitedFile('resume', checkpointPath, MAX_CHECKPOINT_FILE_BYTES);
    // A checkpoint of another kind is not this run's: it starts again.
    if (runKindForCheckpoint(bytes).info.id === entry.info.id) checkpoint = bytes;
  }
  const quietIo: CliIo = { out: () => {}, err: () => {} };
  const runIo: CliIo = host.quiet ? quietIo : { out: io.err, err: io.err };
  const started = Date.now();
  await runCommand(
    {
      entry,
      start: checkpoint ? { checkpoint } : { settings: run.settings },
      host: {
        backend: host.backend,
        dataDir: host.dataDir,
        outDir: dir,
        quiet: host.quiet,
        checkpointEvery: host.checkpointEvery,
        resume: checkpoint ? checkpointPath : undefined,
      },
    },
    runIo,
  );
  const lines = readLog(logPath);
  const outcome = outcomeOfReports(lines, (Date.now() - started) / 1000);
  if (!outcome) throw new Error(`${run.id} ended without its done report (${logPath})`);
  if (!same(loggedSettings(lines))) {
    throw new Error(
      `${run.id}: its checkpoint ${checkpointPath} holds other settings than the experiment's; remove ${dir} to run it again`,
    );
  }
  return outcome;
}

/** The node host of an experiment in `req.host.outDir`. */
export function folderHost(req: ExperimentRequest, io: CliIo): ExperimentHost {
  const { outDir } = req.host;
  return {
    async loadState() {
      const path = join(outDir, STATE_FILE);
      if (!existsSync(path)) {
        if (existsSync(join(outDir, 'search')) || existsSync(join(outDir, 'retrain'))) {
          throw new Error(`--out ${outDir} holds runs but no ${STATE_FILE}: give another --out`);
        }
        return null;
      }
      try {
        return JSON.parse(readFileSync(path, 'utf8')) as unknown;
      } catch (e) {
        throw new Error(`--out ${outDir}: ${STATE_FILE} is not JSON (${(e as Error).message})`);
      }
    },
    async saveState(state) {
      writeAtomically(join(outDir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
    },
    async writeFiles(files) {
      for (const file of files) writeAtomically(join(outDir, file.path), file.data);
    },
    run: (run) => runInFolder(run, req, io),
    now: () => Date.now(),
  };
}

/** `search seed-1`, `retrain random-0 seed 2`. */
const runName = (run: PlannedRun): string =>
  run.phase === 'search' ? `search ${run.seedIndex}` : `retrain ${run.cell} seed ${run.seedIndex}`;

/** The progress line of a run starting or finishing. */
export function progressLine(p: ExperimentProgress, metric: ReportMetric): string {
  const times = `elapsed ${formatDuration(p.elapsedMs)}, ETA ${formatDuration(p.etaMs)}`;
  if (p.type === 'start') {
    return `experiment: run ${p.finished + 1} of ${p.total}: ${runName(p.run)} (${times})\n`;
  }
  const value = p.record?.value ?? null;
  const figure = p.run.phase === 'retrain' ? ` ${metric.label} ${metricText(metric, value)},` : '';
  const seconds = p.record ? `${p.record.seconds.toFixed(1)} s` : '';
  return `experiment: ${p.finished} of ${p.total} done: ${runName(p.run)}${figure} ${seconds} (${times})\n`;
}

/** Runs the experiment the request describes; progress on stderr, the result on stdout. */
export async function runExperimentCommand(
  req: ExperimentRequest,
  io: CliIo,
  options: ExperimentOptions = {},
): Promise<void> {
  const { outDir } = req.host;
  const metric = testMetric(runKindById(req.config.retrainKind).info);
  const report = await runExperiment(req.config, folderHost(req, io), {
    ...options,
    onOpen: (finished, total) => {
      if (finished > 0)
        io.err(`experiment: ${finished} of ${total} runs already finished in ${outDir}\n`);
      options.onOpen?.(finished, total);
    },
    onProgress: (p) => {
      io.err(progressLine(p, metric));
      options.onProgress?.(p);
    },
  });
  const b = report.searchedMinusRandom;
  const diff = (v: number) => differenceText(metric, v);
  if (b) {
    io.out(
      `searched − random ${metric.label}: ${diff(b.estimate)}, ${Math.round(b.level * 100)} % bootstrap interval [${diff(b.low)}, ${diff(b.high)}]\n`,
    );
  }
  io.out(`wrote report.json, report.md, report.svg in ${outDir}\n`);
}

/** `nas-lab experiment ARGS`: its usage for --help, else the experiment. Returns the exit code. */
export async function experimentMain(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseExperimentArgs(argv);
  if ('help' in parsed) {
    io.out(parsed.help);
    return 0;
  }
  await runExperimentCommand(parsed, io);
  return 0;
}
