/**
 * The lab reducer over the worker's messages: each run's reports kept in its kind's slot, the
 * genotype object shared while it does not change, rollbacks and recoveries cutting the running
 * run's reports (and only its), notices naming the lowered live settings, batches equal to
 * messages one by one; and the frame batcher that delivers them.
 */
import { describe, expect, it } from 'vitest';
import { genotypeToJson, stringifyGenotype } from '../../src/nas/genotype/genotype';
import { DARTS_V1, DARTS_V2 } from '../../src/nas/genotype/publishedGenotypes';
import type { RunReport, StepReport } from '../../src/nas/runKind/runKind';
import { frameBatcher } from '../../src/ui/frameBatcher';
import { INITIAL_LAB_STATE, reduceLab, reduceLabBatch, runStarting } from '../../src/ui/labReducer';
import type { FromWorker } from '../../src/worker/protocol';

const report = (kind: string, r: RunReport): FromWorker => ({ type: 'report', kind, report: r });

function stepReport(n: number, extra: Partial<StepReport> = {}): StepReport {
  return {
    type: 'step',
    step: n,
    epoch: 0,
    totalSteps: 10,
    elapsedMs: n * 100,
    throughput: 10,
    metrics: { trainLoss: 2 - n / 10, trainAccuracy: 0.1, valLoss: 2, weightLr: 0.025 },
    ...extra,
  };
}

/** A DARTS search's step with genotype `genotype`. */
const step = (n: number, genotype = genotypeToJson(DARTS_V2)): FromWorker =>
  report('darts', stepReport(n, { genotype }));

/** A retrain's step, with a NaN loss at `nanAt`. */
const retrainStep = (n: number, nanAt = -1): FromWorker =>
  report(
    'retrain',
    stepReport(n, {
      metrics: { trainLoss: n === nanAt ? Number.NaN : 1, trainAccuracy: 0.5, lr: 0.025 },
    }),
  );

/** A retrain of DARTS_V1 as the worker starts (or resumes) it at `at`. */
const retrainStarted = (at: number): FromWorker[] => [
  {
    type: 'runStarted',
    kind: 'retrain',
    settings: { genotype: stringifyGenotype(DARTS_V1) },
    step: at,
  },
  report('retrain', {
    type: 'note',
    text: 'retraining DARTS_V1',
    detail: { genotype: genotypeToJson(DARTS_V1), resumedFrom: at > 0 ? at : null },
  }),
];

const dartsStarted: FromWorker = { type: 'runStarted', kind: 'darts', settings: {}, step: 0 };

