import { describe, expect, it } from 'vitest';
import { BUILTIN_TEXT_FOLDER } from '../../src/data/builtinText';
import { folderSource } from '../../src/cli/folderSource';
import { rnnGenotypeFromJson } from '../../src/nas/rnn/genotype/rnnGenotype';
import { PRESETS } from '../../src/ui/labPresets';
import { DEFAULT_LAB_RECURRENT } from '../../src/worker/labRecurrent';
import { builtinTextUrl } from '../../src/worker/labText';
import { LabSession } from '../../src/worker/labSession';
import type { FromWorker, LabConfig } from '../../src/worker/protocol';
import type { LabRecurrentSettings } from '../../src/worker/recurrentProtocol';

const TINY: LabRecurrentSettings = {
  ...DEFAULT_LAB_RECURRENT,
  nhid: 8,
  bptt: 5,
  batchSize: 4,
  epochs: 3,
  trainTokens: 400,
  validTokens: 100,
  // A small softmax keeps cpu steps short; the cap itself is the corpus loader's.
  maxVocabulary: 300,
};

const config = (recurrent: LabRecurrentSettings): LabConfig => ({
  ...PRESETS['quick demo'],
  backend: 'cpu',
  space: 'recurrent',
  recurrent,
});

const PAGE_DATA_URL = 'https://lab.example/nas/data/fashion-mnist/';

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
  const steps = () => messages.filter((m) => m.type === 'rnnStep').length;
  const until = async (predicate: () => boolean, ms = 60_000) => {
    const start = Date.now();
    while (!predicate()) {
      if (Date.now() - start > ms) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { messages, urls, session, steps, until };
}

describe('recurrent search session (in-thread on cpu, the built-in text)', () => {
  it('reads the built-in text next to the image folder the page sends', () => {
    expect(builtinTextUrl(PAGE_DATA_URL)).toBe(
      `https://lab.example/nas/data/${BUILTIN_TEXT_FOLDER}/`,
    );
  });

  it('loads the corpus, streams steps; pause holds, step advances one, resume, stop ends', async () => {
    const { messages, urls, session, steps, until } = harness();
    await session.handle({ type: 'start', config: config(TINY), dataUrl: PAGE_DATA_URL });
    expect(urls).toEqual([builtinTextUrl(PAGE_DATA_URL)]);
    await until(() => steps() >= 2);
    const corpus = messages.find((m) => m.type === 'rnnCorpus');
    expect(corpus).toMatchObject({
      corpus: { level: 'word', vocabularySize: 300 },
    });
    expect(corpus).toMatchObject({ corpus: { trainTokens: 400, validTokens: 100 } });
    await session.handle({ type: 'pause' });
    await until(() => messages.some((m) => m.type === 'status' && m.status === 'paused'));
    const paused = steps();
    await new Promise((r) => setTimeout(r, 800));
    expect(steps()).toBe(paused);
    await session.handle({ type: 'step' });
    await until(() => steps() === paused + 1);
    await new Promise((r) => setTimeout(r, 500));
    expect(steps()).toBe(paused + 1);
    await session.handle({ type: 'save' });
    expect(messages.at(-1)).toEqual({ type: 'error', message: 'this job has nothing to save' });
    // An error from a command fails the session: start again for the rest.
    await session.handle({ type: 'start', config: config(TINY), dataUrl: PAGE_DATA_URL });
    await until(() => steps() >= paused + 3);
    await session.handle({ type: 'setRates', weightLr: 5 });
    const before = steps();
    await until(() => steps() >= before + 2);
    const last = messages.filter((m) => m.type === 'rnnStep').at(-1);
    if (last?.type !== 'rnnStep') throw new Error('no step');
    expect(last.point.weightLr).toBe(5);
    expect(rnnGenotypeFromJson(last.point.genotype).recurrent).toHaveLength(8);
    await session.handle({ type: 'stop' });
    expect(messages.at(-1)).toEqual({ type: 'status', status: 'stopped' });
    const stopped = steps();
    await new Promise((r) => setTimeout(r, 300));
    expect(steps()).toBe(stopped);
  });

  it('runs to done at character level, with an epoch point per epoch', async () => {
    const { messages, session, until } = harness();
    const settings = { ...TINY, level: 'char' as const, epochs: 1, trainTokens: 100 };
    await session.handle({ type: 'start', config: config(settings), dataUrl: PAGE_DATA_URL });
    await until(() => messages.some((m) => m.type === 'status' && m.status === 'done'));
    const corpus = messages.find((m) => m.type === 'rnnCorpus');
    if (corpus?.type !== 'rnnCorpus') throw new Error('no corpus message');
    expect(corpus.corpus.level).toBe('char');
    // Letters, digits, punctuation, <eos>, <unk>: far fewer than the word vocabulary.
    expect(corpus.corpus.vocabularySize).toBeLessThan(120);
    const epochs = messages.filter((m) => m.type === 'rnnEpoch');
    expect(epochs).toHaveLength(1);
    const steps = messages.filter((m) => m.type === 'rnnStep');
    expect(epochs[0]).toMatchObject({ point: { epoch: 0, step: steps.length } });
  });

  it('runs a second-order (unrolled) search when the settings ask for it', async () => {
    const firstSteps = async (settings: LabRecurrentSettings) => {
      const { messages, session, steps, until } = harness();
      await session.handle({ type: 'start', config: config(settings), dataUrl: PAGE_DATA_URL });
      await until(() => steps() >= 2);
      await session.handle({ type: 'stop' });
      return messages.flatMap((m) => (m.type === 'rnnStep' ? [m.point] : [])).slice(0, 2);
    };
    const settings = { ...TINY, epochs: 1, trainTokens: 100 };
    const first = await firstSteps({ ...settings, order: 1 });
    const second = await firstSteps({ ...settings, order: 2 });
    // Same seed and data: only the alpha gradient differs. The unrolled step scores the alpha
    // segment at the virtual weights w' and moves the alphas by another gradient.
    for (const p of second) expect(Number.isFinite(p.valPerplexity)).toBe(true);
    expect(second[0]!.valLoss).not.toBeCloseTo(first[0]!.valLoss, 6);
    expect(second[1]!.alphaSoftmax.flat()).not.toEqual(first[1]!.alphaSoftmax.flat());
    // The same order twice gives the same steps (the difference is the order's, not noise).
    const again = await firstSteps({ ...settings, order: 2 });
    expect(again[1]!.alphaSoftmax).toEqual(second[1]!.alphaSoftmax);
  });

  it('reports bad settings as an error message', async () => {
    const { messages, session } = harness();
    await session.handle({
      type: 'start',
      config: config({ ...TINY, bptt: 0 }),
      dataUrl: PAGE_DATA_URL,
    });
    expect(messages.at(-1)).toMatchObject({
      type: 'error',
      message: expect.stringMatching(/bptt must be a positive integer, got 0/),
    });
  });
});
