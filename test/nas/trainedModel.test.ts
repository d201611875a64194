import { beforeAll, describe, expect, it } from 'vitest';
import { captureCheckpoint, encodeCheckpoint } from '../../src/nas/darts/searchCheckpoint';
import { encodeContainer } from '../../src/nas/io/checkpointFormat';
import { genotypesEqual } from '../../src/nas/genotype/genotype';
import { DARTS_V2 } from '../../src/nas/genotype/publishedGenotypes';
import { Rng } from '../../src/nas/tensor/random';
import type { RetrainConfig } from '../../src/nas/retrain/retrainConfig';
import { SMALL_RETRAIN_CONFIG } from '../../src/nas/retrain/retrainConfig';
import { evaluateRetrainSplit, runRetrain } from '../../src/nas/retrain/retrainLoop';
import type { RetrainState } from '../../src/nas/retrain/retrainState';
import type { EvaluableNetwork } from '../../src/nas/retrain/retrainStep';
import { createRetrainState, disposeRetrainState } from '../../src/nas/retrain/retrainState';
import { startPosition } from '../../src/nas/darts/searchPosition';
import { createSearchState, disposeSearchState } from '../../src/nas/darts/searchState';
import * as tf from '../../src/nas/tensor/tf';
import type { DecodedTrainedModel } from '../../src/nas/retrain/trainedModel';
import {
  decodeTrainedModel,
  disposeTrainedModel,
  encodeTrainedModel,
  restoreTrainedModel,
} from '../../src/nas/retrain/trainedModel';
import { TINY_CONFIG, tinyData } from '../support/tiny';

/** Two epochs of two steps: 16 training images in batches of 8, 16 test images. */
const CONFIG: RetrainConfig = {
  ...SMALL_RETRAIN_CONFIG,
  channels: 4,
  layers: 3,
  batchSize: 8,
  epochs: 2,
  dropPathProb: 0.2,
  seed: 3,
};
const NORMALIZATION = { mean: [0.1, 0.2, 0.3], std: [0.5, 0.6, 0.7] };

/** What the trained state computed before it was saved and disposed. */
interface Reference {
  readonly logits: number[][];
  readonly split: { loss: number; accuracy: number };
  readonly done: { testLoss: number; testAccuracy: number };
  readonly tensors: Map<string, Float32Array>;
  readonly slots: string[];
}

let good: Uint8Array;
let checkpointBytes: Uint8Array;
let reference: Reference;
const data = () => tinyData(32, 8, 2);

/** Evaluation-mode logits of the first 16 test images. */
async function testLogits(
  state: EvaluableNetwork,
  split: ReturnType<typeof data>['val'],
): Promise<number[][]> {
  const batch = split.batch(Array.from({ length: 16 }, (_, i) => i));
  const logits = tf.tidy(
    () =>
      state.net.forward(batch.x, state.weights, {
        ctx: { training: false, buffers: state.buffers },
      }).logits,
  );
  const values = (await logits.array()) as number[][];
  tf.dispose([batch.x, batch.y, logits]);
  return values;
}

async function stateTensors(state: RetrainState): Promise<Map<string, Float32Array>> {
  const entries = [
    ...Object.entries(state.weights).map(([n, v]) => [`weights.${n}`, v] as const),
    ...Object.entries(state.buffers).map(([n, v]) => [`buffers.${n}`, v] as const),
  ];
  const values = await Promise.all(entries.map(([, v]) => v.data<'float32'>()));
  return new Map(entries.map(([n], i) => [n, new Float32Array(values[i] as Float32Array)]));
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  const d = data();
  const state = createRetrainState(CONFIG, DARTS_V2, d.shape);
  let done = { testLoss: Number.NaN, testAccuracy: Number.NaN };
  for await (const e of runRetrain(state, { train: d.train, test: d.val })) {
    if (e.type === 'done') done = { testLoss: e.testLoss, testAccuracy: e.testAccuracy };
  }
  const before = tf.memory().numTensors;
  good = await encodeTrainedModel(state, { epochs: 2, ...done }, { normalization: NORMALIZATION });
  expect(tf.memory().numTensors).toBe(before);
  reference = {
    logits: await testLogits(state, d.val),
    split: await evaluateRetrainSplit(state, d.val),
    done,
    tensors: await stateTensors(state),
    slots: [
      ...state.net.params.map((p) => `weights.${p.name}`),
      ...state.net.buffers.map((b) => `buffers.${b.name}`),
    ],
  };
  // SGD momentum variables have global names: one retrain state (or search state) at a time.
  disposeRetrainState(state);
  const search = createSearchState(TINY_CONFIG, d.shape);
  checkpointBytes = encodeCheckpoint(await captureCheckpoint(search, startPosition(16, 16), []));
  disposeSearchState(search);
  d.train.dispose();
  d.val.dispose();
}, 120_000);

