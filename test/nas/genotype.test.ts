import { describe, expect, it } from 'vitest';
import {
  deriveGenotype,
  genotypeFromJson,
  genotypeToJson,
  parseGenotype,
  stringifyGenotype,
} from '../../src/nas/genotype/genotype';
import { DARTS_PRIMITIVES, parseOpSet } from '../../src/nas/ops/primitives';
import { DARTS_V1, DARTS_V2, NASNET } from '../../src/nas/genotype/publishedGenotypes';
import { loadFixture } from '../support/fixtures';

interface GenotypeCase {
  steps: number;
  primitives: string[];
  alphas: { normal: number[][]; reduce: number[][] };
  genotype: {
    normal: [string, number][];
    normal_concat: number[];
    reduce: [string, number][];
    reduce_concat: number[];
  };
}

const fixture = loadFixture<{ cases: GenotypeCase[] }>('genotype.json');

describe('genotype derivation (official rule)', () => {
  it(`equals the reference rule on ${fixture.cases.length} alpha sets`, () => {
    expect(fixture.cases.length).toBeGreaterThanOrEqual(100);
    for (const [i, c] of fixture.cases.entries()) {
      const g = deriveGenotype(c.alphas.normal, c.alphas.reduce, c.steps, parseOpSet(c.primitives));
      const json = genotypeToJson(g);
      expect({
        case: i,
        normal: json.normal,
        reduce: json.reduce,
        concat: json.normal_concat,
      }).toEqual({
        case: i,
        normal: c.genotype.normal,
        reduce: c.genotype.reduce,
        concat: c.genotype.normal_concat,
      });
    }
  });

  it('never picks none, even where none is the strongest op of every edge', () => {
    const rows = Array.from({ length: 14 }, (_, e) => [5, 0, 0, 0, e % 3 === 0 ? 1 : 0, 0, 0, 0]);
    const g = deriveGenotype(rows, rows, 4, [...DARTS_PRIMITIVES]);
    expect(g.normal.some(([op]) => op === 'none')).toBe(false);
  });
});

describe('genotype JSON', () => {
  it('round-trips the published genotypes', () => {
    for (const g of [DARTS_V1, DARTS_V2, NASNET])
      expect(parseGenotype(stringifyGenotype(g))).toEqual(g);
    const text = stringifyGenotype(DARTS_V2);
    expect(parseGenotype(text)).toEqual(DARTS_V2);
    expect(JSON.parse(text).normal[7]).toEqual(['dil_conv_3x3', 2]);
  });

  it('rejects malformed genotypes with a message naming the problem', () => {
    const good = genotypeToJson(DARTS_V2);
    expect(() => parseGenotype('{"normal": [')).toThrow(/invalid genotype: not valid JSON/);
    expect(() => parseGenotype('[]')).toThrow(/expected a JSON object/);
    expect(() =>
      genotypeFromJson({ ...good, reduce_concat: undefined, format: undefined }),
    ).toThrow(/reduce_concat/);
    const { normal: _drop, ...noNormal } = good;
    expect(() => genotypeFromJson(noNormal)).toThrow(/missing field "normal"/);
    expect(() =>
      genotypeFromJson({
        ...good,
        normal: [
          ['sep_conv_9x9', 0],
          ['skip_connect', 1],
        ],
      }),
    ).toThrow(/normal\[0\] has unknown op "sep_conv_9x9"/);
    expect(() =>
      genotypeFromJson({
        ...good,
        normal: [
          ['skip_connect', 0],
          ['skip_connect', 2],
        ],
      }),
    ).toThrow(/normal\[1\] \(node 0\) reads input 2; it must be an integer from 0 to 1/);
    expect(() => genotypeFromJson({ ...good, reduce: [['skip_connect', 0]] })).toThrow(
      /two edges per node/,
    );
    expect(() => genotypeFromJson({ ...good, normal_concat: [2, 3, 9] })).toThrow(
      /normal_concat\[2\] = 9/,
    );
    expect(() => genotypeFromJson({ ...good, normal_concat: [2, 2] })).toThrow(
      /lists state 2 twice/,
    );
    expect(() => genotypeFromJson({ ...good, format: 'something-else' })).toThrow(/unknown format/);
  });
});

describe('genotype text', () => {
  it('prints one [op, input] pair per line and parses back', () => {
    const text = stringifyGenotype(DARTS_V2);
    expect(text).toContain('\n    ["sep_conv_3x3", 0],\n');
    expect(text).toContain('"normal_concat": [\n    2,');
    expect(parseGenotype(text)).toEqual(DARTS_V2);
  });
});
