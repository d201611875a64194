/**
 * The export for PyTorch against PyTorch itself (test/fixtures/export.json, written by
 * scripts/fixtures/export_ref.py, which loaded these very exports into the official module tree
 * with `load_state_dict(strict=True)`): the same deterministic models still give byte-identical
 * files (their sha256) and this project still computes PyTorch's logits. Then the way back: an
 * export imported gives the model file it came from, byte for byte, and the same logits; a
 * state_dict PyTorch wrote (keys sorted, no NAS Lab metadata, BatchNorm statistics moved by a
 * training forward) imports with PyTorch's logits.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dartsStateDict } from '../../src/nas/export/dartsStateDict';
import { exportForPytorch } from '../../src/nas/export/pytorchExport';
import { importFromPytorch } from '../../src/nas/export/pytorchImport';
import { decodeStoredZip } from '../../src/nas/export/storedZip';
import { genotypeToRepr } from '../../src/nas/genotype/genotypeRepr';
import { networkSlots } from '../../src/nas/io/tensorSlots';
import { evalNetwork } from '../../src/nas/retrain/evalNetwork';
import {
  decodeTrainedModel,
  disposeTrainedModel,
  restoreTrainedModel,
} from '../../src/nas/retrain/trainedModel';
import * as tf from '../../src/nas/tensor/tf';
import type { ExportCase } from '../support/exportModels';
import { COVERAGE, EXPORT_CASES, exportCaseModel } from '../support/exportModels';

interface FixtureCase {
  readonly name: string;
  readonly network: string;
  readonly keys: number;
  readonly sha256: string;
  readonly images: [number, number, number, number];
  readonly logits: number[][];
}

interface Fixture {
  readonly cases: FixtureCase[];
  readonly foreign: { file: string; sha256: string; logits: number[][] };
}

const FIXTURES = join(__dirname, '..', 'fixtures');
const fixture = JSON.parse(readFileSync(join(FIXTURES, 'export.json'), 'utf8')) as Fixture;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function fixtureCase(name: string): FixtureCase {
  const found = fixture.cases.find((c) => c.name === name);
  if (!found) throw new Error(`export.json has no case ${name}`);
  return found;
}

/** export_ref.py's images, NCHW there, NHWC here: ((7n + 13c + 3y + 5x) mod 17) / 8 − 1. */
function images([n, c, h, w]: readonly number[]): tf.Tensor4D {
  const values = new Float32Array(n! * h! * w! * c!);
  let i = 0;
  for (let a = 0; a < n!; a++) {
    for (let y = 0; y < h!; y++) {
      for (let x = 0; x < w!; x++) {
        for (let ch = 0; ch < c!; ch++)
          values[i++] = ((7 * a + 13 * ch + 3 * y + 5 * x) % 17) / 8 - 1;
      }
    }
  }
  return tf.tensor4d(values, [n!, h!, w!, c!]);
}

/** Evaluation-mode logits of a model file on the fixture's images. */
async function logitsOf(modelBytes: Uint8Array, shape: readonly number[]): Promise<number[][]> {
  const model = restoreTrainedModel(decodeTrainedModel(modelBytes));
  const x = images(shape);
  try {
    const logits = tf.tidy(
      () =>
        model.net.forward(x, model.weights, { ctx: { training: false, buffers: model.buffers } })
          .logits,
    );
    const out = (await logits.array()) as number[][];
    logits.dispose();
    return out;
  } finally {
    x.dispose();
    disposeTrainedModel(model);
  }
}

