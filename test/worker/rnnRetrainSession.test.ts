import { describe, expect, it } from 'vitest';
import { folderSource } from '../../src/cli/folderSource';
import { BUILTIN_TEXT_FOLDER } from '../../src/data/builtinText';
import { rnnGenotypeFromJson, rnnGenotypeToJson } from '../../src/nas/rnn/genotype/rnnGenotype';
import { RNN_DARTS_V2, RNN_ENAS } from '../../src/nas/rnn/genotype/rnnPublishedGenotypes';
import { reduceLabBatch, INITIAL_LAB_STATE } from '../../src/ui/labReducer';
import { SMALL_RNN_RETRAIN_CONFIG } from '../../src/nas/rnn/retrain/rnnRetrainConfig';
import { DEFAULT_LAB_RNN_RETRAIN } from '../../src/worker/labRecurrentRetrain';
import { rnnRetrainConfigOf } from '../../src/worker/rnnRetrainLabConfig';
import { builtinTextUrl } from '../../src/worker/labText';
import { LabSession } from '../../src/worker/labSession';
import type { FromWorker } from '../../src/worker/protocol';
import type { LabRnnRetrainSettings } from '../../src/worker/recurrentRetrainProtocol';

const PAGE_DATA_URL = 'https://lab.example/nas/data/fashion-mnist/';

/**
 * Seconds on cpu: 200 train tokens in 4 columns, segments of about 5. At lr 60 the validation
 * loss rises in the second epoch, so with nonmono 1 the third epoch switches to ASGD and the
 * fourth trains and is evaluated averaged (deterministic: seeded, cpu backend).
 */
const TINY: LabRnnRetrainSettings = {
  ...DEFAULT_LAB_RNN_RETRAIN,
  nhid: 8,
  bptt: 5,
  batchSize: 4,
  epochs: 4,
  lr: 60,
  nonmono: 1,
  maxVocabulary: 300,
  trainTokens: 200,
  validTokens: 100,
  testTokens: 100,
};

function harness() {
  const messages: FromWorker[] = [];
  const urls: string[] = [];
  const session = new LabSession({
    post: (m) => messages.push(m),
    dataSource: (url) => {
      urls.push(url);
      return folderSource(`public/data/${BUILTIN_TEXT_FOLDER}`);
    },
  });
  const until = async (predicate: () => boolean, ms = 60_000) => {
    const start = Date.now();
    while (!predicate()) {
      if (Date.now() - start > ms) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { messages, urls, session, until };
}

const retrain = (settings: LabRnnRetrainSettings, genotype = RNN_DARTS_V2) =>
  ({
    type: 'rnnRetrain',
    settings,
    genotype: rnnGenotypeToJson(genotype),
    backend: 'cpu',
    dataUrl: PAGE_DATA_URL,
  }) as const;

describe('recurrent retrain session (in-thread on cpu, the built-in text)', () => {
  it('streams steps and epochs, switches to ASGD by the nonmono rule, ends with the best epoch’s test perplexity', async () => {
    const { messages, urls, session, until } = harness();
    await session.handle(retrain(TINY));
    await until(() => messages.some((m) => m.type === 'status' && m.status === 'done'));
    expect(urls).toEqual([builtinTextUrl(PAGE_DATA_URL)]);
    const corpus = messages.find((m) => m.type === 'rnnRetrainCorpus');
    if (corpus?.type !== 'rnnRetrainCorpus') throw new Error('no corpus message');
    expect(corpus.vocabularySize).toBe(300);
    expect(corpus.tokens).toEqual({ train: 200, valid: 100, test: 100 });
    expect(rnnGenotypeFromJson(corpus.genotype)).toEqual(RNN_DARTS_V2);

    const steps = messages.flatMap((m) => (m.type === 'rnnRetrainStep' ? [m.point] : []));
    const epochs = messages.flatMap((m) => (m.type === 'rnnRetrainEpoch' ? [m.point] : []));
    expect(steps.map((p) => p.step)).toEqual(steps.map((_, i) => i + 1));
    expect(steps.every((p) => Number.isFinite(p.trainPerplexity) && p.tokensPerSecond > 0)).toBe(
      true,
    );
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1, 2, 3]);
    expect(epochs.map((e) => e.switchedToAsgd)).toEqual([false, false, true, false]);
    expect(epochs.map((e) => e.evaluated)).toEqual(['weights', 'weights', 'weights', 'averaged']);
    const switchStep = epochs[2]!.step;
    expect(steps.filter((p) => p.optimizer === 'asgd').map((p) => p.step)[0]).toBe(switchStep + 1);
    expect(steps.every((p) => p.step <= switchStep === (p.optimizer === 'sgd'))).toBe(true);

    const done = messages.find((m) => m.type === 'rnnRetrainDone');
    if (done?.type !== 'rnnRetrainDone') throw new Error('no result');
    const best = epochs.reduce((a, b) => (b.valPerplexity < a.valPerplexity ? b : a));
    expect(done.result).toEqual({
      steps: steps.length,
      bestEpoch: best.epoch,
      bestValPerplexity: expect.closeTo(best.valPerplexity, 6),
      testPerplexity: best.testPerplexity,
    });

    // The page's view of it: every point, the ASGD switch placed, the result.
    const view = reduceLabBatch(INITIAL_LAB_STATE, messages).recurrentRetrain;
    expect(view?.steps).toHaveLength(steps.length);
    expect(view?.epochs).toHaveLength(4);
    expect(view?.asgdFromStep).toBe(switchStep + 1);
    expect(view?.result).toEqual(done.result);
  }, 120_000);

  it('stops between steps on request', async () => {
    const { messages, session, until } = harness();
    await session.handle(retrain({ ...TINY, epochs: 50 }, RNN_ENAS));
    await until(() => messages.filter((m) => m.type === 'rnnRetrainStep').length >= 2);
    await session.handle({ type: 'stop' });
    expect(messages.at(-1)).toEqual({ type: 'status', status: 'stopped' });
    const n = messages.filter((m) => m.type === 'rnnRetrainStep').length;
    await new Promise((r) => setTimeout(r, 300));
    expect(messages.filter((m) => m.type === 'rnnRetrainStep')).toHaveLength(n);
  }, 60_000);

  it("takes the lab's defaults from the small preset where they are the same setting", () => {
    const config = rnnRetrainConfigOf(DEFAULT_LAB_RNN_RETRAIN);
    expect(config).toMatchObject({
      lr: SMALL_RNN_RETRAIN_CONFIG.lr,
      seed: SMALL_RNN_RETRAIN_CONFIG.seed,
      dropout: SMALL_RNN_RETRAIN_CONFIG.dropout,
      nhid: 16,
      maxSeqLenDelta: 5,
    });
  });

  it('reports bad settings and genotypes as error messages', async () => {
    expect(() => rnnRetrainConfigOf({ ...TINY, nonmono: 0 })).toThrow(
      /^nonmono must be a positive integer, got 0$/,
    );
    const { messages, session } = harness();
    await session.handle(retrain({ ...TINY, trainTokens: 8 }));
    expect(messages.at(-1)).toMatchObject({
      type: 'error',
      message: 'the train text fills 2 rows of 4 columns; an epoch needs at least 3',
    });
    await session.handle({
      ...retrain(TINY),
      genotype: { ...rnnGenotypeToJson(RNN_DARTS_V2), recurrent: [['gelu', 0]] },
    } as never);
    expect(messages.at(-1)).toMatchObject({
      type: 'error',
      message: expect.stringMatching(/gelu/),
    });
  }, 60_000);
});
