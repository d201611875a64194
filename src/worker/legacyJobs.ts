/**
 * The per-kind jobs the page still starts with the older messages ('start', 'retrain',
 * 'loadCheckpoint', and autosaves those jobs wrote), until each kind runs through
 * the registry ('startRun', 'resumeRun', runJob.ts): how each message becomes a job, how their
 * step points show divergence, and a finished retrain's model. This file goes with those jobs.
 */
import type { CdartsCheckpoint } from '../nas/cdarts/cdartsCheckpoint';
import { decodeCdartsCheckpoint, isCdartsCheckpointFile } from '../nas/cdarts/cdartsCheckpoint';
import type { SearchCheckpoint } from '../nas/darts/searchCheckpoint';
import { decodeCheckpoint } from '../nas/darts/searchCheckpoint';
import { genotypeToJson } from '../nas/genotype/genotype';
import type { RetrainCheckpoint } from '../nas/retrain/retrainCheckpoint';
import { decodeRetrainCheckpoint } from '../nas/retrain/retrainCheckpoint';
import { createCdartsJob, resumeCdartsJob } from './cdartsJob';
import type { Exclusive } from './checkpointKeeper';
import { divergenceAt, retrainDivergenceAt } from './divergence';
import type { Job, StartedJob } from './job';
import type { BackendChoice, FromWorker, ToWorker } from './protocol';
import { createRetrainJob, resumeRetrainJob } from './retrainJob';
import { createSearchJob, resumeSearchJob } from './searchJob';
import type { SessionHost } from './sessionHost';

export type LegacyStart = Extract<ToWorker, { type: 'start' | 'retrain' }>;

/** The job an older start message asks for. */
export async function legacyJob(message: LegacyStart, host: SessionHost): Promise<StartedJob> {
  const images = () => host.dataSource(message.dataUrl);
  switch (message.type) {
    case 'start': {
      const config = message.config;
      if (config.space === 'recurrent') {
        throw new Error('a recurrent search runs as its kind (startRun, rnn-search)');
      }
      const job =
        config.algorithm === 'cdarts'
          ? await createCdartsJob(config, images)
          : await createSearchJob(config, images);
      return { job, step: 0 };
    }
    case 'retrain':
      return { job: await createRetrainJob(message.config, message.genotype, images), step: 0 };
  }
}

async function resumeSearch(
  checkpoint: SearchCheckpoint,
  backend: BackendChoice,
  dataUrl: string,
  host: SessionHost,
): Promise<StartedJob> {
  const { job, config, alphaSoftmax } = await resumeSearchJob(checkpoint, () =>
    host.dataSource(dataUrl),
  );
  const step = checkpoint.position.step;
  host.post({
    type: 'restored',
    config: { ...config, backend },
    step,
    alphaSoftmax,
    genotypeHistory: checkpoint.genotypeHistory.map((c) => ({
      step: c.step,
      genotype: genotypeToJson(c.genotype),
    })),
  });
  return { job, step };
}

async function resumeRetrain(
  checkpoint: RetrainCheckpoint,
  backend: BackendChoice,
  dataUrl: string,
  host: SessionHost,
): Promise<StartedJob> {
  const { job, config } = await resumeRetrainJob(checkpoint, () => host.dataSource(dataUrl));
  const step = checkpoint.position.step;
  host.post({
    type: 'retrainRestored',
    config: { ...config, backend },
    genotype: genotypeToJson(checkpoint.genotype),
    step,
  });
  return { job, step };
}

async function resumeCdarts(
  checkpoint: CdartsCheckpoint,
  backend: BackendChoice,
  dataUrl: string,
  host: SessionHost,
): Promise<StartedJob> {
  const { job, config, alphaSoftmax, genotype } = await resumeCdartsJob(checkpoint, backend, () =>
    host.dataSource(dataUrl),
  );
  const step = checkpoint.position.step;
  host.post({
    type: 'restored',
    config,
    step,
    alphaSoftmax,
    genotypeHistory: [{ step, genotype }],
  });
  return { job, step };
}

/**
 * A search or retrain resumed from bytes the per-kind jobs wrote: `kind` is the autosave's
 * ('search', 'retrain', 'cdarts'), or null for a file the user loaded (a DARTS or CDARTS search).
 */
export async function legacyResume(
  kind: string | null,
  bytes: Uint8Array,
  backend: BackendChoice,
  dataUrl: string,
  host: SessionHost,
): Promise<StartedJob> {
  if (kind === 'retrain') {
    return resumeRetrain(decodeRetrainCheckpoint(bytes), backend, dataUrl, host);
  }
  if (kind === 'cdarts' || (kind === null && isCdartsCheckpointFile(bytes))) {
    return resumeCdarts(decodeCdartsCheckpoint(bytes), backend, dataUrl, host);
  }
  return resumeSearch(decodeCheckpoint(bytes), backend, dataUrl, host);
}

/** What a per-kind job's step shows: its step, what to call the job, and what diverged. */
export function legacyWatch(
  messages: readonly FromWorker[],
  alphaLimit: number,
): { readonly step: number; readonly what: string; readonly reason: string | null } | null {
  for (const m of messages) {
    if (m.type === 'step') {
      return { step: m.point.step, what: 'search', reason: divergenceAt(m.point, alphaLimit) };
    }
    if (m.type === 'retrainStep') {
      return { step: m.point.step, what: 'retrain', reason: retrainDivergenceAt(m.point) };
    }
  }
  return null;
}

/** A finished retrain's model, offered to the page before the job's tensors go. */
export async function offerFinishedModel(
  job: Job,
  host: SessionHost,
  exclusive: Exclusive,
): Promise<void> {
  const file = await exclusive(() => job.save()).catch(() => null);
  if (file?.kind !== 'model') return;
  const bytes = file.bytes.slice().buffer;
  host.post({ type: 'file', kind: 'model', name: file.name, bytes, purpose: 'keep' });
}
