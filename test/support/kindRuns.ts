/**
 * Helpers for the run-kind tests: an environment whose files are this repository's embedded
 * dataset (and which records what it was asked for), running a run to a report or to its end,
 * reports without what depends on the clock, so that two runs compare bit for bit, and a
 * fixture's base64 bytes.
 */
import { EMBEDDED_DIR, folderSource } from '../../src/cli/folderSource';
import type { DataRequest, Run, RunEnv, RunReport } from '../../src/nas/runKind/runKind';

/** An environment with the embedded dataset as `default`; `requests` lists what was asked. */
export function testEnv(): RunEnv & { readonly requests: DataRequest[] } {
  const requests: DataRequest[] = [];
  return {
    host: 'test',
    requests,
    files: (request) => {
      requests.push(request);
      if (request.dataset !== 'default') throw new Error(`no files of ${request.dataset} here`);
      return folderSource(EMBEDDED_DIR);
    },
  };
}

/** A report without its timing (elapsed time, throughput). */
export function timeless(report: RunReport): RunReport {
  if (report.type !== 'step') return report;
  const { elapsedMs: _elapsed, throughput: _throughput, ...rest } = report;
  return { ...rest, elapsedMs: 0, throughput: 0 };
}

/** Reports until the run ends, or through the first one `stop` accepts; timing removed. */
export async function drain(
  run: Run,
  stop: (report: RunReport) => boolean = () => false,
): Promise<RunReport[]> {
  const out: RunReport[] = [];
  for (let r = await run.next(); r; r = await run.next()) {
    out.push(timeless(r));
    if (stop(r)) break;
  }
  return out;
}

/** The index of the first report `which` accepts; throws when there is none. */
export function indexOf(reports: readonly RunReport[], which: (r: RunReport) => boolean): number {
  const i = reports.findIndex(which);
  if (i < 0) throw new Error('no such report');
  return i;
}

export function finiteMetrics(report: RunReport): boolean {
  return report.type === 'note' || Object.values(report.metrics).every((v) => Number.isFinite(v));
}

/** Bytes a fixture holds as base64 (the lab's checkpoints recorded before run kinds). */
export function fromBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'));
}
