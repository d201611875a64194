/**
 * Resuming a recurrent search from its checkpoint (cpu backend): the resumed run takes the
 * uninterrupted run's steps bit for bit, mid-epoch and at an epoch boundary, first and second
 * order; without the carried hidden states or the random state it does not; malformed files are
 * refused by name.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeContainer, decodeContainer } from '../../src/nas/io/checkpointFormat';
import { Rng } from '../../src/nas/tensor/random';
import type { RnnSearchCheckpoint } from '../../src/nas/rnn/search/rnnSearchCheckpoint';
import {
  captureRnnSearchCheckpoint,
  decodeRnnSearchCheckpoint,
  encodeRnnSearchCheckpoint,
  restoreRnnSearch,
} from '../../src/nas/rnn/search/rnnSearchCheckpoint';
import type { RnnSearchConfig } from '../../src/nas/rnn/search/rnnSearchConfig';
import { PAPER_RNN_SEARCH_CONFIG } from '../../src/nas/rnn/search/rnnSearchConfig';
import type { RnnSearchEvent } from '../../src/nas/rnn/search/rnnSearchLoop';
import {
  disposeRnnSearchData,
  prepareRnnSearchData,
  runRnnSearch,
} from '../../src/nas/rnn/search/rnnSearchLoop';
import type { RnnSearchResume } from '../../src/nas/rnn/search/rnnSearchPosition';
import type { RnnSearchState } from '../../src/nas/rnn/search/rnnSearchState';
import {
  createRnnSearchState,
  disposeRnnSearchState,
} from '../../src/nas/rnn/search/rnnSearchState';
import * as tf from '../../src/nas/tensor/tf';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const VOCAB = 5;

function ids(length: number, seed: number): number[] {
  const rng = Rng.fromSeed(seed);
  return Array.from({ length }, () => rng.int(VOCAB));
}

/** Dropout on and frequent half segments, so that the random state matters. */
const TINY: RnnSearchConfig = {
  ...PAPER_RNN_SEARCH_CONFIG,
  nhid: 6,
  steps: 2,
  batchSize: 4,
  evalBatchSize: 4,
  bptt: 5,
  halfSegmentProbability: 0.3,
  epochs: 2,
  lr: 5,
  seed: 3,
};
const CORPUS = { train: ids(100, 1), valid: ids(48, 2) };

/** What a step or epoch event says, without the clock. */
function summary(e: RnnSearchEvent): string {
  if (e.type === 'step') return `s${e.step}:${e.segmentLength}:${e.trainLoss}:${e.valLoss}`;
  if (e.type === 'epoch') return `e${e.epoch}:${e.valLoss}`;
  return `done${e.steps}`;
}

async function alphaOf(state: RnnSearchState): Promise<number[]> {
  return Array.from(await state.alpha.data());
}

/** Runs to the end; stops after event `stopAfter` and returns a checkpoint file there too. */
async function run(
  state: RnnSearchState,
  resume: RnnSearchResume | undefined,
  stopAfter = Infinity,
): Promise<{ events: string[]; file: Uint8Array | null; alpha: number[] }> {
  const data = prepareRnnSearchData(state, CORPUS);
  const events: string[] = [];
  let file: Uint8Array | null = null;
  const search = runRnnSearch(state, data, { now: () => 0, ...(resume ? { resume } : {}) });
  for await (const e of search) {
    events.push(summary(e));
    if (events.length === stopAfter) {
      file = encodeRnnSearchCheckpoint(
        await captureRnnSearchCheckpoint(state, search, { host: { corpus: 'toy' } }),
      );
      await search.return();
      break;
    }
  }
  disposeRnnSearchData(data);
  return { events, file, alpha: await alphaOf(state) };
}

async function resumedFrom(
  file: Uint8Array,
  edit: (c: RnnSearchCheckpoint, r: RnnSearchResume, s: RnnSearchState) => RnnSearchResume = (
    _c,
    r,
  ) => r,
): Promise<{ events: string[]; alpha: number[] }> {
  const checkpoint = decodeRnnSearchCheckpoint(file);
  const { state, resume } = restoreRnnSearch(checkpoint);
  const out = await run(state, edit(checkpoint, resume, state));
  disposeRnnSearchState(state);
  return out;
}

