/**
 * The life of the lab's one job, whatever it runs: begun, stepped under pause, resume, single
 * steps and stop; checkpointed (last good state, autosave); rolled back with lower live rates
 * when it diverges, and paused when it diverges again; reopened on the next backend when the GPU
 * device is lost. The session (labSession.ts) turns the page's messages into these calls.
 */
import * as tf from '../nas/tensor/tf';
import { backendAfterLoss, recreateBackend } from './backendRecovery';
import { selectBackend } from './backendChoice';
import { CheckpointKeeper } from './checkpointKeeper';
import {
  DEFAULT_DIVERGENCE_ALPHA_LIMIT,
  DEFAULT_DIVERGENCE_LR_FACTOR,
  DivergenceWatch,
  lowerRates,
} from './divergence';
import { DEFAULT_AUTOSAVE_EVERY } from './autosaveDefaults';
import { describeFailure, LabFailure, watchDeviceLoss } from './errorMessages';
import type { Job, StartedJob } from './job';
import type { BackendChoice, RunStatus } from './protocol';
import type { SessionHost } from './sessionHost';

/** How a start or resume message sets autosave and the divergence watch (defaults: absent). */
export interface DriverOptions {
  readonly autosaveEvery?: number;
  readonly divergenceLrFactor?: number;
  readonly divergenceAlphaLimit?: number;
}

/** Errors that say the GPU device is gone. */
const DEVICE_GONE = /device (was |is )?lost|Device is lost|destroyed/i;
/** Errors of WebGPU calls on a device or instance that is gone (mapAsync on a lost buffer…). */
const GPU_FAILURE = /GPUBuffer|GPUDevice|mapAsync|Instance reference|device/i;

