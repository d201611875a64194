/**
 * The order of the two halves of a search iteration, for the searches whose parts are tested
 * against references one by one but whose whole iteration is not: CDARTS's joint step (NNI
 * `CdartsTrainer._joint_train`: step 1 the alphas and the evaluation network on the validation
 * batch, step 2 the search network's weights on the train batch) and DARTS's recurrent search
 * (`rnn/train_search.py` train(): `architect.step`, then the weight step). (The convolutional
 * DARTS iteration is compared with PyTorch in test/parity/searchIteration.cpu.test.ts.)
 *
 * Two properties pin the order without a reference: the weight half sees the alphas the alpha
 * half just moved (so freezing the alphas changes the weights after the iteration), and the
 * first-order alpha half sees the weights as they were before the iteration (so freezing the
 * weights leaves the alphas after it unchanged). Swapped halves break both.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { CdartsRates } from '../../src/nas/cdarts/cdartsStep';
import { jointStep } from '../../src/nas/cdarts/cdartsStep';
import type { CdartsState } from '../../src/nas/cdarts/cdartsState';
import {
  createCdartsState,
  disposeCdartsState,
  searchWeights,
} from '../../src/nas/cdarts/cdartsState';
import { batchify, disposeSegment, tokenSegment } from '../../src/nas/rnn/model/rnnTokenData';
import type { RnnSearchConfig } from '../../src/nas/rnn/search/rnnSearchConfig';
import { SMALL_RNN_SEARCH_CONFIG } from '../../src/nas/rnn/search/rnnSearchConfig';
import {
  createRnnSearchState,
  disposeRnnSearchState,
} from '../../src/nas/rnn/search/rnnSearchState';
import { rnnSearchStep } from '../../src/nas/rnn/search/rnnSearchStep';
import * as tf from '../../src/nas/tensor/tf';
import { tinyData } from '../support/tiny';
import { TINY_CDARTS } from '../support/tinyCdarts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Values = Record<string, Float32Array>;

async function valuesOf(tensors: Readonly<Record<string, tf.Tensor>>): Promise<Values> {
  const out: Values = {};
  for (const [name, t] of Object.entries(tensors)) out[name] = (await t.data()) as Float32Array;
  return out;
}

/** The largest absolute difference between two snapshots of the same tensors. */
function maxDifference(a: Values, b: Values): number {
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  let max = 0;
  for (const [name, values] of Object.entries(a)) {
    const other = b[name] as Float32Array;
    values.forEach((v, i) => (max = Math.max(max, Math.abs(v - (other[i] as number)))));
  }
  return max;
}

describe("CDARTS's joint step", () => {
  const rates: CdartsRates = { weightLr: 0.1, nasnetLr: 0.1, alphaLr: 0.05 };

  async function afterOneJointStep(r: CdartsRates): Promise<{ weights: Values; alphas: Values }> {
    const d = tinyData(16);
    const state: CdartsState = createCdartsState(TINY_CDARTS, d.shape);
    const indices = Array.from({ length: 8 }, (_, i) => i);
    const train = d.train.batch(indices);
    const val = d.val.batch(indices);
    const out = jointStep(state, train, val, 0.5, r);
    tf.dispose([train.x, train.y, val.x, val.y]);
    tf.dispose(Object.values(out).flatMap((v) => ('loss' in v ? [v.loss, v.accuracy] : [v])));
    const result = {
      weights: await valuesOf(searchWeights(state)),
      alphas: await valuesOf({ normal: state.alphas.normal, reduce: state.alphas.reduce }),
    };
    disposeCdartsState(state);
    d.train.dispose();
    d.val.dispose();
    return result;
  }

  it('moves the alphas first, then the search weights with the moved alphas', async () => {
    const both = await afterOneJointStep(rates);
    const frozenAlphas = await afterOneJointStep({ ...rates, alphaLr: 0 });
    const frozenWeights = await afterOneJointStep({ ...rates, weightLr: 0 });
    // The search weight step saw the new alphas: without them the weights end elsewhere.
    expect(maxDifference(both.weights, frozenAlphas.weights)).toBeGreaterThan(1e-6);
    // The alpha step saw the weights before their step: the weight rate does not reach it.
    expect(maxDifference(both.alphas, frozenWeights.alphas)).toBe(0);
    expect(maxDifference(both.alphas, frozenAlphas.alphas)).toBeGreaterThan(1e-3);
  }, 120_000);
});

describe("the recurrent search's iteration", () => {
  const config: RnnSearchConfig = {
    ...SMALL_RNN_SEARCH_CONFIG,
    nhid: 8,
    batchSize: 4,
    bptt: 5,
    steps: 3,
    order: 1,
    alphaLr: 0.05,
  };
  const vocabulary = 20;

  async function afterOneIteration(
    c: RnnSearchConfig,
  ): Promise<{ weights: Values; alpha: Values }> {
    const state = createRnnSearchState(c, vocabulary);
    const { batchSize: b, bptt: t, nhid } = c;
    const stream = Array.from({ length: b * (2 * t + 2) }, (_, i) => (i * 7919 + 3) % vocabulary);
    const rows = batchify(stream, b);
    const train = tokenSegment(rows, 0, t);
    const val = tokenSegment(rows, t, t);
    const r = rnnSearchStep(state, train, val, tf.zeros([b, nhid]), tf.zeros([b, nhid]), t);
    tf.dispose([r.trainLoss, r.valLoss, r.hiddenTrain, r.hiddenVal]);
    disposeSegment(train);
    disposeSegment(val);
    const result = {
      weights: await valuesOf(state.weights),
      alpha: await valuesOf({ alpha: state.alpha }),
    };
    disposeRnnSearchState(state);
    return result;
  }

  it('takes the alpha step first, then the weight step with the moved alphas', async () => {
    const both = await afterOneIteration(config);
    // The configuration refuses a rate of 0; 1e-12 moves nothing in float32.
    const frozenAlphas = await afterOneIteration({ ...config, alphaLr: 1e-12 });
    const frozenWeights = await afterOneIteration({ ...config, lr: 1e-12 });
    expect(maxDifference(both.weights, frozenAlphas.weights)).toBeGreaterThan(1e-6);
    expect(maxDifference(both.alpha, frozenWeights.alpha)).toBe(0);
    expect(maxDifference(both.alpha, frozenAlphas.alpha)).toBeGreaterThan(1e-3);
  }, 120_000);
});
