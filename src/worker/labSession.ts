/**
 * The lab's engine: one job at a time (a search or a retrain), driven a step at a time under
 * the page's commands (start, pause, resume, single step, stop, learning rates). Independent of
 * how messages travel, so the same session runs in the worker and, for tests, in-thread.
 */
import { urlSource } from '../data/browserSources';
import type { FileSource } from '../data/catalog';
import * as tf from '../nas/tensor/tf';
import { selectBackend } from './backendChoice';
import { describeJobError, watchDeviceLoss } from './errorMessages';
import {
  DEFAULT_DIVERGENCE_ALPHA_LIMIT,
  DEFAULT_DIVERGENCE_LR_FACTOR,
  DivergenceWatch,
} from './divergence';
import { backendAfterLoss } from './backendRecovery';
import type { AutosaveStore } from './autosaveStore';
import { saveAndPrune } from './autosaveStore';
import { DEFAULT_AUTOSAVE_EVERY } from './autosaveDefaults';
import type { SearchCheckpoint } from '../nas/darts/searchCheckpoint';
import type { Job, LearningRates } from './job';
import type { BackendChoice, FromWorker, RunStatus, ToWorker } from './protocol';
import { createRetrainJob, resumeRetrainJob } from './retrainJob';
import type { RetrainCheckpoint } from '../nas/retrain/retrainCheckpoint';
import { decodeRetrainCheckpoint } from '../nas/retrain/retrainCheckpoint';
import { createCdartsJob, resumeCdartsJob } from './cdartsJob';
import type { CdartsCheckpoint } from '../nas/cdarts/cdartsCheckpoint';
import { decodeCdartsCheckpoint, isCdartsCheckpointFile } from '../nas/cdarts/cdartsCheckpoint';
import { createRnnRetrainJob } from './rnnRetrainJob';
import { createRnnSearchJob } from './rnnSearchJob';
import { builtinTextLoader, builtinTextUrl } from './labText';
import { createSearchJob, resumeSearchJob } from './searchJob';
import { decodeCheckpoint } from '../nas/darts/searchCheckpoint';
import { toDevice } from '../data/deviceSplit';
import { evaluateRetrainSplit } from '../nas/retrain/retrainLoop';
import {
  decodeTrainedModel,
  disposeTrainedModel,
  restoreTrainedModel,
} from '../nas/retrain/trainedModel';
import { loadEmbeddedTestImages } from './labData';
import { genotypeToJson } from '../nas/genotype/genotype';

export interface SessionHost {
  post(message: FromWorker): void;
  /** The embedded dataset's files, given the URL the page sent. */
  readonly dataSource: (dataUrl: string) => FileSource;
  /** Where autosaves go; null turns autosave off (no storage). */
  readonly autosaves?: AutosaveStore | null;
  /** Clock for autosave times; injectable for tests. */
  readonly now?: () => number;
}

export { DEFAULT_AUTOSAVE_EVERY };

export const fetchDataSource = (dataUrl: string): FileSource => urlSource(dataUrl);

/** Each of the job's rates (the page's where it set one, else the configured) times `factor`. */
function lowerRates(
  base: LearningRates,
  current: Partial<LearningRates>,
  factor: number,
): LearningRates {
  const lower = (b: number | undefined, c: number | undefined) =>
    b === undefined ? undefined : (c ?? b) * factor;
  const alphaLr = lower(base.alphaLr, current.alphaLr);
  const nasnetLr = lower(base.nasnetLr, current.nasnetLr);
  return {
    weightLr: (current.weightLr ?? base.weightLr) * factor,
    ...(alphaLr === undefined ? {} : { alphaLr }),
    ...(nasnetLr === undefined ? {} : { nasnetLr }),
  };
}

export class LabSession {
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
  private backend: string | null = null;
  /** Autosave every this many steps (and at pause); 0: never. */
  private autosaveEvery = DEFAULT_AUTOSAVE_EVERY;
  /** Autosave writes, one after the other, off the training loop's path. */
  private persisting: Promise<void> = Promise.resolve();
  /** The step of the last autosave taken, so that a pause does not save it twice. */
  private lastAutosavedStep = -1;
  /** The newest checkpoint of the current search kept in memory: what a divergence rolls back to. */
  private lastGood: { readonly bytes: Uint8Array; readonly step: number } | null = null;
  private readonly divergence = new DivergenceWatch();
  private divergenceLrFactor = DEFAULT_DIVERGENCE_LR_FACTOR;
  /** Learning rates the page (or a rollback) set, forwarded to the job. */
  private rates: Partial<LearningRates> = {};
  /** A device-loss recovery is under way (a second signal of the same loss is ignored). */
  private recovering = false;
  /** Backends whose device loss is already watched. */
  private readonly watched = new WeakSet<object>();
  /** Serialises work on the job: a save never overlaps a step. */
  private lock: Promise<unknown> = Promise.resolve();

