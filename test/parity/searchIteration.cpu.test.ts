/**
 * One whole DARTS search iteration against PyTorch (scripts/fixtures/make_fixtures.py
 * `search_iteration`, after `cnn/train_search.py` train()): the alpha step on the validation
 * batch first, then the weight step on the train batch with the updated alphas. The parts are
 * parity-tested on their own (search.cpu.test.ts); this guards their order: swapped, both the
 * alphas and the weights after the iteration come out different.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { SearchConfig } from '../../src/nas/darts/searchConfig';
import { SMALL_SEARCH_CONFIG } from '../../src/nas/darts/searchConfig';
import { createSearchState, disposeSearchState } from '../../src/nas/darts/searchState';
import { searchStep } from '../../src/nas/darts/searchStep';
import * as tf from '../../src/nas/tensor/tf';
import type { TensorJson } from '../support/fixtures';
import { loadFixture, relativeL2Error, toTensor } from '../support/fixtures';
import type { IterationJson, SearchFixture } from './searchParity';

const fx = loadFixture<SearchFixture>('search.json');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The fixture's network, weights and alphas as a search state; fresh optimisers. */
function stateOf(order: 1 | 2, it: IterationJson) {
  const c = fx.config;
  const config: SearchConfig = {
    ...SMALL_SEARCH_CONFIG,
    order,
    nodes: c.steps,
    multiplier: c.multiplier,
    layers: c.layers,
    channels: c.c,
    stemMultiplier: c.stemMultiplier,
    batchSize: fx.yTrain.length,
    weightLr: fx.lr,
    momentum: fx.momentum,
    weightDecay: fx.weightDecay,
    gradClip: it.gradClip,
    alphaLr: it.alphaLr,
    alphaBeta1: it.alphaBetas[0],
    alphaBeta2: it.alphaBetas[1],
    alphaWeightDecay: it.alphaWeightDecay,
  };
  const state = createSearchState(config, {
    height: c.imageSize,
    width: c.imageSize,
    channels: c.imageChannels,
    numClasses: c.numClasses,
  });
  expect(Object.keys(state.weights).sort()).toEqual(Object.keys(fx.params).sort());
  for (const [name, v] of Object.entries(state.weights)) {
    v.assign(toTensor(fx.params[name] as TensorJson));
  }
  state.alphas.normal.assign(toTensor(fx.alphas.normal) as tf.Tensor2D);
  state.alphas.reduce.assign(toTensor(fx.alphas.reduce) as tf.Tensor2D);
  return state;
}

describe('one DARTS search iteration (cnn/train_search.py train()) against PyTorch', () => {
  for (const order of [1, 2] as const) {
    it(`alpha step, then the weight step with the new alphas (order ${order})`, async () => {
      const expected = fx.iteration[order === 1 ? '1' : '2'];
      const state = stateOf(order, expected);
      const train = { x: toTensor(fx.xTrain) as tf.Tensor4D, y: tf.tensor1d(fx.yTrain, 'int32') };
      const val = { x: toTensor(fx.xVal) as tf.Tensor4D, y: tf.tensor1d(fx.yVal, 'int32') };
      const scalars = searchStep(state, train, val, { weightLr: fx.lr, alphaLr: expected.alphaLr });
      tf.dispose([scalars.trainLoss, scalars.trainAccuracy, scalars.valLoss]);
      // What the iteration moved, against what PyTorch's moved: a swap of the two steps changes
      // the weights' move by the alphas' change (several per cent) and may flip alpha signs.
      const moved = async (after: tf.Tensor, before: TensorJson, expectedAfter: TensorJson) => {
        const delta = tf.sub(after, toTensor(before));
        const want = expectedAfter.data.map((v, i) => v - (before.data[i] as number));
        const error = await relativeL2Error(delta, { shape: expectedAfter.shape, data: want });
        delta.dispose();
        return error;
      };
      for (const kind of ['normal', 'reduce'] as const) {
        expect(
          await moved(state.alphas[kind], fx.alphas[kind], expected.alphasAfter[kind]),
          `alphas ${kind}`,
        ).toBeLessThan(1e-3);
      }
      const names = Object.keys(expected.weightsAfter);
      const flat = (tensors: Record<string, TensorJson>): TensorJson => {
        const data = names.flatMap((n) => (tensors[n] as TensorJson).data);
        return { shape: [data.length], data };
      };
      const actual = tf.concat(names.map((n) => tf.reshape(state.weights[n] as tf.Tensor, [-1])));
      expect(
        await moved(actual, flat(fx.params), flat(expected.weightsAfter)),
        'weights',
      ).toBeLessThan(1e-3);
      tf.dispose([actual, train.x, train.y, val.x, val.y]);
      disposeSearchState(state);
    });
  }
});