export class JobDriver {
  private status: RunStatus = 'idle';
  private job: Job | null = null;
  /** Steps still to run while paused (the Step command). */
  private pendingSteps = 0;
  private pumping = false;
  /** Pause asked for while a step was under way; takes effect at the step's end. */
  private pauseRequested = false;
  /** Steps done by the current job. */
  private lastStep = 0;
  /** The backend the current job runs on, for error messages. */
  backend: string | null = null;
  readonly keeper: CheckpointKeeper;
  private readonly divergence = new DivergenceWatch();
  private divergenceLrFactor = DEFAULT_DIVERGENCE_LR_FACTOR;
  /** Live rates the page (or a rollback) set, by key, forwarded to the job. */
  private rates: Record<string, number> = {};
  /** A device-loss recovery is under way (a second signal of the same loss is ignored). */
  private recovering = false;
  /**
   * The step a device-loss recovery went back to, until a step is taken after it: a loss (or a
   * failure of the reopened run) before then is the same loss again, and is not retried.
   */
  private recoveredAt: number | null = null;
  /** What the current run is called in messages ("DARTS search"). */
  private title = 'run';
  /** A backend whose device was lost without a recovery: the next run gets a new instance. */
  private lostBackend: string | null = null;
  /** Backends whose device loss is already watched. */
  private readonly watched = new WeakSet<object>();
  /** Serialises work on the job: a save never overlaps a step. */
  private lock: Promise<unknown> = Promise.resolve();
  private readonly exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const result = this.lock.then(work);
    this.lock = result.catch(() => undefined);
    return result;
  };

  /** What the current run is called in messages ("DARTS search"; "run" before one starts). */
  get runTitle(): string {
    return this.title;
  }

  constructor(private readonly host: SessionHost) {
    this.keeper = new CheckpointKeeper(host);
  }

  /** The autosave interval and divergence settings a start or resume message carries. */
  configure(options: DriverOptions): void {
    this.keeper.autosaveEvery = options.autosaveEvery ?? DEFAULT_AUTOSAVE_EVERY;
    this.divergenceLrFactor = options.divergenceLrFactor ?? DEFAULT_DIVERGENCE_LR_FACTOR;
    this.divergence.alphaLimit = options.divergenceAlphaLimit ?? DEFAULT_DIVERGENCE_ALPHA_LIMIT;
  }

  /** Pause: a step under way finishes first; 'paused' is reported once no more steps come. */
  async pause(): Promise<void> {
    if (this.status !== 'running') return;
    if (this.pumping) this.pauseRequested = true;
    else await this.pauseNow();
  }

  resume(): void {
    this.pauseRequested = false;
    if (this.status === 'paused') {
      this.setStatus('running');
      void this.pump();
    }
  }

  /** One more step while paused. */
  step(): void {
    if (this.status === 'paused') {
      this.pendingSteps += 1;
      void this.pump();
    }
  }

  /** The job's file (between steps), as a download: a copy that owns its buffer. */
  async save(): Promise<void> {
    const job = this.job;
    if (!job) throw new Error('nothing to save: no search or retrain is loaded');
    const file = await this.exclusive(() => job.save());
    if (!file) throw new Error('this job has nothing to save');
    const bytes = file.bytes.slice().buffer;
    this.host.post({ type: 'file', kind: file.kind, name: file.name, bytes });
  }

  setLive(values: Readonly<Record<string, number>>): void {
    this.job?.setRates(values);
    this.rates = { ...this.rates, ...values };
  }

  async injectFault(kind: 'nan' | 'explodeAlphas' | 'deviceLoss'): Promise<void> {
    const job = this.job;
    if (!job?.injectNaN) throw new Error('no run is loaded to inject a fault into');
    if (kind === 'nan') {
      await this.exclusive(async () => job.injectNaN?.());
    } else if (kind === 'explodeAlphas') {
      await this.exclusive(async () => job.injectHugeAlphas?.());
    } else {
      // Destroys the GPU device between steps, as a driver reset would.
      await this.exclusive(async () => {
        const device = (tf.backend() as { device?: { destroy?: () => void } }).device;
        if (!device?.destroy) throw new Error('the running backend has no GPU device to lose');
        device.destroy();
      });
      await this.recoverFromDeviceLoss('the GPU device was lost: destroyed by the test hook');
    }
  }

  /** Watches the running backend's device, once per backend instance. */
  private watchBackend(): void {
    const running = tf.backend();
    if (!this.watched.has(running)) {
      this.watched.add(running);
      watchDeviceLoss(running, (message) => {
        // A late signal of a loss already recovered from names a backend instance replaced since.
        if (tf.backend() === running) void this.recoverFromDeviceLoss(message);
      });
    }
  }

  /**
   * The GPU device is gone: the job's tensors with it. A job that can reopen its checkpoint goes
   * on from the last good one (kept in memory) on a recreated device or the next backend;
   * anything else fails with the message.
   */
  private async recoverFromDeviceLoss(reason: string): Promise<void> {
    const good = this.keeper.lastGood;
    const job = this.job;
    if (this.recovering) return;
    if (this.recoveredAt !== null && this.lastStep === this.recoveredAt) {
      this.lostBackend = this.backend;
      await this.fail(new LabFailure(this.lostAgain(reason)));
      return;
    }
    if (!good || !job?.reopen) {
      this.lostBackend = this.backend;
      await this.fail(new Error(reason));
      return;
    }
    this.recovering = true;
    try {
      this.job = null;
      await this.exclusive(async () => {
        try {
          await job.dispose();
        } catch {
          // Its buffers went with the device.
        }
      });
      const selection = await backendAfterLoss(this.backend ?? 'webgpu');
      this.backend = selection.backend;
      this.host.post({ type: 'backend', backend: selection.backend, reason: selection.reason });
      this.watchBackend();
      this.job = await this.reopen(job, good.bytes);
      this.lastStep = good.step;
      this.recoveredAt = good.step;
      this.host.post({
        type: 'recovered',
        reason,
        backend: selection.backend,
        resumedAt: good.step,
      });
    } catch (e) {
      await this.fail(e);
    } finally {
      this.recovering = false;
    }
    // After the interrupted pump has wound down.
    if (this.job && this.status === 'running') setTimeout(() => void this.pump(), 0);
  }

  /** The one message for a device lost again before the recovered run took a step. */
  private lostAgain(reason: string): string {
    return (
      `The ${this.title} stopped: the GPU device was lost again at step ${this.lastStep}, ` +
      `right after the ${this.title} went back to its checkpoint there (${reason}), so it does ` +
      'not go on. The configuration probably needs more GPU memory than this device has: ' +
      'choose a smaller batch, fewer cells or channels, or the wasm or cpu backend, and start ' +
      'again (or resume the last autosave on another backend).'
    );
  }

  /** A fresh job of `job`'s kind from `bytes`, with the live rates set so far. */
  private async reopen(job: Job, bytes: Uint8Array): Promise<Job> {
    if (!job.reopen) throw new Error('this job cannot reopen its checkpoint');
    const resumed = await job.reopen(bytes);
    if (Object.keys(this.rates).length > 0) resumed.setRates(this.rates);
    return resumed;
  }

  /**
   * The run diverged: back to the last good checkpoint, with every live rate lowered by the
   * configured factor; the run goes on.
   */
  private async rollBack(step: number, reason: string): Promise<void> {
    const good = this.keeper.lastGood;
    const job = this.job;
    if (!good || !job?.reopen || !job.baseRates) {
      throw new Error(`the run diverged at step ${step} and there is no checkpoint to go back to`);
    }
    const lowered = lowerRates(job.baseRates, this.rates, this.divergenceLrFactor);
    this.rates = lowered;
    this.job = null;
    await this.exclusive(() => job.dispose());
    this.job = await this.reopen(job, good.bytes);
    this.lastStep = good.step;
    this.host.post({ type: 'diverged', step, rolledBackTo: good.step, reason, live: lowered });
  }

  /** Pauses, autosaving first so that a reload finds the run where it stopped. */
  private async pauseNow(): Promise<void> {
    const job = this.job;
    this.setStatus('paused');
    if (job && this.lastStep > 0) {
      await this.keeper.autosave(job, this.lastStep, this.exclusive, this.backend);
    }
  }

  setStatus(status: RunStatus): void {
    this.status = status;
    this.host.post({ type: 'status', status });
  }

  async begin(
    backend: BackendChoice,
    create: () => Promise<StartedJob>,
    then: 'running' | 'paused' = 'running',
  ): Promise<void> {
    await this.stop('idle');
    this.lastStep = 0;
    this.keeper.reset(null);
    this.rates = {};
    this.divergence.reset();
    this.setStatus('loading');
    if (this.lostBackend !== null) {
      // tfjs keeps one instance per backend name, bound to the device that is gone.
      await recreateBackend(this.lostBackend);
      this.lostBackend = null;
    }
    const selection = await selectBackend(backend);
    this.host.post({ type: 'backend', backend: selection.backend, reason: selection.reason });
    this.watchBackend();
    this.backend = selection.backend;
    const { job, step, resumedFrom } = await create();
    this.job = job;
    this.title = job.title ?? 'run';
    this.recoveredAt = null;
    this.lastStep = step;
    if (step > 0) this.keeper.reset(step);
    // A first good state to roll back to, should the run diverge before its first autosave:
    // the checkpoint a resumed run came from, else one taken now.
    if (resumedFrom && job.reopen) this.keeper.lastGood = { bytes: resumedFrom, step };
    else await this.keeper.keepGood(job, step, this.exclusive);
    this.setStatus(then);
    if (then === 'running') void this.pump();
  }

  /** Pulls steps while running, or the requested single steps while paused. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (
        this.job &&
        ((this.status === 'running' && !this.pauseRequested) ||
          (this.status === 'paused' && this.pendingSteps > 0))
      ) {
        const stepping = this.status === 'paused';
        const job = this.job;
        // The job may have been replaced while this waited for the lock (a recovery).
        const advance = await this.exclusive(async () => (this.job === job ? job.next() : null));
        if (advance === null) break;
        for (const m of advance.messages) this.host.post(m);
        const alphaLimit = this.divergence.alphaLimit;
        const watched =
          advance.divergence && advance.step !== undefined
            ? {
                step: advance.step,
                what: job.title ?? 'run',
                reason: advance.divergence(alphaLimit),
              }
            : null;
        const check = watched ? this.divergence.verdict(watched.reason) : { verdict: 'ok' };
        if (watched && check.verdict === 'rollback') {
          await this.rollBack(watched.step, watched.reason ?? '');
          continue;
        }
        if (watched && check.verdict === 'pause') {
          this.host.post({
            type: 'error',
            message: `the ${watched.what} diverged again at step ${watched.step} (${watched.reason}) after a rollback; it is paused. Lower the learning rates, then resume.`,
          });
          // No autosave: the state is not finite, and the last good one must stay.
          this.setStatus('paused');
          return;
        }
        if (advance.kind === 'done') {
          await this.stop('done');
          return;
        }
        if (advance.pause) {
          // The run asked to pause (an early-stopping rule): as the Pause command does.
          this.pendingSteps = 0;
          if (this.status === 'running') await this.pauseNow();
          return;
        }
        if (advance.kind === 'step' && stepping) this.pendingSteps -= 1;
        if (advance.step !== undefined) {
          if (this.recoveredAt !== null && advance.step > this.recoveredAt) this.recoveredAt = null;
          this.lastStep = advance.step;
          if (this.keeper.due(advance.step)) {
            await this.keeper.autosave(job, advance.step, this.exclusive, this.backend);
          }
        }
        // Let queued commands (pause, stop) in between steps.
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      // A failure of the run just reopened after a loss, before its first step, is that loss
      // again (a buffer of the lost device, an instance that no longer exists).
      const afterLoss = this.recoveredAt !== null && this.lastStep === this.recoveredAt;
      if (
        (this.keeper.lastGood && DEVICE_GONE.test(message)) ||
        (afterLoss && GPU_FAILURE.test(message))
      ) {
        void this.recoverFromDeviceLoss(`the GPU device was lost: ${message}`);
      } else {
        await this.fail(e);
      }
    } finally {
      this.pumping = false;
      if (this.pauseRequested) {
        this.pauseRequested = false;
        if (this.status === 'running') await this.pauseNow();
      }
    }
  }

  async stop(status: RunStatus): Promise<void> {
    const job = this.job;
    this.job = null;
    this.pendingSteps = 0;
    this.pauseRequested = false;
    if (job) await this.exclusive(() => job.dispose());
    if (status !== 'idle' || this.status !== 'idle') this.setStatus(status);
  }

  /**
   * Stops the job and says why: `lead` words the action that failed (the session's, for a
   * message that could not be carried out); by default, the run stopped.
   */
  async fail(e: unknown, lead = `The ${this.title} stopped`): Promise<void> {
    const message = describeFailure(lead, e, this.backend);
    try {
      await this.stop('failed');
    } catch {
      // The device may be gone; the message below is what matters.
    }
    this.host.post({ type: 'error', message });
  }
}
