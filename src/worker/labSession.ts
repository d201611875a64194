/**
 * The lab's engine: the page's messages turned into one job at a time — a run of any registered
 * kind ('startRun', 'resumeRun', an autosave of a kind; runJob.ts), or one of the per-kind jobs
 * the older messages start (legacyJobs.ts) — driven by `JobDriver` (pause, resume, single step,
 * stop, live rates, autosave, rollback, device-loss recovery, written once for every kind).
 * Independent of how messages travel, so the same session runs in the worker and, for tests,
 * in-thread.
 */
import { checkpointFormatOf, runKinds } from '../nas/runKind/registry';
import { DEFAULT_AUTOSAVE_EVERY } from './autosaveDefaults';
import { evaluateModelFile } from './evaluateModel';
import type { StartedJob } from './job';
import { JobDriver } from './jobDriver';
import { legacyJob, legacyResume } from './legacyJobs';
import type { BackendChoice, ToWorker } from './protocol';
import { labRunEnv, resumeRunJob, startRunJob } from './runJob';
import type { SessionHost } from './sessionHost';

export type { SessionHost } from './sessionHost';
export { fetchDataSource } from './sessionHost';
export { DEFAULT_AUTOSAVE_EVERY };

/** Whether a registered kind reads checkpoints of the format these bytes declare. */
function ofRegisteredKind(bytes: Uint8Array): boolean {
  let format: string;
  try {
    format = checkpointFormatOf(bytes);
  } catch {
    return false;
  }
  return runKinds().some((e) => e.info.checkpointFormat === format);
}

export class LabSession {
  private readonly driver: JobDriver;

  constructor(private readonly host: SessionHost) {
    this.driver = new JobDriver(host);
  }

  async handle(message: ToWorker): Promise<void> {
    const driver = this.driver;
    try {
      switch (message.type) {
        case 'startRun': {
          driver.configure(message);
          const env = labRunEnv(this.host.dataSource, message.dataUrl);
          await driver.begin(message.backend, async () => {
            const { job, run } = await startRunJob(message.kind, message.settings, env);
            const settings = run.settings;
            this.host.post({ type: 'runStarted', kind: run.info.id, settings, step: 0 });
            return { job, step: 0 };
          });
          break;
        }
        case 'resumeRun':
          driver.configure(message);
          await this.resumeBytes(new Uint8Array(message.bytes), null, message);
          break;
        case 'start':
        case 'retrain':
          driver.configure(message);
          await driver.begin(message.config.backend, () => legacyJob(message, this.host));
          break;
        case 'loadCheckpoint': {
          driver.configure({});
          const bytes = new Uint8Array(message.bytes);
          const { backend, dataUrl } = message;
          await driver.begin(
            backend,
            () => legacyResume(null, bytes, backend, dataUrl, this.host),
            'paused',
          );
          break;
        }
        case 'listAutosaves':
          this.host.post({ type: 'autosaves', items: await driver.keeper.list() });
          break;
        case 'resumeAutosave': {
          const entry = await driver.keeper.bytesOf(message.id);
          driver.configure(message);
          await this.resumeBytes(entry.bytes, entry.kind, message);
          break;
        }
        case 'discardAutosaves':
          await driver.keeper.discardAll();
          this.host.post({ type: 'autosaves', items: [] });
          break;
        case 'evaluateModel':
          await driver.stop('idle');
          driver.setStatus('loading');
          await evaluateModelFile(message, this.host, (s) => (driver.backend = s.backend));
          driver.setStatus('done');
          break;
        case 'save':
          await driver.save();
          break;
        case 'pause':
          await driver.pause();
          break;
        case 'resume':
          driver.resume();
          break;
        case 'step':
          driver.step();
          break;
        case 'stop':
          await driver.stop('stopped');
          break;
        case 'setLive':
          driver.setLive(message.values);
          break;
        case 'setRates': {
          const { weightLr, alphaLr } = message;
          driver.setLive({
            ...(weightLr === undefined ? {} : { weightLr }),
            ...(alphaLr === undefined ? {} : { alphaLr }),
          });
          break;
        }
        case 'injectFault':
          await driver.injectFault(message.kind);
          break;
      }
    } catch (e) {
      await driver.fail(e);
    }
  }

  /** Resolves when every autosave taken so far is written (for tests). */
  async flushAutosaves(): Promise<void> {
    await this.driver.keeper.flush();
  }

  /**
   * Resumes checkpoint bytes, paused at their step: through the registry when a kind reads
   * their format (always for a file: `legacyKind` null), else as the per-kind jobs wrote them
   * (`legacyKind`: the autosave's kind, 'search', 'retrain' or 'cdarts').
   */
  private async resumeBytes(
    bytes: Uint8Array,
    legacyKind: string | null,
    where: { readonly backend: BackendChoice; readonly dataUrl: string },
  ): Promise<void> {
    const { backend, dataUrl } = where;
    const viaRegistry = legacyKind === null || ofRegisteredKind(bytes);
    await this.driver.begin(
      backend,
      async (): Promise<StartedJob> => {
        if (!viaRegistry) return legacyResume(legacyKind, bytes, backend, dataUrl, this.host);
        const { job, run } = await resumeRunJob(bytes, labRunEnv(this.host.dataSource, dataUrl));
        const { settings, step } = run;
        this.host.post({ type: 'runStarted', kind: run.info.id, settings, step });
        // Where it stands (alphas, genotype) before any step: the run arrives paused.
        for (const report of run.takeOpening()) {
          this.host.post({ type: 'report', kind: run.info.id, report });
        }
        return { job, step, resumedFrom: bytes };
      },
      'paused',
    );
  }
}
