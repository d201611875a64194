/**
 * Six steps of `rnn/train.py` against PyTorch (scripts/fixtures/rnn_train_ref.py, fixture
 * rnnTrain.json 'retrain': two SGD steps, the switch, four ASGD steps with their averaging), on the
 * backend the calling test file selects.
 */
import { describe, expect, it } from 'vitest';
import type { RnnDropoutMasks } from '../../src/nas/rnn/model/rnnCell';
import { RNN_DARTS_V2 } from '../../src/nas/rnn/genotype/rnnPublishedGenotypes';
import type { RnnRetrainConfig } from '../../src/nas/rnn/retrain/rnnRetrainConfig';
import { PAPER_RNN_RETRAIN_CONFIG } from '../../src/nas/rnn/retrain/rnnRetrainConfig';
import {
  createRnnRetrainState,
  disposeRnnRetrainState,
  switchToAsgd,
} from '../../src/nas/rnn/retrain/rnnRetrainState';
import { rnnRetrainStep } from '../../src/nas/rnn/retrain/rnnRetrainStep';
import { disposeSegment, tokenSegment } from '../../src/nas/rnn/model/rnnTokenData';
import * as tf from '../../src/nas/tensor/tf';
import type { TensorJson } from '../support/fixtures';
import { loadFixture, relativeError, toTensor } from '../support/fixtures';

interface RetrainFixture {
  config: {
    ntoken: number;
    nhid: number;
    batch: number;
    bptt: number;
    lr: number;
    clip: number;
    weightDecay: number;
    arAlpha: number;
    tarBeta: number;
    sgdSteps: number;
    rows: number;
  };
  params: Record<string, TensorJson>;
  data: number[][];
  hidden: TensorJson;
  steps: {
    start: number;
    seqLen: number;
    length: number;
    masks: Record<string, TensorJson>;
    loss: number;
    nll: number;
  }[];
  weightsOut: Record<string, TensorJson>;
  averagedOut: Record<string, TensorJson>;
  hiddenOut: TensorJson;
}

const fx = loadFixture<{ retrain: RetrainFixture }>('rnnTrain.json').retrain;

/**
 * The suite on the backend set up by the caller's beforeAll: weights, averaged weights and the
 * last hidden state at relative error `tolerance`, each step's loss and NLL at `tolerance / 10`.
 */
export function describeRnnRetrainParity(backend: string, tolerance: number): void {
  describe(`recurrent retrain step: parity with PyTorch (${backend})`, () => {
    it('six steps of rnn/train.py, two SGD then four ASGD: losses, weights, averaged weights', async () => {
      const c = fx.config;
      const config: RnnRetrainConfig = {
        ...PAPER_RNN_RETRAIN_CONFIG,
        nhid: c.nhid,
        batchSize: c.batch,
        bptt: c.bptt,
        lr: c.lr,
        clip: c.clip,
        weightDecay: c.weightDecay,
        arAlpha: c.arAlpha,
        tarBeta: c.tarBeta,
      };
      const state = createRnnRetrainState(config, RNN_DARTS_V2, c.ntoken);
      for (const [name, v] of Object.entries(state.weights)) {
        v.assign(toTensor(fx.params[name] as TensorJson));
      }
      const cols = { data: tf.tensor2d(fx.data, undefined, 'int32'), rows: c.rows, batch: c.batch };
      let hidden = toTensor(fx.hidden) as tf.Tensor2D;
      const losses: number[][] = [];
      for (const [k, s] of fx.steps.entries()) {
        if (k === c.sgdSteps) switchToAsgd(state);
        const segment = tokenSegment(cols, s.start, s.seqLen);
        expect(segment.length).toBe(s.length);
        const masks: Record<string, tf.Tensor> = {};
        for (const [name, t] of Object.entries(s.masks)) masks[name] = toTensor(t);
        const r = rnnRetrainStep(state, segment, hidden, s.seqLen, masks as RnnDropoutMasks);
        losses.push([(await r.loss.data())[0] as number, (await r.nll.data())[0] as number]);
        tf.dispose([hidden, r.loss, r.nll, ...Object.values(masks)]);
        disposeSegment(segment);
        hidden = r.hidden;
      }
      losses.forEach(([loss, nll], k) => {
        const s = fx.steps[k] as RetrainFixture['steps'][number];
        expect(Math.abs((loss as number) - s.loss) / s.loss).toBeLessThan(tolerance / 10);
        expect(Math.abs((nll as number) - s.nll) / s.nll).toBeLessThan(tolerance / 10);
      });
      for (const [name, v] of Object.entries(state.weights)) {
        const err = await relativeError(v, fx.weightsOut[name] as TensorJson);
        const avg = await relativeError(
          state.asgd?.ax[name] as tf.Tensor,
          fx.averagedOut[name] as TensorJson,
        );
        expect({ name, err, avg, ok: err < tolerance && avg < tolerance }).toEqual({
          name,
          err,
          avg,
          ok: true,
        });
      }
      expect(await relativeError(hidden, fx.hiddenOut)).toBeLessThan(tolerance);
      expect(state.asgd?.step).toBe(4);
      tf.dispose([hidden, cols.data]);
      disposeRnnRetrainState(state);
    });
  });
}
