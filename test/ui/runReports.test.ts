/**
 * The page's views of runs of any kind: reports of kinds registered here (the toy's shape
 * under the four commands and spaces) become the points of the search, retrain and recurrent
 * views by metric key, a resumed search shows where it stands, and a finished retrain's model is
 * kept for download.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { genotypeToJson, stringifyGenotype } from '../../src/nas/genotype/genotype';
import { DARTS_V2 } from '../../src/nas/genotype/publishedGenotypes';
import type { RunKindEntry } from '../../src/nas/runKind/registry';
import { registerRunKind } from '../../src/nas/runKind/registry';
import type { RunKindInfo, RunReport } from '../../src/nas/runKind/runKind';
import type { LabState } from '../../src/ui/labReducer';
import { INITIAL_LAB_STATE, reduceLabBatch, runStarting } from '../../src/ui/labReducer';
import type { FromWorker } from '../../src/worker/protocol';
import { TOY_ENTRY, TOY_INFO } from '../support/toyRunKind';

/** The toy under another id, command, space and metrics. */
function kind(id: string, changes: Partial<RunKindInfo>): RunKindEntry {
  return {
    ...TOY_ENTRY,
    info: { ...TOY_INFO, id, checkpointFormat: `nas-lab.${id}`, ...changes },
  };
}

const SEARCH = kind('cellSearch', {
  metrics: [
    { key: 'trainLoss', label: 'training loss', kind: 'loss', watch: true },
    { key: 'evalLoss', label: "the evaluation network's loss", kind: 'loss' },
  ],
});
const RETRAIN = kind('cellRetrain', { command: 'retrain', select: { space: 'cnn' } });
const RECURRENT = kind('cellRnn', { select: { space: 'rnn', algorithm: 'x' } });

const removals: (() => void)[] = [];
beforeAll(() => {
  for (const entry of [SEARCH, RETRAIN, RECURRENT]) removals.push(registerRunKind(entry));
});
afterAll(() => removals.forEach((remove) => remove()));

const report = (kindId: string, r: RunReport): FromWorker => ({
  type: 'report',
  kind: kindId,
  report: r,
});
const softmax = (v: number) => [
  [v, 1 - v],
  [1 - v, v],
];
const genotype = genotypeToJson(DARTS_V2);

function stepReport(step: number, extra: Partial<Extract<RunReport, { type: 'step' }>>) {
  return {
    type: 'step',
    step,
    epoch: 0,
    totalSteps: 10,
    elapsedMs: 5 * step,
    throughput: 100,
    metrics: {},
    ...extra,
  } as const;
}

