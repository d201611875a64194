/**
 * A run resumed from a checkpoint arrives paused, and the page must show where it stands before
 * it steps, as the per-kind jobs' 'restored' message did: the session posts the notes the run
 * opens with (`Run.takeOpening`, runKind.ts) with the resume. For a DARTS search that is its
 * opening note: the step it resumes at, the alphas and the genotype as saved, which the page's
 * reduction takes as where the search stands. The first Step then brings the next step, not the
 * note again.
 */
import { describe, expect, it } from 'vitest';
import type { FileSource } from '../../src/data/catalog';
import type { DartsSettings } from '../../src/nas/darts/dartsKindInfo';
import { DARTS_SCHEMA } from '../../src/nas/darts/dartsKindInfo';
import { defaultSettings } from '../../src/nas/runKind/settingsSchema';
import type { RunReport } from '../../src/nas/runKind/runKind';
import { searchStarted, reduceLabBatch } from '../../src/ui/labReducer';
import { LabSession } from '../../src/worker/labSession';
import type { FromWorker } from '../../src/worker/protocol';

/** The lab's quick search (the DARTS kind's demo preset) on 16 generated images, 50 epochs. */
const RUN: { readonly kind: string; readonly settings: DartsSettings } = {
  kind: 'darts',
  settings: {
    ...(defaultSettings(DARTS_SCHEMA, 'demo') as DartsSettings),
    epochs: 50,
    dataset: 'synthetic',
    images: 16,
  },
};

const noFiles: () => FileSource = () => ({
  read: async (c) => {
    throw new Error(`no files (${c.join(', ')})`);
  },
});

function harness() {
  const messages: FromWorker[] = [];
  const session = new LabSession({ post: (m) => messages.push(m), dataSource: noFiles });
  const reports = (): RunReport[] =>
    messages.flatMap((m) => (m.type === 'report' ? [m.report] : []));
  const status = (s: string) => messages.some((m) => m.type === 'status' && m.status === s);
  const until = async (predicate: () => boolean, ms = 60_000) => {
    const t0 = Date.now();
    while (!predicate()) {
      if (Date.now() - t0 > ms) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { messages, session, reports, status, until };
}

describe('a run resumed paused', () => {
  it('shows where it stands before it steps: the opening note comes with the resume', async () => {
    const h = harness();
    await h.session.handle({
      type: 'startRun',
      ...RUN,
      backend: 'cpu',
      dataUrl: '',
      autosaveEvery: 0,
    });
    await h.until(() => h.reports().filter((r) => r.type === 'step').length >= 2);
    await h.session.handle({ type: 'pause' });
    await h.until(() => h.status('paused'));
    await h.session.handle({ type: 'save' });
    const file = h.messages.find((m) => m.type === 'file');
    if (file?.type !== 'file') throw new Error('no file');
    const atSave = h
      .reports()
      .filter((r) => r.type === 'step')
      .at(-1);
    if (atSave?.type !== 'step') throw new Error('no step');
    await h.session.handle({ type: 'stop' });

    const after = harness();
    await after.session.handle({
      type: 'resumeRun',
      bytes: file.bytes,
      backend: 'cpu',
      dataUrl: '',
    });
    expect(after.messages.at(-1)).toEqual({ type: 'status', status: 'paused' });
    const opening = after.reports();
    expect(opening.map((r) => r.type)).toEqual(['note']);
    expect(opening[0]?.detail).toMatchObject({
      resumedFrom: atSave.step,
      alphas: atSave.alphas,
      genotype: atSave.genotype,
    });
    // The page draws the search from there: its step, alphas and genotype before it steps.
    const page = reduceLabBatch(searchStarted(), after.messages).runs['cnn:search'];
    expect(page?.from).toBe(atSave.step);
    expect(page?.opening).toEqual({
      step: atSave.step,
      alphas: atSave.alphas,
      genotype: atSave.genotype,
    });

    await after.session.handle({ type: 'step' });
    await after.until(() => after.reports().some((r) => r.type === 'step'));
    const later = after.reports().slice(1);
    expect(later.find((r) => r.type === 'step')).toMatchObject({ step: atSave.step + 1 });
    expect(later.filter((r) => r.type === 'note')).toEqual([]);
    await after.session.handle({ type: 'stop' });
  }, 120_000);
});
