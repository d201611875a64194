/**
 * The file formats under the PyTorch export and the refusals of bad input: the safetensors layout
 * (header length, JSON, dtypes, byte ranges), the stored zip (CRC), the layout permutations, the
 * export of what is not a trained model, and imports whose tensors miss, misfit or are extra,
 * each named in the message. Also that the page can use the export: no tfjs on its import chain.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportReadme } from '../../src/nas/export/exportReadme';
import { exportForPytorch } from '../../src/nas/export/pytorchExport';
import { importFromPytorch } from '../../src/nas/export/pytorchImport';
import type { SafeTensor, SafetensorsFile } from '../../src/nas/export/safetensors';
import { decodeSafetensors, encodeSafetensors } from '../../src/nas/export/safetensors';
import { crc32, decodeStoredZip, encodeStoredZip } from '../../src/nas/export/storedZip';
import { fromTorch, toTorch } from '../../src/nas/export/torchLayout';
import { genotypeToRepr } from '../../src/nas/genotype/genotypeRepr';
import { DARTS_V1 } from '../../src/nas/genotype/publishedGenotypes';
import { EXPORT_CASES, exportCaseModel } from '../support/exportModels';

const SMALL: SafetensorsFile = {
  metadata: { note: 'x' },
  tensors: [
    { name: 'w', dtype: 'F32', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, -6.5]) },
    { name: 'n', dtype: 'I64', shape: [], data: BigInt64Array.from([7n]) },
  ],
};

/** A file with a hand-written header and `data` bytes. */
function withHeader(header: unknown, data = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('safetensors', () => {
  it('writes the header length, an 8-aligned JSON header and little-endian data', () => {
    const bytes = encodeSafetensors(SMALL);
    const length = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(length % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as Record<
      string,
      unknown
    >;
    expect(header).toEqual({
      __metadata__: { note: 'x' },
      w: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] },
      n: { dtype: 'I64', shape: [], data_offsets: [24, 32] },
    });
    const data = new DataView(bytes.buffer, 8 + length);
    expect(data.getFloat32(20, true)).toBe(-6.5);
    expect(data.getBigInt64(24, true)).toBe(7n);
    expect(bytes.length).toBe(8 + length + 32);
  });

  it('reads back what it wrote', () => {
    const back = decodeSafetensors(encodeSafetensors(SMALL));
    expect(back.metadata).toEqual(SMALL.metadata);
    expect(
      back.tensors.map((t) => [t.name, t.dtype, t.shape, Array.from<number | bigint>(t.data)]),
    ).toEqual([
      ['w', 'F32', [2, 3], [1, 2, 3, 4, 5, -6.5]],
      ['n', 'I64', [], [7n]],
    ]);
  });

  it.each([
    ['a short file', new Uint8Array(5), /fewer than the 8/],
    ['a header longer than the file', withHeader({}).subarray(0, 9), /does not fit/],
    ['a header that is not JSON', withHeader({}).fill(0x41, 8), /not UTF-8 JSON/],
    ['a list as header', withHeader([]), /not a JSON object/],
    [
      'an F16 tensor',
      withHeader({ h: { dtype: 'F16', shape: [1], data_offsets: [0, 2] } }, new Uint8Array(2)),
      /tensor "h" has dtype "F16"; only F32 and I64/,
    ],
    [
      'offsets that do not fit the shape',
      withHeader({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)),
      /tensor "a" of shape \[2\] and dtype F32 needs 8 bytes, its offsets give 4/,
    ],
    [
      'offsets past the data',
      withHeader({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(4)),
      /tensor "a" has data_offsets \[4, 8\] outside the 4 data bytes/,
    ],
    [
      'a gap',
      withHeader({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)),
      /the data bytes 0–4 belong to no tensor \(before "a"\)/,
    ],
    [
      'an overlap',
      withHeader(
        {
          a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
        },
        new Uint8Array(8),
      ),
      /tensor "b" overlaps/,
    ],
    [
      'trailing bytes',
      withHeader({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(6)),
      /2 bytes after its last tensor/,
    ],
    [
      'metadata that is not strings',
      withHeader({ __metadata__: { a: 1 } }),
      /__metadata__ must map names to strings/,
    ],
  ])('refuses %s', (_, bytes, message) => {
    expect(() => decodeSafetensors(bytes)).toThrow(message);
  });

  it('refuses to write values that do not fill the shape', () => {
    const bad: SafeTensor = { name: 'w', dtype: 'F32', shape: [2, 2], data: new Float32Array(3) };
    expect(() => encodeSafetensors({ metadata: {}, tensors: [bad] })).toThrow(
      /3 F32 values do not fill shape \[2, 2\]/,
    );
  });
});

describe('stored zip', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('reads back its entries and refuses a damaged one', () => {
    const entries = [
      { name: 'a.txt', data: new TextEncoder().encode('hello') },
      { name: 'dir/b.bin', data: Uint8Array.from([0, 1, 2, 255]) },
    ];
    const zip = encodeStoredZip(entries);
    expect(decodeStoredZip(zip).map((e) => [e.name, Array.from(e.data)])).toEqual(
      entries.map((e) => [e.name, Array.from(e.data)]),
    );
    // The end record's central directory (offset, length) ends where the end record starts.
    const tail = new DataView(zip.buffer, zip.length - 22);
    expect(tail.getUint32(16, true) + tail.getUint32(12, true)).toBe(zip.length - 22);
    expect(tail.getUint32(12, true)).toBe(46 * 2 + 'a.txt'.length + 'dir/b.bin'.length);
    // Same files, same bytes: the time stamps are fixed.
    expect(encodeStoredZip(entries)).toEqual(zip);
    const damaged = zip.slice();
    const at = 30 + 'a.txt'.length; // the first byte of "hello"
    damaged[at] = (damaged[at] as number) ^ 1;
    expect(() => decodeStoredZip(damaged)).toThrow(/"a.txt" fails its CRC check/);
    expect(() => decodeStoredZip(new Uint8Array(40))).toThrow(/no end-of-central-directory/);
    expect(() => encodeStoredZip([{ name: '../x', data: new Uint8Array(0) }])).toThrow(
      /relative ASCII path/,
    );
  });
});

describe('layouts', () => {
  it("moves a conv filter [kh, kw, in, out] to PyTorch's [out, in, kh, kw] and back", () => {
    // [1, 2, 2, 3]: value = 100·x + 10·in + out.
    const values = Float32Array.from({ length: 12 }, (_, i) => {
      const [x, cin, out] = [Math.floor(i / 6), Math.floor(i / 3) % 2, i % 3];
      return 100 * x + 10 * cin + out;
    });
    const torch = toTorch(values, [1, 2, 2, 3], 'conv');
    // PyTorch [3, 2, 1, 2]: index ((out·2 + in)·1 + 0)·2 + x.
    expect(Array.from(torch)).toEqual([0, 100, 10, 110, 1, 101, 11, 111, 2, 102, 12, 112]);
    expect(Array.from(fromTorch(torch, [3, 2, 1, 2], 'conv'))).toEqual(Array.from(values));
  });

  it('moves a depthwise filter [kh, kw, C, 1] to [C, 1, kh, kw] and a linear weight [in, out] to [out, in]', () => {
    const dw = Float32Array.from([0, 1, 10, 11, 20, 21, 30, 31]); // [2, 2, 2, 1]: 10·(y·2 + x) + c
    expect(Array.from(toTorch(dw, [2, 2, 2, 1], 'depthwise'))).toEqual([
      0, 10, 20, 30, 1, 11, 21, 31,
    ]);
    const linear = Float32Array.from([1, 2, 3, 4, 5, 6]); // [2, 3]
    expect(Array.from(toTorch(linear, [2, 3], 'linear'))).toEqual([1, 4, 2, 5, 3, 6]);
  });
});

describe('the README', () => {
  it('says what the official code needs changed for this model, and only then', () => {
    const [cifar, cifarAux, imagenet] = EXPORT_CASES.map((c) => c.manifest);
    expect(exportReadme(cifarAux!, 'NetworkCIFAR')).not.toContain('Notes:');
    expect(exportReadme(imagenet!, 'NetworkImageNet')).not.toContain('Notes:');
    const gray = {
      ...cifar!,
      data: { ...cifar!.data, channels: 1 },
      config: { ...cifar!.config, auxiliary: true },
    };
    const notes = exportReadme(gray, 'NetworkCIFAR');
    expect(notes).toContain("first Conv2d's in_channels from 3 to 1 (model.py line 121)");
    expect(notes).toContain('on 16x16 images it must pool to 2x2 to train');
    const small = { ...imagenet!, data: { ...imagenet!.data, height: 64, width: 64 } };
    expect(exportReadme(small, 'NetworkImageNet')).toContain('use nn.AdaptiveAvgPool2d(1)');
    const unknown = { ...cifar!, training: { epochs: 0, testLoss: 0, testAccuracy: 0 } };
    expect(exportReadme(unknown, 'NetworkCIFAR')).toContain('its training is not recorded');
    expect(exportReadme(cifar!, 'NetworkCIFAR')).toContain(
      'Trained 10 epochs on 16x16x3 images in 10 classes; test accuracy then 56.25%',
    );
  });
});

describe('export refusals', () => {
  it('refuses what is not a trained model, naming what it is', () => {
    const genotype = new TextEncoder().encode('{"normal": []}');
    expect(() => exportForPytorch(genotype)).toThrow(/not a NAS Lab model file/);
    const model = exportCaseModel(EXPORT_CASES[0]!);
    expect(() => exportForPytorch(model.subarray(0, model.length - 4))).toThrow(
      /invalid trained model/,
    );
  });
});

describe('import refusals', () => {
  const c = EXPORT_CASES[0]!;
  const exported = exportForPytorch(exportCaseModel(c));
  const file = decodeSafetensors(exported.safetensors);
  const edited = (tensors: readonly SafeTensor[], metadata = file.metadata) =>
    encodeSafetensors({ metadata, tensors });
  const key = 'cells.0._ops.0.op.1.weight';

  it('names a missing tensor', () => {
    const bytes = edited(file.tensors.filter((t) => t.name !== key));
    expect(() => importFromPytorch(bytes)).toThrow(
      `cannot import the safetensors file: it has no tensor "${key}", which NetworkCIFAR of this genotype needs`,
    );
  });

  it('names a tensor of the wrong shape or dtype, and an extra one', () => {
    const reshaped = file.tensors.map((t) => (t.name === key ? { ...t, shape: [20, 1, 1, 5] } : t));
    expect(() => importFromPytorch(edited(reshaped))).toThrow(
      `tensor "${key}" has shape [20, 1, 1, 5]; NetworkCIFAR of this genotype and configuration needs [4, 1, 5, 5]`,
    );
    const counter = 'stem.1.num_batches_tracked';
    const floats = file.tensors.map((t) =>
      t.name === counter ? { ...t, dtype: 'F32' as const, data: new Float32Array(1) } : t,
    );
    expect(() => importFromPytorch(edited(floats))).toThrow(
      `tensor "${counter}" is F32; NetworkCIFAR holds it as I64`,
    );
    const extra = [
      ...file.tensors,
      { name: 'head.weight', dtype: 'F32' as const, shape: [1], data: new Float32Array(1) },
    ];
    expect(() => importFromPytorch(edited(extra))).toThrow(
      `it holds tensor "head.weight", which NetworkCIFAR of this genotype does not have`,
    );
  });

  it('refuses non-finite weights', () => {
    const nan = file.tensors.map((t) =>
      t.name === 'classifier.bias'
        ? { ...t, data: Float32Array.from(t.data as Float32Array, (v, i) => (i === 2 ? NaN : v)) }
        : t,
    );
    expect(() => importFromPytorch(edited(nan))).toThrow(
      'tensor "classifier.bias" holds NaN at index 2',
    );
  });

  it('needs the genotype without metadata, and refuses one the export was not made with', () => {
    const bare = edited(file.tensors, {});
    expect(() => importFromPytorch(bare)).toThrow(
      /no NAS Lab metadata, so the genotype must be given/,
    );
    expect(() =>
      importFromPytorch(exported.safetensors, {
        genotypeText: genotypeToRepr(DARTS_V1),
        genotypeFile: 'g.txt',
      }),
    ).toThrow('g.txt is not the genotype the file was exported with');
    // A genotype with other ops names the first tensor that does not fit it.
    expect(() =>
      importFromPytorch(bare, {
        genotypeText: genotypeToRepr(DARTS_V1),
        imageSize: { height: 16, width: 16 },
      }),
    ).toThrow(
      'tensor "cells.0._ops.0.op.1.weight" has shape [4, 1, 5, 5]; NetworkCIFAR of this genotype and configuration needs [4, 1, 3, 3]',
    );
  });
});

describe('the page can export', () => {
  const ROOT = resolve(__dirname, '..', '..');

  /** Every module `entry` reaches through value imports (type-only imports excluded). */
  function reached(entry: string, seen = new Set<string>()): Set<string> {
    if (seen.has(entry)) return seen;
    seen.add(entry);
    const text = readFileSync(entry, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?[^;]*?\sfrom\s+'([^']+)'/gms)) {
      const specifier = m[2] as string;
      if (m[1] !== undefined) continue;
      if (!specifier.startsWith('.')) {
        seen.add(specifier);
        continue;
      }
      const base = resolve(dirname(entry), specifier);
      const file = [`${base}.ts`, `${base}.tsx`].find((f) => existsSync(f));
      if (file) reached(file, seen);
    }
    return seen;
  }

  it('reaches no tfjs from the export and import modules', () => {
    for (const module of ['pytorchExport.ts', 'pytorchImport.ts']) {
      const modules = [...reached(join(ROOT, 'src', 'nas', 'export', module))];
      expect(
        modules.filter((m) => m.startsWith('@tensorflow/') || m.endsWith(join('tensor', 'tf.ts'))),
      ).toEqual([]);
      expect(modules).toContain(join(ROOT, 'src', 'nas', 'export', 'safetensors.ts'));
    }
    // The walk does see tfjs where a module imports it.
    const engine = reached(join(ROOT, 'src', 'nas', 'retrain', 'trainedModel.ts'));
    expect(engine.has(join(ROOT, 'src', 'nas', 'tensor', 'tf.ts'))).toBe(true);
  });
});