describe('views of runs of any kind', () => {
  it('draws a convolutional search’s steps and epochs from its reports, by metric key', () => {
    const state = reduceLabBatch(runStarting(INITIAL_LAB_STATE, 'cellSearch'), [
      { type: 'runStarted', kind: 'cellSearch', settings: { steps: 3 }, step: 0 },
      report('cellSearch', { type: 'note', text: 'searching', detail: { resumedFrom: null } }),
      report(
        'cellSearch',
        stepReport(1, {
          metrics: { trainLoss: 2, trainAccuracy: 0.25, valLoss: 2.5, weightLr: 0.025 },
          alphas: [
            { name: 'normal', ops: ['a', 'b'], softmax: softmax(0.5) },
            { name: 'reduce', ops: ['a', 'b'], softmax: softmax(0.75) },
          ],
          alphaMaxAbs: 0.1,
          genotype,
        }),
      ),
      report(
        'cellSearch',
        stepReport(2, {
          metrics: { evalLoss: 1.5, distillationLoss: 0.5 },
          detail: { phase: 'evalWarmup', evalGenotype: genotype },
          genotype,
        }),
      ),
      report('cellSearch', {
        type: 'epoch',
        epoch: 0,
        step: 2,
        metrics: { valLoss: 2, valAccuracy: 0.5 },
      }),
    ]);
    expect(state.run).toEqual({ kind: 'cellSearch', settings: { steps: 3 }, step: 0 });
    expect(state.mode).toBe('search');
    expect(state.resumedFrom).toBeNull();
    expect(state.steps[0]).toEqual({
      step: 1,
      epoch: 0,
      totalSteps: 10,
      trainLoss: 2,
      trainAccuracy: 0.25,
      valLoss: 2.5,
      weightLr: 0.025,
      imagesPerSecond: 100,
      elapsedMs: 5,
      alphaSoftmax: { normal: softmax(0.5), reduce: softmax(0.75) },
      alphaMaxAbs: 0.1,
      genotype,
    });
    // A figure the step lacks is NaN; a CDARTS phase brings the evaluation network's.
    expect(state.steps[1]).toMatchObject({
      trainLoss: Number.NaN,
      alphaSoftmax: { normal: [], reduce: [] },
      cdarts: {
        phase: 'evalWarmup',
        evalLoss: 1.5,
        evalAccuracy: Number.NaN,
        distillationLoss: 0.5,
        penalty: Number.NaN,
        evalGenotype: genotype,
      },
    });
    // The kind reports an evaluation network: an epoch without its figures has them null.
    expect(state.epochs).toEqual([
      { epoch: 0, step: 2, valLoss: 2, valAccuracy: 0.5, evalValLoss: null, evalValAccuracy: null },
    ]);
  });

  it('shows where a resumed search stands, from the note it opens with', () => {
    const state = reduceLabBatch(INITIAL_LAB_STATE, [
      { type: 'runStarted', kind: 'cellSearch', settings: {}, step: 7 },
      report('cellSearch', {
        type: 'note',
        text: 'resuming at step 7',
        detail: {
          resumedFrom: 7,
          alphas: [
            { name: 'normal', ops: ['a', 'b'], softmax: softmax(0.25) },
            { name: 'reduce', ops: ['a', 'b'], softmax: softmax(1) },
          ],
          genotype,
        },
      }),
    ]);
    expect(state.resumedFrom).toEqual({
      step: 7,
      alphaSoftmax: { normal: softmax(0.25), reduce: softmax(1) },
      genotype,
    });
    expect(state.run?.step).toBe(7);
  });

  it('draws a retrain from its reports and keeps the finished model, the search results kept', () => {
    const searched: LabState = {
      ...INITIAL_LAB_STATE,
      steps: [{ step: 1 } as LabState['steps'][number]],
    };
    const model = Uint8Array.of(9, 8, 7);
    const state = reduceLabBatch(runStarting(searched, 'cellRetrain'), [
      {
        type: 'runStarted',
        kind: 'cellRetrain',
        settings: { genotype: stringifyGenotype(DARTS_V2) },
        step: 0,
      },
      report(
        'cellRetrain',
        stepReport(1, {
          metrics: { trainLoss: 2, trainAccuracy: 0.5, lr: 0.025, dropPathProb: 0.1 },
        }),
      ),
      report('cellRetrain', {
        type: 'epoch',
        epoch: 0,
        step: 1,
        metrics: { testLoss: 1.5, testAccuracy: 0.6 },
      }),
      report('cellRetrain', {
        type: 'done',
        step: 1,
        metrics: { testLoss: 1.5, testAccuracy: 0.6 },
        files: [
          { path: 'genotype.json', data: '{}' },
          { path: 'model.nas', data: model },
        ],
      }),
    ]);
    expect(state.mode).toBe('retrain');
    expect(state.steps).toEqual(searched.steps);
    expect(state.retrain).toMatchObject({
      genotype,
      steps: [
        {
          step: 1,
          epoch: 0,
          totalSteps: 10,
          trainLoss: 2,
          trainAccuracy: 0.5,
          lr: 0.025,
          dropPathProb: 0.1,
          imagesPerSecond: 100,
          elapsedMs: 5,
        },
      ],
      epochs: [{ epoch: 0, step: 1, testLoss: 1.5, testAccuracy: 0.6 }],
      final: { testLoss: 1.5, testAccuracy: 0.6 },
      model: { name: 'nas-lab-cellRetrain-model.nas' },
    });
    expect([...new Uint8Array(state.retrain?.model?.bytes ?? new ArrayBuffer(0))]).toEqual([
      9, 8, 7,
    ]);
  });

  it('draws a recurrent search: its corpus, steps with the recurrent alphas, epochs', () => {
    const rnnGenotype = { recurrent: [['tanh', 0]], concat: [1, 2] };
    const state = reduceLabBatch(INITIAL_LAB_STATE, [
      { type: 'runStarted', kind: 'cellRnn', settings: {}, step: 0 },
      report('cellRnn', {
        type: 'note',
        text: 'corpus',
        detail: {
          note: 'corpus',
          level: 'word',
          vocabularySize: 300,
          trainTokens: 4000,
          validTokens: 800,
        },
      }),
      report(
        'cellRnn',
        stepReport(1, {
          metrics: {
            trainLoss: 5,
            trainPerplexity: 148,
            valLoss: 5.5,
            valPerplexity: 245,
            lr: 20,
            segmentLength: 10,
          },
          alphas: [{ name: 'recurrent', ops: ['tanh', 'relu'], softmax: softmax(0.5) }],
          genotype: rnnGenotype,
        }),
      ),
      report('cellRnn', {
        type: 'epoch',
        epoch: 0,
        step: 1,
        metrics: { valLoss: 5, valPerplexity: 148 },
      }),
    ]);
    expect(state.recurrent).toEqual({
      corpus: { level: 'word', vocabularySize: 300, trainTokens: 4000, validTokens: 800 },
      steps: [
        {
          step: 1,
          epoch: 0,
          totalSteps: 10,
          segmentLength: 10,
          trainLoss: 5,
          trainPerplexity: 148,
          valLoss: 5.5,
          valPerplexity: 245,
          weightLr: 20,
          alphaSoftmax: softmax(0.5),
          genotype: rnnGenotype,
          tokensPerSecond: 100,
          elapsedMs: 5,
        },
      ],
      epochs: [{ epoch: 0, step: 1, valLoss: 5, valPerplexity: 148 }],
    });
  });

  it('tells the lowered live settings of a rolled-back run by key', () => {
    const state = reduceLabBatch(INITIAL_LAB_STATE, [
      {
        type: 'diverged',
        step: 9,
        rolledBackTo: 8,
        reason: 'the loss is NaN',
        live: { rate: 0.25 },
      },
    ]);
    expect(state.notice).toBe(
      'The search diverged at step 9 (the loss is NaN). It went back to step 8 and goes on with the learning rates lowered to 0.250 (rate).',
    );
  });
});
