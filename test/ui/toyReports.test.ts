/**
 * The test-only toy kind through the page's reduction, with no page code for it: its reports, as
 * its engine writes them, land in the slot of its command and space, its loss is charted under
 * the label its descriptor declares, its genotype object is shared while unchanged, and a
 * rollback cuts its reports back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerRunKind } from '../../src/nas/runKind/registry';
import type { RunEnv, RunReport } from '../../src/nas/runKind/runKind';
import { defaultSettings } from '../../src/nas/runKind/settingsSchema';
import { INITIAL_LAB_STATE, reduceLab, reduceLabBatch } from '../../src/ui/labReducer';
import { metricSeries } from '../../src/ui/traceSeries';
import type { FromWorker } from '../../src/worker/protocol';
import { TOY_ENTRY, TOY_INFO, TOY_KIND, TOY_SCHEMA } from '../support/toyRunKind';

const ENV: RunEnv = {
  host: 'test',
  files: () => {
    throw new Error('the toy reads no files');
  },
};

let remove: () => void = () => undefined;
beforeAll(() => {
  remove = registerRunKind(TOY_ENTRY);
});
afterAll(() => remove());

/** Every report of a toy run of `steps` steps, in order. */
async function toyReports(steps: number): Promise<RunReport[]> {
  const settings = { ...defaultSettings(TOY_SCHEMA), steps };
  const run = await TOY_KIND.create(settings, ENV);
  const reports: RunReport[] = [...run.takeOpening()];
  for (let r = await run.next(); r !== null; r = await run.next()) reports.push(r);
  return reports;
}

describe("the toy kind's reports on the page", () => {
  it('are kept in its slot and charted by the metric its descriptor declares', async () => {
    const reports = await toyReports(4);
    const messages: FromWorker[] = [
      { type: 'runStarted', kind: 'toy', settings: { steps: 4 }, step: 0 },
      ...reports.map((report): FromWorker => ({ type: 'report', kind: 'toy', report })),
    ];
    const state = reduceLabBatch(INITIAL_LAB_STATE, messages);
    expect(state.active).toBe('cnn:search');
    const trace = state.runs['cnn:search'] ?? null;
    expect(trace?.kind).toBe('toy');
    expect(trace?.steps.map((r) => r.step)).toEqual([1, 2, 3, 4]);
    expect(trace?.done?.metrics).toEqual({ finalLoss: 0.5 });
    // Its loss halves each step from 8, under its descriptor's label.
    expect(metricSeries(TOY_INFO, trace, 'loss')).toEqual([
      {
        name: 'loss',
        color: expect.any(String),
        points: [
          { step: 1, value: 4 },
          { step: 2, value: 2 },
          { step: 3, value: 1 },
          { step: 4, value: 0.5 },
        ],
      },
    ]);
    // Each step writes a new but equal genotype object: the page keeps the first.
    const genotypes = trace?.steps.map((r) => r.genotype) ?? [];
    expect(genotypes[0]).toEqual({ best: 'circle' });
    expect(genotypes.every((g) => g === genotypes[0])).toBe(true);
    expect(reports.filter((r) => r.type === 'step')[1]?.genotype).not.toBe(genotypes[0]);

    const rolledBack = reduceLab(state, {
      type: 'diverged',
      step: 4,
      rolledBackTo: 2,
      reason: 'the loss is NaN',
      live: { rate: 0.25 },
    });
    expect(rolledBack.runs['cnn:search']?.steps.map((r) => r.step)).toEqual([1, 2]);
    expect(rolledBack.runs['cnn:search']?.done).toBeNull();
  });
});
