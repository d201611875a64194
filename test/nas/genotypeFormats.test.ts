import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Genotype } from '../../src/nas/genotype/genotype';
import {
  genotypeFromJson,
  genotypeToJson,
  stringifyGenotype,
} from '../../src/nas/genotype/genotype';
import {
  formatGenotype,
  GENOTYPE_TEXT_FORMATS,
  type GenotypeTextFormat,
  importGenotypeText,
  parseGenotypeAny,
} from '../../src/nas/genotype/genotypeFormats';
import { genotypeToRepr } from '../../src/nas/genotype/genotypeRepr';
import {
  CDARTS_CIFAR,
  DARTS_V2,
  PUBLISHED_GENOTYPES,
  type PublishedGenotypeName,
} from '../../src/nas/genotype/publishedGenotypes';
import { Rng } from '../../src/nas/tensor/random';
import { formatsFixture } from '../support/genotypeFormatsFixture';
import { sortGenesPerNode } from '../support/genotypeOrder';
import { mutateText } from '../support/mutate';

const published = Object.entries(PUBLISHED_GENOTYPES) as [PublishedGenotypeName, Genotype][];

describe('genotype formats: detection and round trips', () => {
  it('writes and reads back every published genotype in every format it fits', () => {
    for (const [name, g] of published) {
      const nniFits = formatsFixture.published.find((p) => p.name === name)?.nni !== null;
      for (const format of GENOTYPE_TEXT_FORMATS) {
        if (format === 'nni' && !nniFits) {
          expect(() => formatGenotype(g, format)).toThrow(/cannot express this genotype/);
          continue;
        }
        const imported = importGenotypeText(formatGenotype(g, format));
        expect({ name, format: imported.format }).toEqual({ name, format });
        expect({ name, format, g: imported.genotype }).toEqual({
          name,
          format,
          g: format === 'nni' ? sortGenesPerNode(g) : g,
        });
      }
    }
  });

  it('writes each format as its source does', () => {
    expect(formatGenotype(DARTS_V2, 'json')).toBe(stringifyGenotype(DARTS_V2));
    const repr = formatsFixture.published.find((p) => p.name === 'DARTS_V2')?.repr;
    expect(formatGenotype(DARTS_V2, 'repr')).toBe(`${repr}\n`);
    expect(formatGenotype(DARTS_V2, 'nni')).toBe(formatsFixture.nni.dartsV2);
    expect(() => formatGenotype(DARTS_V2, 'yaml' as GenotypeTextFormat)).toThrow(
      /unknown genotype format "yaml"; use json, repr, nni/,
    );
  });

  it('reads the upstream statements, NNI exports and DARTS-field JSON', () => {
    for (const entry of formatsFixture.published) {
      const imported = importGenotypeText(entry.source, `${entry.name}.py`);
      expect(imported.format).toBe('repr');
      expect(imported.genotype).toEqual(PUBLISHED_GENOTYPES[entry.name as PublishedGenotypeName]);
    }
    expect(importGenotypeText(formatsFixture.nni.rawBoolDartsV2).format).toBe('nni');
    const dartsFields = JSON.stringify(genotypeFromJsonFields(DARTS_V2));
    expect(importGenotypeText(dartsFields)).toEqual({
      genotype: DARTS_V2,
      format: 'json',
      name: null,
    });
    expect(importGenotypeText(`\uFEFF${stringifyGenotype(DARTS_V2)}`).genotype).toEqual(DARTS_V2);
  });

  it("reads CDARTS's cells JSON when every stage holds the same genotype", () => {
    const entry = formatsFixture.published.find((p) => p.name === 'CDARTS_cifar');
    const cells = entry?.cellsJson ?? '';
    expect(Object.keys(JSON.parse(cells))).toEqual(['0', '1', '2']);
    expect(importGenotypeText(cells)).toEqual({
      genotype: CDARTS_CIFAR,
      format: 'cdarts-cells',
      name: null,
    });
    const mixed = JSON.stringify({
      '0': genotypeToRepr(CDARTS_CIFAR),
      '1': genotypeToRepr(DARTS_V2),
    });
    expect(() => parseGenotypeAny(mixed)).toThrow(
      /CDARTS cells stage "1" differs from stage "0"; this project uses one genotype for every cell/,
    );
    const broken = JSON.stringify({ '0': 'Genotype(normal=[)' });
    expect(() => parseGenotypeAny(broken)).toThrow(/CDARTS cells stage "0": invalid genotype repr/);
  });
});

/** DARTS's field names without this project's format marker. */
function genotypeFromJsonFields(g: Genotype): Record<string, unknown> {
  const { format: _format, version: _version, ...fields } = genotypeToJson(g);
  return fields;
}