describe('resuming a recurrent search from a checkpoint (cpu)', () => {
  for (const order of [1, 2] as const) {
    const config: RnnSearchConfig = { ...TINY, order };
    let full: { events: string[]; alpha: number[] };
    beforeAll(async () => {
      const state = createRnnSearchState(config, VOCAB);
      full = await run(state, undefined);
      disposeRnnSearchState(state);
    });

    it(`order ${order}: continues bit for bit mid-epoch and at an epoch boundary`, async () => {
      const boundary = full.events.findIndex((e) => e.startsWith('e0:')) + 1;
      expect(boundary).toBeGreaterThan(3);
      for (const stopAfter of [3, boundary]) {
        const state = createRnnSearchState(config, VOCAB);
        const first = await run(state, undefined, stopAfter);
        disposeRnnSearchState(state);
        const rest = await resumedFrom(first.file as Uint8Array);
        expect([...first.events, ...rest.events]).toEqual(full.events);
        expect(rest.alpha).toEqual(full.alpha);
      }
    });
  }

  it('diverges without the carried hidden states or the random state', async () => {
    const state = createRnnSearchState(TINY, VOCAB);
    const full = await run(state, undefined);
    disposeRnnSearchState(state);
    const first = createRnnSearchState(TINY, VOCAB);
    const { events, file } = await run(first, undefined, 3);
    disposeRnnSearchState(first);
    const zeroHidden = await resumedFrom(file as Uint8Array, (_c, r) => ({
      position: r.position,
      hidden: r.hidden && {
        train: new Float32Array(r.hidden.train.length),
        alpha: new Float32Array(r.hidden.alpha.length),
      },
    }));
    expect([...events, ...zeroHidden.events]).not.toEqual(full.events);
    const freshRng = await resumedFrom(file as Uint8Array, (_c, r, s) => {
      s.rng.load(Rng.fromSeed(99).snapshot());
      return r;
    });
    expect([...events, ...freshRng.events]).not.toEqual(full.events);
    const same = await resumedFrom(file as Uint8Array);
    expect([...events, ...same.events]).toEqual(full.events);
  });

  it('refuses malformed files, naming what is wrong', async () => {
    const state = createRnnSearchState(TINY, VOCAB);
    const { file } = await run(state, undefined, 2);
    disposeRnnSearchState(state);
    const bytes = file as Uint8Array;
    const container = decodeContainer(bytes);
    const edited = (
      edit: (m: Record<string, unknown>) => void,
      tensors = container.tensors,
    ): Uint8Array => {
      const manifest = structuredClone(container.manifest) as Record<string, unknown>;
      edit(manifest);
      return encodeContainer({ manifest, tensors });
    };
    const position = (m: Record<string, unknown>) => m.position as Record<string, unknown>;
    const config = (m: Record<string, unknown>) => m.config as Record<string, unknown>;
    const cases: [Uint8Array, RegExp][] = [
      [new TextEncoder().encode('hello world, no checkpoint'), /does not start with "NASLABCK"/],
      [bytes.subarray(0, bytes.length - 8), /truncated|unexpected bytes/],
      [
        edited((m) => (m.format = 'nas-lab.search-checkpoint')),
        /format is "nas-lab.search-checkpoint"/,
      ],
      [edited((m) => delete m.ntoken), /the manifest has no "ntoken"/],
      [edited((m) => (config(m).nhid = 0)), /config: nhid must be a positive integer/],
      [edited((m) => (config(m).order = 3)), /config: order must be 1/],
      [edited((m) => (position(m).row = -1)), /position: row must be an integer/],
      [edited((m) => (position(m).epoch = 7)), /position: epoch must be an integer from 0 to 2/],
      [edited((m) => ((m.rng as Record<string, unknown>).words = [1, 2])), /rng.words/],
      [edited((m) => (m.ntoken = 9)), /tensor "weights\.[^"]+" has shape/],
      [
        edited(
          () => undefined,
          container.tensors.filter((t) => t.name !== 'hidden.alpha'),
        ),
        /no tensor "hidden.alpha"/,
      ],
      [
        edited(
          () => undefined,
          [...container.tensors, { name: 'extra', shape: [1], values: new Float32Array(1) }],
        ),
        /holds tensor "extra"/,
      ],
    ];
    for (const [file, message] of cases) {
      expect(() => decodeRnnSearchCheckpoint(file)).toThrow(
        /^invalid recurrent search checkpoint: /,
      );
      expect(() => decodeRnnSearchCheckpoint(file)).toThrow(message);
    }
    expect(decodeRnnSearchCheckpoint(bytes).host).toEqual({ corpus: 'toy' });
  });
});