  constructor(private readonly host: SessionHost) {}

  async handle(message: ToWorker): Promise<void> {
    try {
      switch (message.type) {
        case 'start':
          this.autosaveEvery = message.autosaveEvery ?? DEFAULT_AUTOSAVE_EVERY;
          this.divergenceLrFactor = message.divergenceLrFactor ?? DEFAULT_DIVERGENCE_LR_FACTOR;
          this.divergence.alphaLimit =
            message.divergenceAlphaLimit ?? DEFAULT_DIVERGENCE_ALPHA_LIMIT;
          await this.begin(message.config.backend, () =>
            message.config.space === 'recurrent'
              ? createRnnSearchJob(
                  message.config,
                  builtinTextLoader(() => this.host.dataSource(builtinTextUrl(message.dataUrl))),
                )
              : message.config.algorithm === 'cdarts'
                ? createCdartsJob(message.config, () => this.host.dataSource(message.dataUrl))
                : createSearchJob(message.config, () => this.host.dataSource(message.dataUrl)),
          );
          break;
        case 'retrain':
          this.autosaveEvery = message.autosaveEvery ?? DEFAULT_AUTOSAVE_EVERY;
          this.divergenceLrFactor = message.divergenceLrFactor ?? DEFAULT_DIVERGENCE_LR_FACTOR;
          await this.begin(message.config.backend, () =>
            createRetrainJob(message.config, message.genotype, () =>
              this.host.dataSource(message.dataUrl),
            ),
          );
          break;
        case 'rnnRetrain':
          await this.begin(message.backend, () =>
            createRnnRetrainJob(message.settings, message.genotype, () =>
              this.host.dataSource(builtinTextUrl(message.dataUrl)),
            ),
          );
          break;
        case 'loadCheckpoint': {
          const bytes = new Uint8Array(message.bytes);
          if (isCdartsCheckpointFile(bytes)) {
            await this.resumeCdarts(
              decodeCdartsCheckpoint(bytes),
              message.backend,
              message.dataUrl,
            );
          } else {
            await this.resumeFrom(decodeCheckpoint(bytes), message.backend, message.dataUrl);
          }
          break;
        }
        case 'listAutosaves':
          this.host.post({ type: 'autosaves', items: await this.autosaveList() });
          break;
        case 'resumeAutosave': {
          const entry = await this.host.autosaves?.get(message.id);
          if (!entry) throw new Error('that autosave is gone (storage was cleared or pruned)');
          this.autosaveEvery = message.autosaveEvery ?? DEFAULT_AUTOSAVE_EVERY;
          if (entry.kind === 'cdarts') {
            await this.resumeCdarts(
              decodeCdartsCheckpoint(entry.bytes),
              message.backend,
              message.dataUrl,
            );
          } else if (entry.kind === 'retrain') {
            await this.resumeRetrain(
              decodeRetrainCheckpoint(entry.bytes),
              message.backend,
              message.dataUrl,
            );
          } else {
            await this.resumeFrom(decodeCheckpoint(entry.bytes), message.backend, message.dataUrl);
          }
          break;
        }
        case 'evaluateModel':
          await this.evaluateModel(message);
          break;
        case 'discardAutosaves': {
          const store = this.host.autosaves;
          if (store) for (const e of await store.list()) await store.delete(e.id);
          this.host.post({ type: 'autosaves', items: [] });
          break;
        }
        case 'save': {
          const job = this.job;
          if (!job) throw new Error('nothing to save: no search or retrain is loaded');
          const file = await this.exclusive(() => job.save());
          if (!file) throw new Error('this job has nothing to save');
          // A copy that owns its buffer, so that it can be transferred.
          const bytes = file.bytes.slice().buffer;
          this.host.post({
            type: 'file',
            kind: file.kind,
            name: file.name,
            bytes,
            purpose: 'download',
          });
          break;
        }
        case 'pause':
          // A step under way finishes first: 'paused' is reported once no more steps will come.
          if (this.status === 'running') {
            if (this.pumping) this.pauseRequested = true;
            else await this.pauseNow();
          }
          break;
        case 'resume':
          this.pauseRequested = false;
          if (this.status === 'paused') {
            this.setStatus('running');
            void this.pump();
          }
          break;
        case 'step':
          if (this.status === 'paused') {
            this.pendingSteps += 1;
            void this.pump();
          }
          break;
        case 'stop':
          await this.stop('stopped');
          break;
        case 'setRates':
          this.rates = {
            ...this.rates,
            weightLr: message.weightLr ?? this.rates.weightLr,
            alphaLr: message.alphaLr ?? this.rates.alphaLr,
          };
          this.job?.setRates(this.rates);
          break;
        case 'injectFault': {
          const job = this.job;
          if (!job?.injectNaN) throw new Error('no run is loaded to inject a fault into');
          if (message.kind === 'nan') {
            await this.exclusive(async () => job.injectNaN?.());
          } else if (message.kind === 'explodeAlphas') {
            await this.exclusive(async () => job.injectHugeAlphas?.());
          } else {
            // Destroys the GPU device between steps, as a driver reset would.
            await this.exclusive(async () => {
              const device = (tf.backend() as { device?: { destroy?: () => void } }).device;
              if (!device?.destroy)
                throw new Error('the running backend has no GPU device to lose');
              device.destroy();
            });
            await this.recoverFromDeviceLoss('the GPU device was lost: destroyed by the test hook');
          }
          break;
        }
      }
    } catch (e) {
      await this.fail(e);
    }
  }

