/**
 * The session's checkpoints of the running job: the last good one in memory (what a divergence
 * rolls back to and a lost device resumes from) and the autosaves in storage (what a reload or a
 * restarted worker resumes), taken between steps and written off the training loop's path.
 */
import { DEFAULT_AUTOSAVE_EVERY } from './autosaveDefaults';
import { saveAndPrune } from './autosaveStore';
import { describeJobError } from './errorMessages';
import type { Job } from './job';
import type { AutosaveSummary } from './protocol';
import type { SessionHost } from './sessionHost';

/** Runs work on the job once its previous work has finished (the session's lock). */
export type Exclusive = <T>(work: () => Promise<T>) => Promise<T>;

export class CheckpointKeeper {
  /** Autosave every this many steps (and at pause); 0: never. */
  autosaveEvery = DEFAULT_AUTOSAVE_EVERY;
  /** The newest checkpoint of the current job kept in memory: what a divergence rolls back to. */
  lastGood: { readonly bytes: Uint8Array; readonly step: number } | null = null;
  /** The step of the last autosave taken, so that a pause does not save it twice. */
  private lastAutosavedStep = -1;
  /** Autosave writes, one after the other, off the training loop's path. */
  private persisting: Promise<void> = Promise.resolve();

  constructor(private readonly host: SessionHost) {}

  /** A new job at `step`: nothing kept yet; a resumed one counts as saved where it stands. */
  reset(resumedAt: number | null): void {
    this.lastGood = null;
    this.lastAutosavedStep = resumedAt ?? -1;
  }

  /** Whether an autosave falls on `step`. */
  due(step: number): boolean {
    return this.autosaveEvery > 0 && step % this.autosaveEvery === 0;
  }

  /**
   * The job's resumable checkpoint (between steps, under the lock), kept in memory as the last
   * good state when the job can reopen it; null when the job has none.
   */
  async keepGood(job: Job, step: number, exclusive: Exclusive): Promise<Uint8Array | null> {
    const bytes = await exclusive(async () => {
      if (job.checkpoint) return job.checkpoint();
      const file = await job.save();
      return file?.kind === 'checkpoint' ? file.bytes : null;
    });
    if (bytes && job.reopen) this.lastGood = { bytes, step };
    return bytes;
  }

  /**
   * Takes an autosave of the job (between steps, under the lock) and writes it in the
   * background; a failed write is reported and the run goes on. The autosave is also what a
   * divergence or a lost device goes back to.
   */
  async autosave(job: Job, step: number, exclusive: Exclusive, backend: string | null) {
    const store = this.host.autosaves;
    if (this.autosaveEvery <= 0 || step === this.lastAutosavedStep) return;
    const kind = job.autosaveKind ?? 'search';
    let bytes: Uint8Array | null;
    try {
      bytes = await this.keepGood(job, step, exclusive);
    } catch (e) {
      this.host.post({
        type: 'error',
        message: `The autosave at step ${step} was skipped (the run goes on): ${describeJobError(e, backend)}`,
      });
      return;
    }
    if (!bytes || !store) return;
    this.lastAutosavedStep = step;
    const savedAt = (this.host.now ?? Date.now)();
    this.persisting = this.persisting.then(async () => {
      try {
        await saveAndPrune(store, { id: kind, kind, step, savedAt, bytes });
        this.host.post({ type: 'autosaved', step, savedAt });
      } catch (e) {
        this.host.post({
          type: 'error',
          message: `The autosave at step ${step} could not be written to the browser's storage (the run goes on): ${describeJobError(e, backend)}`,
        });
      }
    });
  }

  /** Resolves when every autosave taken so far is written. */
  async flush(): Promise<void> {
    await this.persisting;
  }

  /** The autosaves in storage, newest first, without their bytes. */
  async list(): Promise<AutosaveSummary[]> {
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

  /** The bytes of the autosave `id`, or an error saying it is gone. */
  async bytesOf(id: string): Promise<{ readonly kind: string; readonly bytes: Uint8Array }> {
    const entry = await this.host.autosaves?.get(id);
    if (!entry) throw new Error('that autosave is gone (storage was cleared or pruned)');
    return entry;
  }

  async discardAll(): Promise<void> {
    const store = this.host.autosaves;
    if (store) for (const e of await store.list()) await store.delete(e.id);
  }
}
