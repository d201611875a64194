/**
 * The one runner of `nas-lab search|retrain`, for every kind: selects the backend, creates or
 * resumes the run, steps it to the end and writes what it reports: `log.jsonl` (a config line,
 * then one line per report), every file a report offers (atomically), a checkpoint every N steps
 * with --checkpoint-every, a progress bar with the ETA, and a summary of the final metrics.
 */
import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import type { Run, RunFile, RunKindInfo, RunReport } from '../nas/runKind/runKind';
import * as tf from '../nas/tensor/tf';
import { cliRunEnv } from './cliEnv';
import { costLine } from './costLine';
import { releaseNodeBackend, useNodeBackend } from './nodeBackend';
import { formatProgress } from './progressBar';
import type { RunRequest } from './runArgs';
import { statisticsOf } from '../nas/ops/bnRecalibrationSetting';

/** Where the command writes: the terminal, or a test's capture. */
export interface CliIo {
  /** Results: the final summary, usage texts. */
  readonly out: (text: string) => void;
  /** Progress and messages. */
  readonly err: (text: string) => void;
}

export const PROCESS_IO: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

export const CHECKPOINT_FILE = 'checkpoint.naslab';

/** Writes the file whole, then renames it: an interruption never leaves half a file. */
export function writeAtomically(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** A report's file in the output folder; a path leaving the folder is the kind's bug. */
function writeRunFile(outDir: string, file: RunFile): void {
  const root = resolve(outDir);
  const path = resolve(root, file.path);
  if (!path.startsWith(root + sep))
    throw new Error(`a run offered a file outside --out: ${file.path}`);
  writeAtomically(path, file.data);
}

const figure = (v: number): string =>
  !Number.isFinite(v) || Math.abs(v) >= 1e4 ? v.toFixed(0) : String(Number(v.toPrecision(4)));

/**
 * `loss 0.25 accuracy 91.20%`: the metrics by their labels, accuracies in percent; with `watched`,
 * only those whose divergence the kind watches (the losses), so that a progress bar stays short.
 */
export function metricsText(
  info: RunKindInfo,
  metrics: Readonly<Record<string, number>>,
  watched = false,
): string {
  const keep = (key: string) =>
    !watched ||
    !info.metrics.some((m) => m.watch) ||
    info.metrics.some((m) => m.key === key && m.watch);
  return Object.entries(metrics)
    .filter(([key]) => keep(key))
    .map(([key, value]) => {
      const spec = info.metrics.find((m) => m.key === key);
      const text = spec?.kind === 'accuracy' ? `${(value * 100).toFixed(2)}%` : figure(value);
      // The label without its explanation in parentheses: a terminal line stays short.
      const label = spec ? spec.label.replace(/ \(.*\)$/, '') : key;
      return `${label} ${text}`;
    })
    .join(' ');
}

/** The final figures a run has (NaN and infinity: none, e.g. no epoch finished). */
function summary(info: RunKindInfo, metrics: Readonly<Record<string, number>>): string {
  const finite = Object.entries(metrics).filter(([, v]) => Number.isFinite(v));
  return finite.length === 0 ? 'no final figures' : metricsText(info, Object.fromEntries(finite));
}

/** A report as log.jsonl records it: the files by path only. */
function logLine(report: RunReport): string {
  const files = 'files' in report && report.files ? report.files.map((f) => f.path) : undefined;
  return `${JSON.stringify(files ? { ...report, files } : report)}\n`;
}

/** Steps the run to its end, writing and printing what it reports; returns the files written. */
async function drive(run: Run, req: RunRequest, io: CliIo): Promise<string[]> {
  const { info } = run;
  const { outDir, quiet, checkpointEvery } = req.host;
  const logPath = join(outDir, 'log.jsonl');
  const written = new Set<string>(['log.jsonl']);
  let barShown = false;
  const say = (text: string) => {
    io.err(`${barShown ? '\n' : ''}${text}\n`);
    barShown = false;
  };
  for (let report = await run.next(); report !== null; report = await run.next()) {
    appendFileSync(logPath, logLine(report));
    for (const file of report.files ?? []) {
      writeRunFile(outDir, file);
      written.add(file.path);
    }
    if (report.type === 'step') {
      if (checkpointEvery !== undefined && report.step % checkpointEvery === 0) {
        writeAtomically(join(outDir, CHECKPOINT_FILE), await run.checkpoint());
        written.add(CHECKPOINT_FILE);
      }
      if (!quiet) {
        const rate = `${report.throughput.toFixed(1)} ${info.throughputUnit}`;
        const label = `epoch ${report.epoch + 1} ${metricsText(info, report.metrics, true)} ${rate}`;
        const line = { done: report.step, total: report.totalSteps, elapsedMs: report.elapsedMs };
        io.err(`\r${formatProgress({ ...line, label })}`);
        barShown = true;
      }
    } else if (report.type === 'epoch') {
      // Which BatchNorm statistics the evaluation used, where the kind says (bnRecalibration).
      const statistics = statisticsOf(report.detail);
      const used = statistics === null ? '' : ` (${statistics})`;
      if (!quiet) say(`epoch ${report.epoch + 1}: ${metricsText(info, report.metrics)}${used}`);
    } else if (report.type === 'note') {
      if (!quiet) say(report.text);
      if (report.halt === 'pause') {
        // The run asked to pause: its checkpoint, to go on from with --resume.
        writeAtomically(join(outDir, CHECKPOINT_FILE), await run.checkpoint());
        written.add(CHECKPOINT_FILE);
        say(`paused at step ${run.step}: go on with --resume ${join(outDir, CHECKPOINT_FILE)}`);
        break;
      }
    } else {
      if (barShown) say('');
      io.out(`${info.title} done after ${report.step} steps: ${summary(info, report.metrics)}\n`);
      const cost = info.command === 'search' ? costLine(report) : null;
      if (cost) io.out(`${cost}\n`);
    }
  }
  return [...written];
}

/** Runs the request to its end. */
export async function runCommand(req: RunRequest, io: CliIo): Promise<void> {
  const { entry, host } = req;
  await useNodeBackend(host.backend);
  try {
    const kind = await entry.load();
    const env = cliRunEnv(host.dataDir);
    let run: Run;
    if ('checkpoint' in req.start) {
      try {
        run = await kind.resume(req.start.checkpoint, env);
      } catch (e) {
        throw new Error(`--resume ${host.resume}: ${(e as Error).message}`);
      }
    } else run = await kind.create(req.start.settings, env);
    try {
      mkdirSync(host.outDir, { recursive: true });
      const resumedFrom = host.resume === undefined ? null : { file: host.resume, step: run.step };
      const backend = tf.getBackend();
      const config = { type: 'config', kind: entry.info.id, backend, settings: run.settings };
      writeFileSync(
        join(host.outDir, 'log.jsonl'),
        `${JSON.stringify({ ...config, resumedFrom })}\n`,
      );
      if (!host.quiet) {
        const from = resumedFrom ? `, resumed from ${resumedFrom.file} at step ${run.step}` : '';
        io.err(`${entry.info.title} on the ${backend} backend${from}\n`);
      }
      const written = await drive(run, req, io);
      io.err(`wrote ${written.join(', ')} in ${host.outDir}\n`);
    } finally {
      await run.dispose();
    }
  } finally {
    releaseNodeBackend();
  }
}