describe('lab reducer', () => {
  it('shares the genotype object between steps while it does not change', () => {
    const s = reduceLabBatch(INITIAL_LAB_STATE, [
      dartsStarted,
      step(1),
      step(2),
      step(3, genotypeToJson(DARTS_V1)),
      step(4, genotypeToJson(DARTS_V1)),
    ]);
    const [a, b, c, d] = s.runs['cnn:search']?.steps ?? [];
    expect(b?.genotype).toBe(a?.genotype);
    expect(c?.genotype).not.toBe(b?.genotype);
    expect(c?.genotype).toEqual(genotypeToJson(DARTS_V1));
    expect(d?.genotype).toBe(c?.genotype);
    expect(s.runs['cnn:search']?.steps.map((p) => p.step)).toEqual([1, 2, 3, 4]);
    // A resumed run's first step shares the genotype it stood at, if unchanged.
    const resumed = reduceLabBatch(INITIAL_LAB_STATE, [
      { ...dartsStarted, step: 4 },
      report('darts', {
        type: 'note',
        text: 'resuming',
        detail: { resumedFrom: 4, genotype: genotypeToJson(DARTS_V2) },
      }),
      step(5),
    ]).runs['cnn:search'];
    expect(resumed?.steps[0]?.genotype).toBe(resumed?.opening.genotype);
  });

  it('keeps the search when a retrain starts; a new search clears everything', () => {
    const searched = reduceLabBatch(INITIAL_LAB_STATE, [dartsStarted, step(1), step(2)]);
    const retraining = runStarting(searched, 'retrain');
    expect(retraining.status).toBe('loading');
    expect(retraining.active).toBe('cnn:retrain');
    expect(retraining.runs['cnn:search']).toBe(searched.runs['cnn:search']);
    const retrained = reduceLabBatch(retraining, [...retrainStarted(0), retrainStep(1)]);
    expect(retrained.runs['cnn:retrain']?.steps).toHaveLength(1);
    // A second retrain starts its own charts empty, the search's kept.
    const again = runStarting(retrained, 'retrain');
    expect(again.runs['cnn:retrain']).toBeUndefined();
    expect(again.runs['cnn:search']?.steps).toHaveLength(2);
    const fresh = runStarting(retrained, 'cdarts');
    expect(fresh.runs).toEqual({});
    expect(fresh.active).toBe('cnn:search');
    expect(fresh.status).toBe('loading');
  });

  it('shows a restored retrain, and after a restart keeps its charts up to the autosave', () => {
    const s = reduceLabBatch(INITIAL_LAB_STATE, [
      dartsStarted,
      step(1),
      ...retrainStarted(4),
      retrainStep(5),
      retrainStep(6),
      retrainStep(7),
      { type: 'recovered', reason: 'the worker stopped', backend: 'cpu', resumedAt: 6 },
    ]);
    expect(s.active).toBe('cnn:retrain');
    const retrain = s.runs['cnn:retrain'];
    expect(retrain?.from).toBe(4);
    expect(retrain?.opening).toMatchObject({ step: 4, genotype: genotypeToJson(DARTS_V1) });
    expect(retrain?.steps.map((p) => p.step)).toEqual([5, 6]);
    // The search's charts are not the retrain's business.
    expect(s.runs['cnn:search']?.steps.map((p) => p.step)).toEqual([1]);
    expect(s.notice).toBe(
      'The worker stopped. The retrain went back to its last checkpoint (step 6) and goes on, on cpu.',
    );
  });

  it("cuts a diverged run's charts at the rollback and names the lowered live settings", () => {
    const s = reduceLabBatch(INITIAL_LAB_STATE, [
      dartsStarted,
      step(1),
      ...retrainStarted(0),
      retrainStep(1),
      retrainStep(2),
      retrainStep(3, 3),
      report('retrain', { type: 'epoch', epoch: 0, step: 3, metrics: { testLoss: 1 } }),
      {
        type: 'diverged',
        step: 3,
        rolledBackTo: 2,
        reason: 'the training loss is NaN',
        live: { lr: 0.0125 },
      },
    ]);
    expect(s.runs['cnn:retrain']?.steps.map((p) => p.step)).toEqual([1, 2]);
    expect(s.runs['cnn:retrain']?.epochs).toEqual([]);
    expect(s.runs['cnn:search']?.steps.map((p) => p.step)).toEqual([1]);
    expect(s.notice).toBe(
      'The retrain diverged at step 3 (the training loss is NaN). It went back to step 2 and goes on with the learning rates lowered to 0.0125 (lr).',
    );
    const cdarts = reduceLab(
      reduceLabBatch(INITIAL_LAB_STATE, [
        { type: 'runStarted', kind: 'cdarts', settings: {}, step: 0 },
        ...[1, 2, 3].map((n) => report('cdarts', stepReport(n))),
      ]),
      {
        type: 'diverged',
        step: 3,
        rolledBackTo: 2,
        live: { weightLr: 0.04, nasnetLr: 0.04, alphaLr: 0.0015 },
      },
    );
    expect(cdarts.runs['cnn:search']?.steps.map((p) => p.step)).toEqual([1, 2]);
    expect(cdarts.notice).toMatch(
      /^The search diverged at step 3 \(a loss or an alpha was not a finite number\)\. .* lowered to 0\.0400 \(weightLr\), 0\.0400 \(nasnetLr\), 0\.00150 \(alphaLr\)\.$/,
    );
  });

  it('cuts a recurrent search at a recovery, leaving the convolutional views alone', () => {
    const rnnStep = (n: number) =>
      report('rnn-search', stepReport(n, { metrics: { trainLoss: 5 } }));
    const s = reduceLabBatch(INITIAL_LAB_STATE, [
      dartsStarted,
      step(1),
      step(2),
      { type: 'runStarted', kind: 'rnn-search', settings: {}, step: 0 },
      rnnStep(1),
      rnnStep(2),
      rnnStep(3),
      { type: 'recovered', reason: 'the GPU device was lost', backend: 'wasm', resumedAt: 1 },
    ]);
    expect(s.runs['rnn:search']?.steps.map((p) => p.step)).toEqual([1]);
    expect(s.runs['cnn:search']?.steps.map((p) => p.step)).toEqual([1, 2]);
    expect(s.notice).toMatch(/^The GPU device was lost\. The recurrent search went back/);
  });

  it('applies a batch exactly as the messages one by one', () => {
    const messages: FromWorker[] = [
      { type: 'backend', backend: 'webgpu', reason: 'first choice' },
      { type: 'status', status: 'running' },
      dartsStarted,
      step(1),
      report('darts', { type: 'epoch', epoch: 0, step: 1, metrics: { valLoss: 2 } }),
      { type: 'error', message: 'device lost' },
    ];
    const one = messages.reduce(reduceLab, INITIAL_LAB_STATE);
    expect(reduceLabBatch(INITIAL_LAB_STATE, messages)).toEqual(one);
    expect(one.status).toBe('failed');
    expect(one.error).toBe('device lost');
    expect(one.backend?.name).toBe('webgpu');
    expect(one.runs['cnn:search']?.epochs).toHaveLength(1);
  });

  it('ignores reports of a kind it does not know, and keeps no downloaded file', () => {
    const s = reduceLabBatch(INITIAL_LAB_STATE, [
      report('unknown-kind', stepReport(1)),
      { type: 'file', kind: 'checkpoint', name: 'x.naslab', bytes: new ArrayBuffer(2) },
    ]);
    expect(s).toEqual(INITIAL_LAB_STATE);
  });
});

describe('frame batcher', () => {
  it('delivers everything pushed before a frame in one batch, in order', () => {
    const frames: (() => void)[] = [];
    const delivered: number[][] = [];
    const b = frameBatcher<number>(
      (items) => delivered.push(items),
      (cb) => {
        frames.push(cb);
        return () => frames.splice(frames.indexOf(cb), 1);
      },
    );
    b.push(1);
    b.push(2);
    b.push(3);
    expect(frames.length).toBe(1);
    expect(delivered).toEqual([]);
    frames.shift()?.();
    expect(delivered).toEqual([[1, 2, 3]]);
    b.push(4);
    b.flush();
    expect(delivered).toEqual([[1, 2, 3], [4]]);
    expect(frames.length).toBe(0);
    b.push(5);
    b.dispose();
    expect(frames.length).toBe(0);
    expect(delivered.length).toBe(2);
  });
});