  private async resumeFrom(
    checkpoint: SearchCheckpoint,
    backend: BackendChoice,
    dataUrl: string,
  ): Promise<void> {
    await this.begin(
      backend,
      async () => {
        const { job, config, alphaSoftmax } = await resumeSearchJob(checkpoint, () =>
          this.host.dataSource(dataUrl),
        );
        this.host.post({
          type: 'restored',
          config: { ...config, backend },
          step: checkpoint.position.step,
          alphaSoftmax,
          genotypeHistory: checkpoint.genotypeHistory.map((c) => ({
            step: c.step,
            genotype: genotypeToJson(c.genotype),
          })),
        });
        this.lastStep = checkpoint.position.step;
        this.lastAutosavedStep = checkpoint.position.step;
        return job;
      },
      'paused',
    );
  }

  private async resumeRetrain(
    checkpoint: RetrainCheckpoint,
    backend: BackendChoice,
    dataUrl: string,
  ): Promise<void> {
    await this.begin(
      backend,
      async () => {
        const { job, config } = await resumeRetrainJob(checkpoint, () =>
          this.host.dataSource(dataUrl),
        );
        const step = checkpoint.position.step;
        this.host.post({
          type: 'retrainRestored',
          config: { ...config, backend },
          genotype: genotypeToJson(checkpoint.genotype),
          step,
        });
        this.lastStep = step;
        this.lastAutosavedStep = step;
        return job;
      },
      'paused',
    );
  }

  private async resumeCdarts(
    checkpoint: CdartsCheckpoint,
    backend: BackendChoice,
    dataUrl: string,
  ): Promise<void> {
    await this.begin(
      backend,
      async () => {
        const { job, config, alphaSoftmax, genotype } = await resumeCdartsJob(
          checkpoint,
          backend,
          () => this.host.dataSource(dataUrl),
        );
        const step = checkpoint.position.step;
        this.host.post({
          type: 'restored',
          config,
          step,
          alphaSoftmax,
          genotypeHistory: [{ step, genotype }],
        });
        this.lastStep = step;
        this.lastAutosavedStep = step;
        return job;
      },
      'paused',
    );
  }

  /** A finished retrain's model, offered to the page before the job's tensors go. */
  private async offerFinishedModel(job: Job): Promise<void> {
    const file = await this.exclusive(() => job.save()).catch(() => null);
    if (file?.kind !== 'model') return;
    const bytes = file.bytes.slice().buffer;
    this.host.post({ type: 'file', kind: 'model', name: file.name, bytes, purpose: 'keep' });
  }

