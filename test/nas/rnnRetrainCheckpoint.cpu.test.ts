/**
 * Resuming a recurrent retrain (`rnn/train.py`) from its checkpoint (cpu backend): the resumed
 * run takes the uninterrupted run's steps and reports its numbers bit for bit, mid-epoch, at an
 * epoch boundary, with the evaluation owed, at the switch to ASGD and inside an ASGD epoch;
 * without the carried hidden state, the random state or ASGD's state it does not; malformed
 * files are refused by name.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeContainer, encodeContainer } from '../../src/nas/io/checkpointFormat';
import { Rng } from '../../src/nas/tensor/random';
import type { RnnRetrainCheckpoint } from '../../src/nas/rnn/retrain/rnnRetrainCheckpoint';
import {
  captureRnnRetrainCheckpoint,
  decodeRnnRetrainCheckpoint,
  encodeRnnRetrainCheckpoint,
  restoreRnnRetrain,
} from '../../src/nas/rnn/retrain/rnnRetrainCheckpoint';
import type { RnnRetrainConfig } from '../../src/nas/rnn/retrain/rnnRetrainConfig';
import { PAPER_RNN_RETRAIN_CONFIG } from '../../src/nas/rnn/retrain/rnnRetrainConfig';
import type { RnnRetrainEvent, RnnRetrainRun } from '../../src/nas/rnn/retrain/rnnRetrainLoop';
import {
  disposeRnnRetrainData,
  prepareRnnRetrainData,
  runRnnRetrain,
} from '../../src/nas/rnn/retrain/rnnRetrainLoop';
import type { RnnRetrainResume } from '../../src/nas/rnn/retrain/rnnRetrainPosition';
import type { RnnRetrainState } from '../../src/nas/rnn/retrain/rnnRetrainState';
import {
  createRnnRetrainState,
  disposeRnnRetrainState,
} from '../../src/nas/rnn/retrain/rnnRetrainState';
import * as tf from '../../src/nas/tensor/tf';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const VOCAB = 5;

function ids(length: number, seed: number): number[] {
  const rng = Rng.fromSeed(seed);
  return Array.from({ length }, () => rng.int(VOCAB));
}

/**
 * Dropout on and frequent half segments, so that the random state matters; nonmono 1 and a high
 * learning rate, so that epoch 2's validation loss is worse than epoch 0's (measured 3.04 against
 * 1.90) and the retrain switches to ASGD there, the earliest the rule allows.
 */
const TINY: RnnRetrainConfig = {
  ...PAPER_RNN_RETRAIN_CONFIG,
  nhid: 6,
  batchSize: 4,
  evalBatchSize: 4,
  testBatchSize: 2,
  bptt: 6,
  maxSeqLenDelta: 3,
  halfSegmentProbability: 0.3,
  epochs: 4,
  lr: 20,
  nonmono: 1,
  dropout: { embedding: 0.1, input: 0.2, x: 0.2, h: 0.2, output: 0.2 },
  seed: 3,
};
const GENOTYPE = {
  recurrent: [
    ['tanh', 0],
    ['relu', 1],
  ],
  concat: [1, 2],
} as const;
const CORPUS = { train: ids(200, 1), valid: ids(60, 2), test: ids(40, 3) };

/** What an event says, without the clock, and where the run stands after it. */
function summary(e: RnnRetrainEvent, run: RnnRetrainRun): string {
  const at = JSON.stringify(run.position());
  if (e.type === 'step') {
    return `s${e.step}:${e.epoch}:${e.seqLen}:${e.segmentLength}:${e.lr}:${e.optimizer}:${e.trainLoss} ${at}`;
  }
  if (e.type === 'epoch') {
    const { evaluated, valLoss, testLoss, switchedToAsgd, bestValLoss, bestEpoch } = e;
    return `e${e.epoch}:${evaluated}:${valLoss}:${testLoss}:${switchedToAsgd}:${bestValLoss}:${bestEpoch} ${at}`;
  }
  return `done:${e.steps}:${e.bestEpoch}:${e.bestValLoss}:${e.testLoss}`;
}