describe('genotype formats: refusing', () => {
  it('says which formats it expected when none fits', () => {
    expect(() => parseGenotypeAny('{"alphas": [1, 2]}')).toThrow(
      /unrecognised genotype JSON \(keys alphas\): expected this project's genotype JSON/,
    );
    expect(() => parseGenotypeAny('normal: sep_conv_3x3')).toThrow(
      /unrecognised genotype text: expected genotype JSON, NNI architecture JSON or a Python Genotype\(\.\.\.\) repr/,
    );
    expect(() => parseGenotypeAny('[1, 2]')).toThrow(/must hold an object, not a list/);
    expect(() => parseGenotypeAny('{"normal": [}')).toThrow(
      /starts like JSON but is not valid JSON/,
    );
    expect(() => parseGenotypeAny(' \n ')).toThrow(/the genotype text is empty/);
    expect(() => parseGenotypeAny('{"format": "other"}')).toThrow(/unknown format "other"/);
  });

  it('names the file in its messages', () => {
    expect(() => parseGenotypeAny('{"normal_n2_p0": []}', 'epoch_49.json')).toThrow(
      /^epoch_49\.json: invalid NNI architecture: missing keys normal_n2_p1/,
    );
  });

  it('checks the size before parsing', () => {
    const huge = `{"normal": [${'["sep_conv_3x3", 0], '.repeat(4000)}]}`;
    expect(() => parseGenotypeAny(huge, 'big.json')).toThrow(
      /^big\.json: the file is \d+ characters long; genotype texts are limited to 65536/,
    );
  });

  it('contains no evaluation of any kind', () => {
    for (const file of [
      'genotypeRepr.ts',
      'genotypeReprTokens.ts',
      'nniArchitecture.ts',
      'genotypeFormats.ts',
    ]) {
      const source = readFileSync(
        join(__dirname, '..', '..', 'src', 'nas', 'genotype', file),
        'utf8',
      );
      expect({ file, evaluates: /\beval\s*\(|new Function|import\s*\(/.test(source) }).toEqual({
        file,
        evaluates: false,
      });
    }
  });
});

describe('genotype formats: fuzzing', () => {
  const SNIPPETS = [
    '(',
    ')',
    '[',
    ']',
    ',',
    '=',
    "'",
    '"',
    '#',
    '\\',
    '_',
    '__',
    '-',
    '.',
    ':',
    '{',
    '}',
    ' ',
    '\n',
    '0',
    '1',
    '7',
    '99',
    '1.5',
    'range',
    'Genotype',
    'lambda',
    'true',
    'null',
    '[]',
    '"maxpool"',
    "'none'",
    'normal',
    'reduce_concat=',
    'normal_n2_p0',
    'f',
    '\u0000',
    '\uFEFF',
  ];

  /** Edits that keep the text well-formed most of the time: the fuzz must reach both outcomes. */
  function gentle(text: string, rng: Rng): string {
    switch (rng.int(3)) {
      case 0:
        return text.replace(/\d/g, (d) => (rng.next() < 0.15 ? String(rng.int(8)) : d));
      case 1:
        return text.replace(/,/g, (c) => (rng.next() < 0.3 ? `${c}\n  ` : c));
      default:
        return text.replace(/'/g, '"');
    }
  }

  const destructive = (text: string, rng: Rng): string => mutateText(text, rng, SNIPPETS);

  const mutate = (text: string, rng: Rng): string =>
    rng.next() < 0.4 ? gentle(text, rng) : destructive(text, rng);

  it('either reads a valid genotype or throws a plain Error with a message, for 600 mutations', () => {
    const seeds: string[] = [];
    for (const entry of formatsFixture.published) {
      seeds.push(entry.source, entry.repr);
      if (entry.nni !== null) seeds.push(entry.nni);
      seeds.push(stringifyGenotype(genotypeFromJson(entry.json)));
    }
    seeds.push(formatsFixture.nni.rawBoolDartsV2, formatsFixture.nni.oneShotDartsV2);
    const rng = Rng.fromSeed(20240605);
    let read = 0;
    let refused = 0;
    const started = Date.now();
    for (let i = 0; i < 600; i++) {
      const text = mutate(seeds[rng.int(seeds.length)] as string, rng);
      let genotype: Genotype | null = null;
      try {
        genotype = parseGenotypeAny(text);
      } catch (e) {
        expect({ text, type: (e as object).constructor }).toEqual({ text, type: Error });
        expect((e as Error).message.length).toBeGreaterThan(10);
        refused++;
      }
      if (genotype !== null) {
        read++;
        // Valid by the project's own rules, and writable/readable again.
        expect(genotypeFromJson(genotypeToJson(genotype))).toEqual(genotype);
        expect(parseGenotypeAny(genotypeToRepr(genotype))).toEqual(genotype);
      }
    }
    expect(read).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(300);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