  private async evaluateModel(message: Extract<ToWorker, { type: 'evaluateModel' }>) {
    await this.stop('idle');
    this.setStatus('loading');
    const decoded = decodeTrainedModel(new Uint8Array(message.bytes));
    const selection = await selectBackend(message.backend);
    this.backend = selection.backend;
    this.host.post({ type: 'backend', backend: selection.backend, reason: selection.reason });
    if (decoded.normalization === null) {
      throw new Error(
        'this model was trained on synthetic images; the lab evaluates on the built-in Fashion-MNIST test images',
      );
    }
    if (decoded.data.channels !== 1 || decoded.data.numClasses !== 10) {
      throw new Error(
        `this model takes ${decoded.data.channels}-channel images in ${decoded.data.numClasses} classes; the built-in test images are 1-channel in 10 classes`,
      );
    }
    const { test } = await loadEmbeddedTestImages(message.testImages, decoded.data.height, () =>
      this.host.dataSource(message.dataUrl),
    );
    const model = restoreTrainedModel(decoded);
    const split = toDevice(test);
    try {
      const r = await evaluateRetrainSplit(model, split);
      this.host.post({
        type: 'evaluated',
        testLoss: r.loss,
        testAccuracy: r.accuracy,
        testImages: test.count,
        genotype: genotypeToJson(decoded.genotype),
        savedAccuracy: decoded.training.testAccuracy,
      });
    } finally {
      split.dispose();
      disposeTrainedModel(model);
    }
    this.setStatus('done');
  }