interface Outcome {
  events: string[];
  /** The weights, ASGD's averages and the validation history at the end. */
  final: string;
}

async function finalOf(state: RnnRetrainState): Promise<string> {
  const read = async (vs: Readonly<Record<string, tf.Variable>>) =>
    Promise.all(Object.values(vs).map(async (v) => Array.from(await v.data())));
  return JSON.stringify({
    weights: await read(state.weights),
    ax: state.asgd && (await read(state.asgd.ax)),
    counters: state.asgd && [state.asgd.step, state.asgd.eta, state.asgd.mu],
    history: state.valHistory,
  });
}

/** Runs to the end; stops after event `stopAfter` and returns a checkpoint file there too. */
async function run(
  state: RnnRetrainState,
  resume: RnnRetrainResume | undefined,
  stopAfter = Infinity,
): Promise<Outcome & { file: Uint8Array | null }> {
  const data = prepareRnnRetrainData(state, CORPUS);
  const events: string[] = [];
  let file: Uint8Array | null = null;
  const retrain = runRnnRetrain(state, data, { now: () => 0, ...(resume ? { resume } : {}) });
  for await (const e of retrain) {
    events.push(summary(e, retrain));
    if (events.length === stopAfter) {
      file = encodeRnnRetrainCheckpoint(
        await captureRnnRetrainCheckpoint(state, retrain, { host: { corpus: 'toy' } }),
      );
      await retrain.return();
      break;
    }
  }
  disposeRnnRetrainData(data);
  return { events, file, final: await finalOf(state) };
}

type Edit = (c: RnnRetrainCheckpoint, r: RnnRetrainResume, s: RnnRetrainState) => RnnRetrainResume;

async function resumedFrom(file: Uint8Array, edit: Edit = (_c, r) => r): Promise<Outcome> {
  const checkpoint = decodeRnnRetrainCheckpoint(file);
  const { state, resume } = restoreRnnRetrain(checkpoint);
  const out = await run(state, edit(checkpoint, resume, state));
  disposeRnnRetrainState(state);
  return out;
}

async function firstPart(stopAfter: number): Promise<{ events: string[]; file: Uint8Array }> {
  const state = createRnnRetrainState(TINY, GENOTYPE, VOCAB);
  const { events, file } = await run(state, undefined, stopAfter);
  disposeRnnRetrainState(state);
  return { events, file: file as Uint8Array };
}

