/**
 * A run of any registered kind (runKind/runKind.ts) as the session's job: its reports become
 * 'report' messages, its checkpoint is what autosave, save, rollback and device-loss recovery
 * keep and reopen (through the registry, by the checkpoint's format), its live settings are the
 * rates a divergence lowers. Written once, so that the session has no code for any one kind.
 */
import type { FileSource } from '../data/catalog';
import { BUILTIN_TEXT_FOLDER } from '../data/builtinText';
import { runKindById, runKindForCheckpoint } from '../nas/runKind/registry';
import type { Run, RunEnv, RunFile, RunKind, RunReport } from '../nas/runKind/runKind';
import type { Settings } from '../nas/runKind/settingsSchema';
import { fieldProblem, findField, validateSettings } from '../nas/runKind/settingsSchema';
import { reportDivergenceAt } from './divergence';
import type { Job } from './job';
import { builtinTextUrl } from './labText';

/** The dataset name under which a kind asks for the built-in text (`DataRequest.dataset`). */
export const BUILTIN_TEXT_DATASET = 'builtin-text';

/** A source for data that is generated, not read: any read is a bug, and says so. */
function noFilesSource(dataset: string): FileSource {
  return {
    read: async (candidates) => {
      throw new Error(`${dataset} data is generated and reads no files (${candidates.join(', ')})`);
    },
  };
}

/**
 * What the lab gives a kind to run in: the embedded images (`default`) from the folder the page
 * sent, the built-in text next to it, nothing to read for synthetic images; other datasets and
 * folders are the command line's.
 */
export function labRunEnv(dataSource: (dataUrl: string) => FileSource, dataUrl: string): RunEnv {
  return {
    host: 'lab',
    files: (request) => {
      if (request.dir !== undefined) {
        throw new Error(`the lab reads no folders (${request.dir}); the command line does`);
      }
      switch (request.dataset) {
        case 'default':
          return dataSource(dataUrl);
        case BUILTIN_TEXT_DATASET:
        case BUILTIN_TEXT_FOLDER:
          return dataSource(builtinTextUrl(dataUrl));
        case 'synthetic':
          return noFilesSource('synthetic');
        default:
          throw new Error(
            `the lab has only its built-in data (default images, ${BUILTIN_TEXT_DATASET}); ` +
              `${request.dataset} needs the command line's --data-dir`,
          );
      }
    },
  };
}

/** A file as the page gets it: text as it is, bytes copied into a buffer of their own. */
function pageFile(file: RunFile): RunFile {
  return typeof file.data === 'string' ? file : { path: file.path, data: file.data.slice() };
}

/**
 * A report as the page gets it: a 'done' report's files, copied so that the worker can transfer
 * them; step and epoch reports without theirs (they would be copied at every step).
 */
export function reportForPage(report: RunReport): RunReport {
  if (report.files === undefined) return report;
  if (report.type === 'note') return { ...report, files: report.files.map(pageFile) };
  const { files, ...rest } = report;
  return report.type === 'done' ? { ...report, files: files.map(pageFile) } : rest;
}

/** The run's live numeric settings (its learning rates), as set at its start. */
export function liveRates(run: Run): Record<string, number> {
  const rates: Record<string, number> = {};
  for (const field of run.info.schema.fields) {
    const value = run.settings[field.key];
    if (field.live && typeof value === 'number') rates[field.key] = value;
  }
  return rates;
}

/** Refuses a live change of a key that is not live, or a value outside its field's range. */
function checkLive(run: Run, values: Readonly<Record<string, number>>): void {
  for (const [key, value] of Object.entries(values)) {
    const field = findField(run.info.schema, key);
    if (!field?.live) {
      throw new Error(`${key} cannot change while a ${run.info.title} runs`);
    }
    const problem = fieldProblem(field, value);
    if (problem) throw new Error(`${key} ${problem}`);
  }
}

/** The session's job over `run`; `kind` reopens its checkpoints. */
export function runJob(kind: RunKind, run: Run, env: RunEnv): Job {
  const id = run.info.id;
  return {
    title: run.info.title,
    autosaveKind: id,
    runKind: id,
    baseRates: liveRates(run),
    async next() {
      const report = await run.next();
      if (report === null) return { messages: [], kind: 'done' };
      const message = { type: 'report', kind: id, report: reportForPage(report) } as const;
      if (report.type === 'step') {
        return {
          messages: [message],
          kind: 'step',
          step: report.step,
          divergence: (alphaLimit) => reportDivergenceAt(run.info, report, alphaLimit),
        };
      }
      if (report.type === 'note' && report.halt === 'pause') {
        return { messages: [message], kind: 'other', pause: true };
      }
      return { messages: [message], kind: report.type === 'done' ? 'done' : 'other' };
    },
    setRates(values) {
      checkLive(run, values);
      run.setLive(values);
    },
    async save() {
      return {
        kind: 'checkpoint',
        name: `nas-lab-${id}-step-${run.step}.naslab`,
        bytes: await run.checkpoint(),
      };
    },
    checkpoint: () => run.checkpoint(),
    dispose: () => run.dispose(),
    reopen: async (bytes) => runJob(kind, await kind.resume(bytes, env), env),
    injectNaN: () => run.injectFault?.('nan'),
    injectHugeAlphas: () => run.injectFault?.('explodeAlphas'),
  };
}

/** A new run of the kind `kindId`, its settings validated first (errors name the keys). */
export async function startRunJob(
  kindId: string,
  settings: unknown,
  env: RunEnv,
): Promise<{ readonly job: Job; readonly run: Run }> {
  const entry = runKindById(kindId);
  const valid: Settings = validateSettings(
    entry.info.schema,
    settings,
    `${entry.info.title} settings`,
  );
  const kind = await entry.load();
  const run = await kind.create(valid, env);
  return { job: runJob(kind, run, env), run };
}

/** A run resumed from checkpoint bytes of any kind: the format in the file picks it. */
export async function resumeRunJob(
  bytes: Uint8Array,
  env: RunEnv,
): Promise<{ readonly job: Job; readonly run: Run }> {
  const kind = await runKindForCheckpoint(bytes).load();
  const run = await kind.resume(bytes, env);
  return { job: runJob(kind, run, env), run };
}