describe('trained-model files: round trip (cpu)', () => {
  it('keeps the genotype, configuration, data shape, normalisation and training summary', () => {
    const decoded = decodeTrainedModel(good);
    expect(genotypesEqual(decoded.genotype, DARTS_V2)).toBe(true);
    expect(decoded.config).toEqual(CONFIG);
    expect(decoded.data).toEqual({ height: 8, width: 8, channels: 3, numClasses: 2 });
    expect(decoded.normalization).toEqual(NORMALIZATION);
    expect(decoded.training).toEqual({ epochs: 2, ...reference.done });
  });

  it('stores every weight and running statistic of the network, bit for bit', () => {
    const decoded = decodeTrainedModel(good);
    expect(decoded.tensors.map((t) => t.name)).toEqual(reference.slots);
    expect(reference.slots.filter((n) => n.endsWith('.runningVar')).length).toBeGreaterThan(10);
    for (const t of decoded.tensors) {
      expect({ name: t.name, values: t.values }).toEqual({
        name: t.name,
        values: reference.tensors.get(t.name),
      });
    }
    // Training moved the running statistics away from their initial zeros and ones.
    const mean = reference.tensors.get('buffers.stem.bn.runningMean') as Float32Array;
    expect(mean.some((v) => v !== 0)).toBe(true);
  });

  it('restores a network whose evaluation logits and test results are those of the trained state', async () => {
    const before = tf.memory().numTensors;
    const model = restoreTrainedModel(decodeTrainedModel(good));
    const d = data();
    try {
      expect(await testLogits(model, d.val)).toEqual(reference.logits);
      const split = await evaluateRetrainSplit(model, d.val);
      expect(split).toEqual(reference.split);
      expect(split).toEqual({
        loss: reference.done.testLoss,
        accuracy: reference.done.testAccuracy,
      });
    } finally {
      d.train.dispose();
      d.val.dispose();
      disposeTrainedModel(model);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stores the auxiliary head with the rest', async () => {
    const d = data();
    const state = createRetrainState({ ...CONFIG, auxiliary: true }, DARTS_V2, d.shape);
    try {
      const decoded = decodeTrainedModel(
        await encodeTrainedModel(state, { epochs: 0, testLoss: 0.7, testAccuracy: 0.5 }),
      );
      const names = decoded.tensors.map((t) => t.name);
      expect(names).toContain('weights.auxiliary.classifier.weight');
      expect(names).toContain('buffers.auxiliary.bn2.runningVar');
      expect(names.length).toBe(state.net.params.length + state.net.buffers.length);
      expect(decoded.normalization).toBeNull();
    } finally {
      d.train.dispose();
      d.val.dispose();
      disposeRetrainState(state);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Refusals

interface Entry {
  name: string;
  shape: number[];
  byteOffset: number;
  byteLength: number;
}
type Manifest = Record<string, unknown> & {
  tensors: Entry[];
  config: Record<string, unknown>;
  data: Record<string, unknown>;
  genotype: { normal: [string, number][] };
  normalization: { mean: unknown[]; std: unknown[] };
  training: Record<string, unknown>;
};

function layout(bytes: Uint8Array): { manifestLength: number; dataStart: number } {
  const manifestLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
  return { manifestLength, dataStart: Math.ceil((16 + manifestLength) / 4) * 4 };
}

/** The file with its manifest edited (the data section kept as it is). */
function withManifest(bytes: Uint8Array, edit: (m: Manifest) => void): Uint8Array {
  const { manifestLength, dataStart } = layout(bytes);
  const manifest = JSON.parse(
    new TextDecoder().decode(bytes.subarray(16, 16 + manifestLength)),
  ) as Manifest;
  edit(manifest);
  const text = new TextEncoder().encode(JSON.stringify(manifest));
  const start = Math.ceil((16 + text.length) / 4) * 4;
  const out = new Uint8Array(start + bytes.length - dataStart);
  out.set(bytes.subarray(0, 16));
  new DataView(out.buffer).setUint32(12, text.length, true);
  out.set(text, 16);
  out.set(bytes.subarray(dataStart), start);
  return out;
}

function entry(m: Manifest, name: string): Entry {
  const e = m.tensors.find((t) => t.name === name);
  if (!e) throw new Error(`no tensor ${name}`);
  return e;
}

describe('trained-model files: refusals', () => {
  const cases: [string, () => Uint8Array, string | RegExp][] = [
    [
      'bytes of something else',
      () => new TextEncoder().encode('PK\u0003\u0004 a zip archive, not a model'),
      'not a NAS Lab model file: it does not start with "NASLABCK"',
    ],
    [
      'a search checkpoint',
      () => checkpointBytes,
      'this file is a NAS Lab search checkpoint ("nas-lab.search-checkpoint"), not a trained model',
    ],
    [
      'another format name',
      () =>
        withManifest(good, (m) => {
          m.format = 'nas-lab.genotype';
        }),
      `the manifest's format is "nas-lab.genotype", expected "nas-lab.trained-model"`,
    ],
    [
      'a file cut inside its header',
      () => good.slice(0, 10),
      'the file is truncated: 10 bytes, shorter than the 16-byte header',
    ],
    [
      'a file cut inside its tensors',
      () => good.slice(0, good.length - 6),
      /tensor "buffers\..*" needs data bytes .*: it is truncated or its manifest is wrong/,
    ],
    [
      'another version',
      () =>
        withManifest(good, (m) => {
          m.version = 2;
        }),
      'unsupported trained-model version 2; this build reads version 1',
    ],
    [
      'an unknown manifest field',
      () =>
        withManifest(good, (m) => {
          m.optimizer = {};
        }),
      'the manifest has an unknown field "optimizer"',
    ],
    [
      'a tensor the network needs missing (renamed)',
      () =>
        withManifest(good, (m) => {
          entry(m, 'weights.stem.conv').name = 'weights.stem.conw';
        }),
      'the file has no tensor "weights.stem.conv", which the network of its genotype and configuration needs',
    ],
    [
      'an extra tensor',
      () => {
        const decoded = decodeTrainedModel(good);
        const { tensors: _t, ...rest } = JSON.parse(
          new TextDecoder().decode(good.subarray(16, 16 + layout(good).manifestLength)),
        ) as Manifest;
        const extra = { name: 'weights.extra', shape: [2], values: new Float32Array([1, 2]) };
        return encodeContainer({ manifest: rest, tensors: [...decoded.tensors, extra] });
      },
      'the file holds tensor "weights.extra", which the network does not have',
    ],
    [
      'a tensor of another shape and the same size',
      () =>
        withManifest(good, (m) => {
          entry(m, 'weights.stem.conv').shape = [9, 3, 12];
        }),
      'tensor "weights.stem.conv" has shape [9, 3, 12] in the file; the network of its genotype and configuration needs [3, 3, 3, 12]',
    ],
    [
      'a configuration that builds another network',
      () =>
        withManifest(good, (m) => {
          m.config.channels = 5;
        }),
      'tensor "weights.stem.conv" has shape [3, 3, 3, 12] in the file; the network of its genotype and configuration needs [3, 3, 3, 15]',
    ],
    [
      'a genotype that builds another network',
      () =>
        withManifest(good, (m) => {
          (m.genotype.normal[0] as [string, number])[0] = 'dil_conv_3x3';
        }),
      'the file has no tensor "weights.cells.0.ops.0.dil_conv_3x3.dw", which the network of its genotype and configuration needs',
    ],
    [
      'a genotype with an unknown op',
      () =>
        withManifest(good, (m) => {
          (m.genotype.normal[0] as [string, number])[0] = 'conv_9x9';
        }),
      /^invalid trained model: invalid genotype: normal\[0\] has unknown op "conv_9x9"/,
    ],
    [
      'an invalid configuration',
      () =>
        withManifest(good, (m) => {
          m.config.layers = 2;
        }),
      'config: layers must be an integer of at least 3, got 2',
    ],
    [
      'a configuration flag given as text',
      () =>
        withManifest(good, (m) => {
          m.config.auxiliary = 'yes';
        }),
      'config.auxiliary must be a boolean, got "yes"',
    ],
    [
      'a configuration setting missing',
      () =>
        withManifest(good, (m) => {
          delete m.config.seed;
        }),
      'config has no "seed"',
    ],
    [
      'more cells than the file has tensors',
      () =>
        withManifest(good, (m) => {
          m.config.layers = 1_000_000;
        }),
      /the configuration's 1000000 cells cannot fit the file's \d+ tensors/,
    ],
    [
      'another class count',
      () =>
        withManifest(good, (m) => {
          m.data.numClasses = 3;
        }),
      /tensor "weights.classifier.weight" has shape \[\d+, 2\] in the file; the network .* needs \[\d+, 3\]/,
    ],
    [
      'an image size the network cannot take',
      () =>
        withManifest(good, (m) => {
          m.data.height = 6;
        }),
      'the network cannot be built: image height 6 leaves an odd 3-pixel feature map at reduction cell 2',
    ],
    [
      'a normalisation for another channel count',
      () =>
        withManifest(good, (m) => {
          m.normalization.mean.pop();
        }),
      'normalization.mean must be a list of 3 numbers, one per image channel',
    ],
    [
      'a zero standard deviation',
      () =>
        withManifest(good, (m) => {
          m.normalization.std[1] = 0;
        }),
      'normalization.std[1] must be a positive number, got 0',
    ],
    [
      'an accuracy above 1',
      () =>
        withManifest(good, (m) => {
          m.training.testAccuracy = 1.5;
        }),
      'training.testAccuracy must be a number from 0 to 1, got 1.5',
    ],
    [
      'more epochs than configured',
      () =>
        withManifest(good, (m) => {
          m.training.epochs = 3;
        }),
      'training.epochs must be an integer from 0 to 2, got 3',
    ],
    [
      'a NaN weight',
      () => {
        const out = good.slice();
        new DataView(out.buffer).setFloat32(layout(good).dataStart + 8, Number.NaN, true);
        return out;
      },
      'tensor "weights.stem.conv" holds NaN at index 2',
    ],
  ];

  for (const [what, make, message] of cases) {
    it(`refuses ${what}`, () => {
      const bytes = make();
      expect(() => decodeTrainedModel(bytes)).toThrow(message);
      expect(() => decodeTrainedModel(bytes)).toThrow(/^invalid trained model: /);
    });
  }

  it('refuses files above the size limit', () => {
    expect(() => decodeTrainedModel(good, { maxBytes: 1000 })).toThrow(
      `invalid trained model: the file takes ${good.length} bytes, above the limit of 1000 bytes`,
    );
  });

  it('restores nothing from a decoded model that lacks a tensor', () => {
    const decoded = decodeTrainedModel(good);
    const broken: DecodedTrainedModel = { ...decoded, tensors: decoded.tensors.slice(0, -1) };
    const before = tf.memory().numTensors;
    expect(() => restoreTrainedModel(broken)).toThrow(
      /the file has no tensor "buffers\..*runningVar", which the network/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('saves no diverged network, no impossible summary and nothing above the limit', async () => {
    const d = data();
    const state = createRetrainState(CONFIG, DARTS_V2, d.shape);
    const summary = { epochs: 1, testLoss: 0.5, testAccuracy: 0.75 };
    try {
      await expect(encodeTrainedModel(state, { ...summary, testAccuracy: 2 })).rejects.toThrow(
        'cannot save the model: training.testAccuracy must be a number from 0 to 1, got 2',
      );
      const size = (await encodeTrainedModel(state, summary)).length;
      await expect(encodeTrainedModel(state, summary, { maxBytes: 1000 })).rejects.toThrow(
        `cannot save the model: it takes ${size} bytes, above the limit of 1000 bytes`,
      );
      const w = state.weights['cells.1.pre1.conv'] as tf.Variable;
      tf.tidy(() => w.assign(tf.fill(w.shape, Number.NaN)));
      const before = tf.memory().numTensors;
      await expect(encodeTrainedModel(state, summary)).rejects.toThrow(
        'cannot save the model: tensor "weights.cells.1.pre1.conv" holds NaN at index 0 (the training has diverged)',
      );
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      d.train.dispose();
      d.val.dispose();
      disposeRetrainState(state);
    }
  });

  it('survives mutated and truncated files: a valid decode or an Error, never a crash', () => {
    const rng = Rng.fromSeed(7);
    const { dataStart } = layout(good);
    const text = new TextDecoder().decode(good.subarray(16, dataStart));
    const digitAt = [...text.matchAll(/\d/g)].map((m) => 16 + (m.index as number));
    const outcomes = { decoded: 0, refused: 0 };
    const started = Date.now();
    for (let trial = 0; trial < 400; trial++) {
      let bytes = good.slice();
      const kind = trial % 4;
      if (kind === 0) {
        bytes = bytes.slice(0, rng.int(bytes.length));
      } else if (kind === 1) {
        for (let k = 0; k <= rng.int(4); k++) bytes[rng.int(bytes.length)] = rng.int(256);
      } else if (kind === 2) {
        for (let k = 0; k <= rng.int(3); k++) bytes[16 + rng.int(dataStart - 16)] = rng.int(256);
      } else {
        // A digit of the manifest changed: still JSON, so the field checks are what refuse it.
        bytes[digitAt[rng.int(digitAt.length)] as number] = 0x30 + rng.int(10);
      }
      try {
        const decoded = decodeTrainedModel(bytes);
        expect(decoded.tensors.length).toBe(reference.slots.length);
        outcomes.decoded += 1;
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
        expect((e as Error).message).toMatch(/^invalid trained model: /);
        outcomes.refused += 1;
      }
    }
    expect(outcomes.decoded).toBeGreaterThan(10);
    expect(outcomes.refused).toBeGreaterThan(100);
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
