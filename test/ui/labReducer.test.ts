import { describe, expect, it } from 'vitest';
import { genotypeToJson } from '../../src/nas/genotype/genotype';
import { DARTS_V1, DARTS_V2 } from '../../src/nas/genotype/publishedGenotypes';
import { frameBatcher } from '../../src/ui/frameBatcher';
import { INITIAL_LAB_STATE, reduceLab, reduceLabBatch } from '../../src/ui/labReducer';
import type { FromWorker, StepPoint } from '../../src/worker/protocol';

function step(n: number, genotype = genotypeToJson(DARTS_V2)): FromWorker {
  const point: StepPoint = {
    step: n,
    epoch: 0,
    totalSteps: 10,
    trainLoss: 2 - n / 10,
    trainAccuracy: 0.1,
    valLoss: 2,
    weightLr: 0.025,
    imagesPerSecond: 10,
    elapsedMs: n * 100,
    alphaSoftmax: { normal: [[1]], reduce: [[1]] },
    genotype,
  };
  return { type: 'step', point };
}

describe('lab reducer', () => {
  it('shares the genotype object between steps while it does not change', () => {
    const s = reduceLabBatch(INITIAL_LAB_STATE, [
      step(1),
      step(2),
      step(3, genotypeToJson(DARTS_V1)),
      step(4, genotypeToJson(DARTS_V1)),
    ]);
    const [a, b, c, d] = s.steps;
    expect(b?.genotype).toBe(a?.genotype);
    expect(c?.genotype).not.toBe(b?.genotype);
    expect(c?.genotype).toEqual(genotypeToJson(DARTS_V1));
    expect(d?.genotype).toBe(c?.genotype);
    expect(s.steps.map((p) => p.step)).toEqual([1, 2, 3, 4]);
  });

  it('shows a restored retrain, and after a restart keeps its charts up to the autosave', () => {
    const retrainStep = (n: number): FromWorker => ({
      type: 'retrainStep',
      point: {
        step: n,
        epoch: 0,
        totalSteps: 10,
        trainLoss: 1,
        trainAccuracy: 0.5,
        lr: 0.025,
        dropPathProb: 0,
        imagesPerSecond: 1,
        elapsedMs: 1,
      },
    });
    const s = reduceLabBatch(INITIAL_LAB_STATE, [
      step(1),
      {
        type: 'retrainRestored',
        genotype: genotypeToJson(DARTS_V1),
        step: 4,
      },
      retrainStep(5),
      retrainStep(6),
      retrainStep(7),
      { type: 'recovered', reason: 'the worker stopped', backend: 'cpu', resumedAt: 6 },
    ]);
    expect(s.mode).toBe('retrain');
    expect(s.retrain?.genotype).toEqual(genotypeToJson(DARTS_V1));
    expect(s.retrain?.steps.map((p) => p.step)).toEqual([5, 6]);
    // The search's charts are not the retrain's business.
    expect(s.steps.map((p) => p.step)).toEqual([1]);
    expect(s.notice).toBe(
      'The worker stopped. The retrain went back to its last checkpoint (step 6) and goes on, on cpu.',
    );
  });

  it("cuts a diverged retrain's charts at the rollback and names only the rates the run has", () => {
    const retrainStep = (n: number): FromWorker => ({
      type: 'retrainStep',
      point: {
        step: n,
        epoch: 0,
        totalSteps: 10,
        trainLoss: n === 3 ? Number.NaN : 1,
        trainAccuracy: 0.5,
        lr: 0.025,
        dropPathProb: 0,
        imagesPerSecond: 1,
        elapsedMs: 1,
      },
    });
    const s = reduceLabBatch(INITIAL_LAB_STATE, [
      step(1),
      {
        type: 'retrainRestored',
        genotype: genotypeToJson(DARTS_V1),
        step: 0,
      },
      retrainStep(1),
      retrainStep(2),
      retrainStep(3),
      {
        type: 'diverged',
        step: 3,
        rolledBackTo: 2,
        reason: 'the training loss is NaN',
        weightLr: 0.0125,
      },
    ]);
    expect(s.retrain?.steps.map((p) => p.step)).toEqual([1, 2]);
    expect(s.steps.map((p) => p.step)).toEqual([1]);
    expect(s.notice).toBe(
      'The retrain diverged at step 3 (the training loss is NaN). It went back to step 2 and goes on with the learning rates lowered to 0.0125 (peak).',
    );
    const cdarts = reduceLab(reduceLabBatch(INITIAL_LAB_STATE, [step(1), step(2), step(3)]), {
      type: 'diverged',
      step: 3,
      rolledBackTo: 2,
      weightLr: 0.04,
      alphaLr: 0.0015,
      nasnetLr: 0.04,
    });
    expect(cdarts.steps.map((p) => p.step)).toEqual([1, 2]);
    expect(cdarts.notice).toMatch(
      /lowered to 0\.0400 \(weights\), 0\.0400 \(evaluation network\), 0\.00150 \(alphas\)\.$/,
    );
  });

  it('applies a batch exactly as the messages one by one', () => {
    const messages: FromWorker[] = [
      { type: 'backend', backend: 'webgpu', reason: 'first choice' },
      { type: 'status', status: 'running' },
      step(1),
      { type: 'epoch', point: { epoch: 0, step: 1, valLoss: 2, valAccuracy: 0.2 } },
      { type: 'error', message: 'device lost' },
    ];
    const one = messages.reduce(reduceLab, INITIAL_LAB_STATE);
    expect(reduceLabBatch(INITIAL_LAB_STATE, messages)).toEqual(one);
    expect(one.status).toBe('failed');
    expect(one.error).toBe('device lost');
    expect(one.backend?.name).toBe('webgpu');
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
