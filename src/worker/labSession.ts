/**
 * The lab's engine: the page's messages turned into one job at a time — a run of any registered
 * kind ('startRun', 'resumeRun', an autosave; runJob.ts) — driven by `JobDriver` (pause, resume, single step,
 * stop, live rates, autosave, rollback, device-loss recovery, written once for every kind).
 * Independent of how messages travel, so the same session runs in the worker and, for tests,
 * in-thread.
 */
import { DEFAULT_AUTOSAVE_EVERY } from './autosaveDefaults';
import { evaluateModelFile } from './evaluateModel';
import type { StartedJob } from './job';
import { JobDriver } from './jobDriver';
import type { BackendChoice, ToWorker } from './protocol';
import { labRunEnv, resumeRunJob, startRunJob } from './runJob';
import { findRunKind } from '../nas/runKind/registry';
import type { SessionHost } from './sessionHost';

export type { SessionHost } from './sessionHost';
export { fetchDataSource } from './sessionHost';
export { DEFAULT_AUTOSAVE_EVERY };

/**
 * The action `message` asked for, as the start of the sentence that says it failed: the user
 * reads what failed ("The trained model could not be evaluated: …"), not that a search stopped
 * when none ran.
 */
function failureLead(message: ToWorker, runTitle: string): string {
  switch (message.type) {
    case 'startRun':
      return `The ${findRunKind(message.kind)?.info.title ?? 'run'} could not start`;
    case 'resumeRun':
      return 'The checkpoint could not be loaded';
    case 'resumeAutosave':
      return 'The autosave could not be resumed';
    case 'listAutosaves':
      return "The browser's autosaves could not be read";
    case 'discardAutosaves':
      return "The browser's autosaves could not be discarded";
    case 'evaluateModel':
      return 'The trained model could not be evaluated';
    case 'save':
      return 'The checkpoint could not be saved';
    case 'setLive':
      return 'The setting did not change';
    case 'injectFault':
      return 'The fault could not be injected';
    case 'pause':
    case 'resume':
    case 'step':
    case 'stop':
      return `The ${runTitle} stopped`;
  }
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
          await this.resumeBytes(new Uint8Array(message.bytes), message);
          break;
        case 'listAutosaves':
          this.host.post({ type: 'autosaves', items: await driver.keeper.list() });
          break;
        case 'resumeAutosave': {
          const entry = await driver.keeper.bytesOf(message.id);
          driver.configure(message);
          await this.resumeBytes(entry.bytes, message);
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
        case 'injectFault':
          await driver.injectFault(message.kind);
          break;
      }
    } catch (e) {
      await driver.fail(e, failureLead(message, driver.runTitle));
    }
  }

  /** Resolves when every autosave taken so far is written (for tests). */
  async flushAutosaves(): Promise<void> {
    await this.driver.keeper.flush();
  }

  /**
   * Resumes checkpoint bytes, paused at their step, as a run of the kind their format names
   * (an autosave the per-kind jobs wrote before run kinds, 'search', 'retrain' or 'cdarts', too:
   * its bytes are in a format a kind reads).
   */
  private async resumeBytes(
    bytes: Uint8Array,
    where: { readonly backend: BackendChoice; readonly dataUrl: string },
  ): Promise<void> {
    const { backend, dataUrl } = where;
    await this.driver.begin(
      backend,
      async (): Promise<StartedJob> => {
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