function expectClose(actual: number[][], expected: number[][], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, i) =>
    row.forEach((v, j) => expect(Math.abs(v - expected[i]![j]!)).toBeLessThan(tolerance)),
  );
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('the name map', () => {
  it.each(EXPORT_CASES.map((c) => [c.name, c] as [string, ExportCase]))(
    'covers every tensor of the %s network once, in the model file order, with its shape',
    (_, c) => {
      const { genotype, config, data } = c.manifest;
      const net = evalNetwork({
        genotype,
        c: config.channels,
        layers: config.layers,
        numClasses: data.numClasses,
        imageChannels: data.channels,
        auxiliary: config.auxiliary,
        stem: config.stem,
      });
      const entries = dartsStateDict(c.manifest);
      const sources = entries.flatMap((e) => (e.source ? [e.source] : []));
      const weights = sources.filter((s) => s.name.startsWith('weights.'));
      const buffers = sources.filter((s) => s.name.startsWith('buffers.'));
      expect([...weights, ...buffers].map((s) => [s.name, s.shape])).toEqual(
        networkSlots(net).map((s) => [s.name, s.shape]),
      );
      // Five entries per BatchNorm, the counter among them.
      const counters = entries.filter((e) => e.source === null);
      expect(counters.map((e) => e.key)).toEqual(
        entries
          .filter((e) => e.key.endsWith('.running_var'))
          .map((e) => e.key.replace('running_var', 'num_batches_tracked')),
      );
      expect(entries.length).toBe(fixtureCase(c.name).keys);
    },
  );

  it('names the official modules of every op', () => {
    const keys = dartsStateDict(EXPORT_CASES[0]!.manifest).map((e) => e.key);
    expect(keys.slice(0, 6)).toEqual([
      'stem.0.weight',
      'stem.1.weight',
      'stem.1.bias',
      'stem.1.running_mean',
      'stem.1.running_var',
      'stem.1.num_batches_tracked',
    ]);
    expect(keys).toContain('cells.0._ops.0.op.7.running_var'); // sep_conv_5x5's second BN
    expect(keys).toContain('cells.0._ops.3.op.1.weight'); // dil_conv_5x5's depthwise conv
    expect(keys).toContain('cells.0._ops.4.2.weight'); // conv_7x1_1x7's (7,1) conv
    expect(keys).toContain('cells.1._ops.0.conv_2.weight'); // a reducing skip_connect
    expect(keys).toContain('cells.2.preprocess0.conv_1.weight'); // after a reduction cell
    expect(keys.at(-1)).toBe('classifier.bias');
  });
});

describe('export for PyTorch', () => {
  it.each(EXPORT_CASES.map((c) => [c.name, c] as [string, ExportCase]))(
    '%s: writes the file PyTorch loaded and computes its logits',
    async (_, c) => {
      const expected = fixtureCase(c.name);
      const model = exportCaseModel(c);
      const exported = exportForPytorch(model);
      expect(exported.network).toBe(expected.network);
      expect(sha256(exported.safetensors)).toBe(expected.sha256);
      expectClose(await logitsOf(model, expected.images), expected.logits, 1e-4);
    },
  );

  it('zips the weights, the genotype and a README', () => {
    const exported = exportForPytorch(exportCaseModel(EXPORT_CASES[1]!));
    const files = decodeStoredZip(exported.zip);
    expect(files.map((f) => f.name)).toEqual(['model.safetensors', 'genotype.txt', 'README.txt']);
    expect(sha256(files[0]!.data)).toBe(sha256(exported.safetensors));
    const text = (i: number) => new TextDecoder().decode(files[i]!.data);
    expect(text(1)).toBe(`${genotypeToRepr(EXPORT_CASES[1]!.manifest.genotype, 'genotype')}\n`);
    expect(text(2)).toContain('NetworkCIFAR(4, 10, 5, True, genotype)');
    expect(text(2)).toContain('load_state_dict');
  });
});

describe('import from PyTorch', () => {
  it.each(EXPORT_CASES.map((c) => [c.name, c] as [string, ExportCase]))(
    '%s: an export imported is the model file it came from, with the same logits',
    async (_, c) => {
      const model = exportCaseModel(c);
      const exported = exportForPytorch(model);
      const back = importFromPytorch(exported.safetensors, { genotypeText: exported.genotype });
      expect(back.inferred).toBe(false);
      expect(back.bytes.length).toBe(model.length);
      expect(sha256(back.bytes)).toBe(sha256(model));
      const shape = fixtureCase(c.name).images;
      expect(await logitsOf(back.bytes, shape)).toEqual(await logitsOf(model, shape));
    },
  );

  it("reads the state_dict PyTorch saved, without metadata, with PyTorch's logits", async () => {
    const bytes = new Uint8Array(readFileSync(join(FIXTURES, fixture.foreign.file)));
    expect(sha256(bytes)).toBe(fixture.foreign.sha256);
    const imported = importFromPytorch(bytes, {
      genotypeText: genotypeToRepr(COVERAGE),
      imageSize: { height: 16, width: 16 },
    });
    expect(imported.inferred).toBe(true);
    const { config, data, training } = imported.manifest;
    expect([config.channels, config.layers, config.auxiliary, config.stem]).toEqual([
      4,
      3,
      false,
      'cifar',
    ]);
    expect(data).toEqual({ height: 16, width: 16, channels: 3, numClasses: 10 });
    expect(training).toEqual({ epochs: 0, testLoss: 0, testAccuracy: 0 });
    const logits = await logitsOf(imported.bytes, fixtureCase('cifar').images);
    expectClose(logits, fixture.foreign.logits, 1e-4);
    // The training forward moved the statistics: these are not the exported model's logits.
    expect(Math.abs(logits[0]![3]! - fixtureCase('cifar').logits[0]![3]!)).toBeGreaterThan(1e-2);
  });
});