  /**
   * The GPU device is gone: the job's tensors with it. A job that can reopen its checkpoint (a
   * DARTS or CDARTS search, a retrain) goes on from the last good one (kept in memory) on a
   * recreated device or the next backend; anything else fails with the message.
   */
  private async recoverFromDeviceLoss(reason: string): Promise<void> {
    const good = this.lastGood;
    const job = this.job;
    if (!good || !job?.reopen || this.recovering) {
      if (!this.recovering) await this.fail(new Error(reason));
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
      const running = tf.backend();
      if (!this.watched.has(running)) {
        this.watched.add(running);
        watchDeviceLoss(running, (message) => void this.recoverFromDeviceLoss(message));
      }
      const resumed = await job.reopen(good.bytes);
      resumed.setRates(this.rates);
      this.job = resumed;
      this.lastStep = good.step;
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

  /**
   * The job's resumable checkpoint (between steps, under the lock), kept in memory as the last
   * good state when the job can reopen it; null when the job has none.
   */
  private async keepGood(step: number): Promise<Uint8Array | null> {
    const job = this.job;
    if (!job) return null;
    const bytes = await this.exclusive(async () => {
      if (job.checkpoint) return job.checkpoint();
      const file = await job.save();
      return file?.kind === 'checkpoint' ? file.bytes : null;
    });
    if (bytes && job.reopen) this.lastGood = { bytes, step };
    return bytes;
  }

  /**
   * The run diverged: back to the last good checkpoint, with the learning rates lowered by the
   * configured factor; the run goes on.
   */
  private async rollBack(step: number, reason: string): Promise<void> {
    const good = this.lastGood;
    const job = this.job;
    if (!good || !job?.reopen || !job.baseRates) {
      throw new Error(`the run diverged at step ${step} and there is no checkpoint to go back to`);
    }
    const lowered = lowerRates(job.baseRates, this.rates, this.divergenceLrFactor);
    this.rates = lowered;
    this.job = null;
    await this.exclusive(() => job.dispose());
    const resumed = await job.reopen(good.bytes);
    resumed.setRates(this.rates);
    this.job = resumed;
    this.lastStep = good.step;
    this.host.post({ type: 'diverged', step, rolledBackTo: good.step, reason, ...lowered });
  }

  private async autosaveList() {
    const store = this.host.autosaves;
    if (!store) return [];
    return (await store.list()).map(({ id, kind, step, savedAt, sizeBytes }) => ({
      id,
      kind,
      step,
      savedAt,
      sizeBytes,
    }));
  }

  /**
   * Takes an autosave of the job (between steps, under the lock) and writes it in the
   * background; a failed write is reported and the run goes on.
   */
  private async autosave(step: number): Promise<void> {
    const store = this.host.autosaves;
    const job = this.job;
    if (this.autosaveEvery <= 0 || step === this.lastAutosavedStep || !job) return;
    // The autosave is also what a divergence or a lost device goes back to.
    const kind = job.autosaveKind ?? 'search';
    let bytes: Uint8Array | null;
    try {
      bytes = await this.keepGood(step);
    } catch (e) {
      this.host.post({
        type: 'error',
        message: `autosave skipped: ${describeJobError(e, this.backend)}`,
      });
      return;
    }
    if (!bytes || !store) return;
    this.lastAutosavedStep = step;
    const savedAt = (this.host.now ?? Date.now)();
    this.persisting = this.persisting.then(async () => {
      try {
        await saveAndPrune(store, {
          id: kind,
          kind,
          step,
          savedAt,
          bytes,
        });
        this.host.post({ type: 'autosaved', step, savedAt });
      } catch (e) {
        this.host.post({ type: 'error', message: describeJobError(e, this.backend) });
      }
    });
  }

  /** Pauses, autosaving first so that a reload finds the run where it stopped. */
  private async pauseNow(): Promise<void> {
    const job = this.job;
    this.setStatus('paused');
    if (job && this.lastStep > 0) await this.autosave(this.lastStep);
  }

  /** Resolves when every autosave taken so far is written (for tests). */
  async flushAutosaves(): Promise<void> {
    await this.persisting;
  }

  private setStatus(status: RunStatus): void {
    this.status = status;
    this.host.post({ type: 'status', status });
  }

  private async begin(
    backend: BackendChoice,
    create: () => Promise<Job>,
    then: 'running' | 'paused' = 'running',
  ): Promise<void> {
    await this.stop('idle');
    this.lastStep = 0;
    this.lastAutosavedStep = -1;
    this.lastGood = null;
    this.rates = {};
    this.divergence.reset();
    this.setStatus('loading');
    const selection = await selectBackend(backend);
    this.host.post({ type: 'backend', backend: selection.backend, reason: selection.reason });
    const running = tf.backend();
    if (!this.watched.has(running)) {
      this.watched.add(running);
      watchDeviceLoss(running, (message) => void this.recoverFromDeviceLoss(message));
    }
    this.backend = selection.backend;
    this.job = await create();
    // A first good state to roll back to, should the run diverge before its first autosave.
    await this.keepGood(this.lastStep);
    this.setStatus(then);
    if (then === 'running') void this.pump();
  }

  /** Runs `work` once the job's previous work has finished. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.lock.then(work);
    this.lock = result.catch(() => undefined);
    return result;
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
        const point = advance.messages.find((m) => m.type === 'step' || m.type === 'retrainStep');
        const check =
          point?.type === 'step'
            ? this.divergence.check(point.point)
            : point?.type === 'retrainStep'
              ? this.divergence.checkRetrain(point.point)
              : { verdict: 'ok' as const };
        if (check.verdict === 'rollback' && point) {
          await this.rollBack(point.point.step, check.reason);
          continue;
        }
        if (check.verdict === 'pause' && point) {
          const what = point.type === 'retrainStep' ? 'retrain' : 'search';
          this.host.post({
            type: 'error',
            message: `the ${what} diverged again at step ${point.point.step} (${check.reason}) after a rollback; it is paused. Lower the learning rates, then resume.`,
          });
          // No autosave: the state is not finite, and the last good one must stay.
          this.setStatus('paused');
          return;
        }
        if (advance.kind === 'done') {
          await this.offerFinishedModel(job);
          await this.stop('done');
          return;
        }
        if (advance.kind === 'step' && stepping) this.pendingSteps -= 1;
        if (advance.step !== undefined) {
          this.lastStep = advance.step;
          if (this.autosaveEvery > 0 && advance.step % this.autosaveEvery === 0) {
            await this.autosave(advance.step);
          }
        }
        // Let queued commands (pause, stop) in between steps.
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (this.lastGood && /device (was |is )?lost|Device is lost|destroyed/i.test(message)) {
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

  private async stop(status: RunStatus): Promise<void> {
    const job = this.job;
    this.job = null;
    this.pendingSteps = 0;
    this.pauseRequested = false;
    if (job) await this.exclusive(() => job.dispose());
    if (status !== 'idle' || this.status !== 'idle') this.setStatus(status);
  }

  private async fail(e: unknown): Promise<void> {
    const message = describeJobError(e, this.backend);
    try {
      await this.stop('failed');
    } catch {
      // The device may be gone; the message below is what matters.
    }
    this.host.post({ type: 'error', message });
  }
}