describe('resuming a recurrent retrain from a checkpoint (cpu)', () => {
  let full: Outcome;
  /** Event counts (1-based) after which the checkpoints are taken. */
  const stops = { midSgd: 3, boundary: 0, owed: 0, switched: 0, midAsgd: 0 };
  beforeAll(async () => {
    const state = createRnnRetrainState(TINY, GENOTYPE, VOCAB);
    full = await run(state, undefined);
    disposeRnnRetrainState(state);
    const index = (prefix: string) => full.events.findIndex((e) => e.startsWith(prefix)) + 1;
    stops.boundary = index('e0:');
    stops.owed = index('e1:') - 1;
    stops.switched = index('e2:');
    stops.midAsgd = stops.switched + 3;
  });

  it('the run switches to ASGD after epoch 2 and takes ASGD steps in epoch 3', () => {
    expect(full.events.find((e) => e.startsWith('e2:'))).toMatch(/^e2:weights:[^:]+:[^:]+:true:/);
    expect(full.events.find((e) => e.startsWith('e3:'))).toMatch(/^e3:averaged:/);
    expect(full.events[stops.midAsgd]).toMatch(/^s\d+:3:.*:asgd:/);
    expect(full.events[stops.owed - 1]).toMatch(/^s\d+:1:/);
    expect(full.events.at(-1)).toMatch(/^done:/);
  });

  it('continues bit for bit: mid-epoch, at a boundary, evaluation owed, at and after the switch', async () => {
    const before = tf.memory().numTensors;
    for (const stopAfter of Object.values(stops)) {
      const first = await firstPart(stopAfter);
      expect(first.events).toHaveLength(stopAfter);
      const rest = await resumedFrom(first.file);
      expect([...first.events, ...rest.events]).toEqual(full.events);
      expect(rest.final).toEqual(full.final);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('diverges without the hidden state, the random state or the ASGD state', async () => {
    const mid = await firstPart(stops.midSgd);
    const zeroHidden = await resumedFrom(mid.file, (_c, r) => ({
      position: r.position,
      hidden: r.hidden && new Float32Array(r.hidden.length),
    }));
    expect([...mid.events, ...zeroHidden.events]).not.toEqual(full.events);
    const freshRng = await resumedFrom(mid.file, (_c, r, s) => {
      s.rng.load(Rng.fromSeed(99).snapshot());
      return r;
    });
    expect([...mid.events, ...freshRng.events]).not.toEqual(full.events);

    const asgd = await firstPart(stops.midAsgd);
    const asgdOf = (s: RnnRetrainState) => s.asgd as NonNullable<RnnRetrainState['asgd']>;
    const freshCounters = await resumedFrom(asgd.file, (_c, r, s) => {
      Object.assign(asgdOf(s), { step: 0, eta: null, mu: 1 });
      return r;
    });
    expect([...asgd.events, ...freshCounters.events]).not.toEqual(full.events);
    const noAverage = await resumedFrom(asgd.file, (_c, r, s) => {
      for (const [name, ax] of Object.entries(asgdOf(s).ax))
        ax.assign(s.weights[name] as tf.Variable);
      return r;
    });
    expect([...asgd.events, ...noAverage.events]).not.toEqual(full.events);
    const same = await resumedFrom(asgd.file);
    expect([...asgd.events, ...same.events]).toEqual(full.events);
  });

  it('refuses a resume on other data', async () => {
    const { file } = await firstPart(stops.midSgd);
    const { state, resume } = restoreRnnRetrain(decodeRnnRetrainCheckpoint(file));
    const data = prepareRnnRetrainData(state, { ...CORPUS, train: ids(240, 1) });
    try {
      await expect(runRnnRetrain(state, data, { resume }).next()).rejects.toThrow(
        /cannot resume: the retrain was at 50 train, 15 validation and 20 test rows, the data has 60, 15, 20/,
      );
    } finally {
      disposeRnnRetrainData(data);
      disposeRnnRetrainState(state);
    }
  });

  it('refuses malformed files, naming what is wrong', async () => {
    const cases: [Uint8Array, RegExp][] = [];
    for (const stopAfter of [stops.midSgd, stops.midAsgd]) {
      const bytes = (await firstPart(stopAfter)).file;
      const container = decodeContainer(bytes);
      const edited = (
        edit: (m: Record<string, unknown>) => void,
        tensors = container.tensors,
      ): Uint8Array => {
        const manifest = structuredClone(container.manifest) as Record<string, unknown>;
        edit(manifest);
        return encodeContainer({ manifest, tensors });
      };
      const field = (m: Record<string, unknown>, key: string) => m[key] as Record<string, unknown>;
      const without = (name: string) => container.tensors.filter((t) => t.name !== name);
      expect(decodeRnnRetrainCheckpoint(bytes).host).toEqual({ corpus: 'toy' });
      cases.push(
        [bytes.subarray(0, bytes.length - 8), /truncated|unexpected bytes/],
        [
          edited((m) => (m.format = 'nas-lab.rnn-search-checkpoint')),
          /this is a recurrent search checkpoint file, not a recurrent retrain checkpoint/,
        ],
        [
          edited((m) => (m.format = 'nas-lab.retrain-checkpoint')),
          /this is a retrain checkpoint file, not a recurrent retrain checkpoint/,
        ],
        [edited((m) => (m.format = 'other')), /format is "other", expected "nas-lab.rnn-retrain/],
        [edited((m) => (m.version = 2)), /unsupported version 2/],
        [edited((m) => delete m.ntoken), /the manifest has no "ntoken"/],
        [edited((m) => (m.extra = 1)), /the manifest has an unknown field "extra"/],
        [edited((m) => (field(m, 'config').nhid = 0)), /config: nhid must be a positive integer/],
        [edited((m) => (field(field(m, 'config'), 'dropout').x = 1)), /config: dropout rate x/],
        [
          edited((m) => (field(m, 'genotype').recurrent = [['none', 0]])),
          /genotype: recurrent\[0\] has op "none"/,
        ],
        [edited((m) => (field(m, 'position').row = -1)), /position: row must be an integer/],
        [
          edited((m) => (field(m, 'position').epoch = 7)),
          /position: epoch must be an integer from 0 to 4/,
        ],
        [edited((m) => (field(m, 'position').best = 'x')), /position.best must be a JSON object/],
        [edited((m) => ((m.rng as Record<string, unknown>).words = [1, 2])), /rng.words/],
        [edited((m) => (m.host = { 'bad name': 1 })), /host has a bad setting name/],
        [edited((m) => (m.ntoken = 9)), /tensor "weights\.encoder\.weight" has shape/],
        [edited(() => undefined, without('hidden')), /no tensor "hidden"/],
        [
          edited(
            () => undefined,
            [...container.tensors, { name: 'extra', shape: [1], values: new Float32Array(1) }],
          ),
          /holds tensor "extra"/,
        ],
      );
      if (stopAfter === stops.midSgd) {
        cases.push(
          [
            edited((m) => (field(m, 'position').best = { epoch: 0, valLoss: 1, testLoss: 1 })),
            /no epoch is evaluated, yet one is best/,
          ],
          [
            edited((m) => (m.valHistory = [1])),
            /1 SGD epochs for 0 finished epochs without the switch/,
          ],
          [
            edited((m) => (m.asgd = { step: 0, eta: null, mu: 1 })),
            /0 SGD epochs for 0 finished epochs and a switch/,
          ],
        );
        continue;
      }
      const history = container.manifest.valHistory as number[];
      const cell = container.tensors.find((t) => t.name.startsWith('asgd.ax.'))?.name as string;
      cases.push(
        [
          edited((m) => (field(m, 'position').best = null)),
          /3 epochs are evaluated but none is best/,
        ],
        [
          edited((m) => (field(m, 'position').best = { epoch: 0, valLoss: 9, testLoss: 1 })),
          /best validation loss is above one in the validation history/,
        ],
        [
          edited((m) => (m.asgd = null)),
          /epoch 2 met the switch rule, yet the retrain did not switch/,
        ],
        [
          edited((m) => (m.valHistory = [100, history[1], history[2]])),
          /epoch 2 switched to ASGD without meeting the rule/,
        ],
        [
          edited((m) => (m.valHistory = history.slice(0, 2))),
          /epoch 1 switched to ASGD without meeting the rule/,
        ],
        [edited((m) => (field(m, 'asgd').eta = null)), /asgd: eta must be a positive number/],
        [edited((m) => (field(m, 'asgd').mu = 2)), /asgd: mu must be in \(0, 1\]/],
        [edited((m) => (field(m, 'asgd').step = 1000)), /asgd: step must be an integer from 0 to/],
        [
          edited(() => undefined, without(cell)),
          new RegExp(`no tensor "${cell.replace(/\./g, '\\.')}"`),
        ],
      );
    }
    cases.push([
      new TextEncoder().encode('hello world, no checkpoint'),
      /does not start with "NASLABCK"/,
    ]);
    for (const [file, message] of cases) {
      expect(() => decodeRnnRetrainCheckpoint(file)).toThrow(
        /^invalid recurrent retrain checkpoint: /,
      );
      expect(() => decodeRnnRetrainCheckpoint(file)).toThrow(message);
    }
  });
});
