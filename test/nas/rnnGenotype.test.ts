import { describe, expect, it } from 'vitest';
import {
  deriveRnnGenotype,
  parseRnnGenotype,
  rnnGenotypeFromJson,
  rnnGenotypeToJson,
  stringifyRnnGenotype,
} from '../../src/nas/rnn/genotype/rnnGenotype';
import type { RnnGenotype } from '../../src/nas/rnn/genotype/rnnGenotype';
import {
  parseNamedRnnGenotypeRepr,
  parseRnnGenotypeRepr,
  rnnGenotypeToRepr,
} from '../../src/nas/rnn/genotype/rnnGenotypeRepr';
import {
  formatRnnGenotype,
  importRnnGenotypeText,
} from '../../src/nas/rnn/genotype/rnnGenotypeText';
import { RNN_PRIMITIVES } from '../../src/nas/rnn/model/rnnPrimitives';
import {
  RNN_DARTS_V2,
  RNN_PUBLISHED_GENOTYPES,
  type RnnPublishedGenotypeName,
} from '../../src/nas/rnn/genotype/rnnPublishedGenotypes';
import { loadFixture } from '../support/fixtures';

interface RnnGenotypeJsonCase {
  recurrent: [string, number][];
  concat: number[];
}

interface RnnGenotypeFixture {
  primitives: string[];
  genotypes: { kind: string; steps: number; alphas: number[][]; genotype: RnnGenotypeJsonCase }[];
  published: { name: string; source: string; json: RnnGenotypeJsonCase; repr: string }[];
}

const fx = loadFixture<RnnGenotypeFixture>('rnn.json');

describe('recurrent genotype derivation (official rule of rnn/model_search.py)', () => {
  it(`equals the reference rule on ${fx.genotypes.length} alpha sets`, () => {
    expect(fx.primitives).toEqual([...RNN_PRIMITIVES]);
    expect(fx.genotypes.length).toBeGreaterThanOrEqual(100);
    // The cases include ties (binary and template rows), all-equal rows and none-dominant rows.
    expect(new Set(fx.genotypes.map((c) => c.kind))).toEqual(
      new Set(['random', 'templates', 'binary', 'none_max', 'all_equal', 'mixed_equal']),
    );
    for (const [i, c] of fx.genotypes.entries()) {
      const json = rnnGenotypeToJson(deriveRnnGenotype(c.alphas, c.steps));
      expect({ case: i, recurrent: json.recurrent, concat: json.concat }).toEqual({
        case: i,
        ...c.genotype,
      });
    }
  });

  it('never picks none and takes the lower predecessor and the earlier op on ties', () => {
    // Every row: none strongest, then tanh and relu equal.
    const rows = Array.from({ length: 36 }, () => [3, 1, 1, 0, 0]);
    const g = deriveRnnGenotype(rows);
    expect(g.recurrent).toEqual(Array.from({ length: 8 }, () => ['tanh', 0]));
    expect(g.concat).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('refuses alphas of the wrong size', () => {
    expect(() => deriveRnnGenotype([[0, 0, 0, 0, 0]])).toThrow(/36 edges, the alphas have 1 rows/);
    expect(() => deriveRnnGenotype([[0, 0, 0]], 1)).toThrow(/3 entries for 5 ops/);
  });
});

describe('published recurrent genotypes', () => {
  it('are the ones rnn/genotypes.py evaluates to, and read back from its statements', () => {
    expect(fx.published.map((p) => p.name).sort()).toEqual(
      Object.keys(RNN_PUBLISHED_GENOTYPES).sort(),
    );
    for (const p of fx.published) {
      const preset = RNN_PUBLISHED_GENOTYPES[p.name as RnnPublishedGenotypeName];
      expect(rnnGenotypeFromJson(p.json)).toEqual(preset);
      const { name, genotype } = parseNamedRnnGenotypeRepr(p.source);
      expect(name).toBe(p.name);
      expect(genotype).toEqual(preset);
    }
    expect(RNN_DARTS_V2.recurrent[5]).toEqual(['sigmoid', 5]);
  });

  it("are written exactly as Python's repr of the namedtuple, and round-trip", () => {
    for (const p of fx.published) {
      const preset = RNN_PUBLISHED_GENOTYPES[p.name as RnnPublishedGenotypeName];
      expect(rnnGenotypeToRepr(preset)).toBe(p.repr);
      expect(parseRnnGenotypeRepr(p.repr)).toEqual(preset);
      expect(parseRnnGenotype(stringifyRnnGenotype(preset))).toEqual(preset);
      const named = rnnGenotypeToRepr(preset, p.name);
      expect(parseNamedRnnGenotypeRepr(named)).toEqual({ name: p.name, genotype: preset });
    }
  });

  it('JSON keeps DARTS field names and one [op, input] pair per line', () => {
    const text = stringifyRnnGenotype(RNN_DARTS_V2);
    const json = JSON.parse(text);
    expect(json.format).toBe('nas-lab.rnn-genotype');
    expect(json.version).toBe(1);
    expect(json.recurrent[0]).toEqual(['sigmoid', 0]);
    expect(text).toContain('    ["sigmoid", 0],\n');
  });
});

describe('recurrent genotype texts', () => {
  const v2 = RNN_DARTS_V2;

  it('detects JSON and repr, and writes both for download', () => {
    const json = importRnnGenotypeText(formatRnnGenotype(v2, 'json'));
    expect(json).toEqual({ genotype: v2, format: 'json', name: null });
    const repr = importRnnGenotypeText(formatRnnGenotype(v2, 'repr', 'MY_CELL'));
    expect(repr).toEqual({ genotype: v2, format: 'repr', name: 'MY_CELL' });
    expect(formatRnnGenotype(v2, 'repr')).toBe(
      "Genotype(recurrent=[('sigmoid', 0), ('relu', 1), ('relu', 1), ('identity', 1), " +
        "('tanh', 2), ('sigmoid', 5), ('tanh', 3), ('relu', 5)], concat=range(1, 9))\n",
    );
    expect(() => importRnnGenotypeText('{"recurrent": [], "concat": [1]}', 'cell.json')).toThrow(
      /^cell\.json: invalid recurrent genotype: "recurrent" is empty/,
    );
  });

  it('reads other valid layouts: positional fields, double quotes, comments, lists', () => {
    const text = `# searched
Genotype(
  [("tanh", 0), ('relu', 1,),],   # genes
  [1, 2],
)`;
    expect(parseRnnGenotypeRepr(text)).toEqual({
      recurrent: [
        ['tanh', 0],
        ['relu', 1],
      ],
      concat: [1, 2],
    });
    expect(parseRnnGenotypeRepr("Genotype(concat=range(2), recurrent=[('identity', 0)])")).toEqual({
      recurrent: [['identity', 0]],
      concat: [0, 1],
    });
  });

  const invalidJson: [string, unknown, RegExp][] = [
    ['a CNN genotype', { format: 'nas-lab.genotype' }, /convolutional genotype/],
    ['another version', { version: 2, recurrent: [], concat: [] }, /unknown version 2/],
    ['no concat', { recurrent: [['tanh', 0]] }, /missing field "concat"/],
    ['none as op', { recurrent: [['none', 0]], concat: [1] }, /none has no activation/],
    ['unknown op', { recurrent: [['gelu', 0]], concat: [1] }, /op "gelu"/],
    ['input ahead', { recurrent: [['tanh', 1]], concat: [1] }, /reads state 1; .* from 0 to 0/],
    ['fractional input', { recurrent: [['tanh', 0.5]], concat: [1] }, /reads state 0.5/],
    ['concat too far', { recurrent: [['tanh', 0]], concat: [2] }, /concat\[0\] = 2/],
    ['concat repeated', { recurrent: [['tanh', 0]], concat: [1, 1] }, /lists state 1 twice/],
    ['an array', [], /expected a JSON object/],
  ];
  for (const [what, value, message] of invalidJson) {
    it(`JSON: refuses ${what}`, () => {
      expect(() => rnnGenotypeFromJson(value)).toThrow(message);
    });
  }

  const hostile: [string, RegExp][] = [
    ["__import__('os').system('rm -rf /')", /names containing '__'/],
    [
      "Genotype(recurrent=[('tanh', 0)], concat=range(1, 2)); import os",
      /unexpected character ';'/,
    ],
    ["Genotype(recurrent=[('tanh', 0)], concat=os.getcwd())", /attribute access/],
    ["Genotype(recurrent=[('tanh', 0)], concat=getcwd())", /only range\(\.\.\.\) may be called/],
    ["Genotype(recurrent=[(f'{x}', 0)], concat=[1])", /string prefix f/],
    ["Genotype(recurrent=[('tan\\x68', 0)], concat=[1])", /escape sequences/],
    ["Genotype(recurrent=[('tanh', 0)], concat=range(0, 999999))", /longer than 65/],
    ["Genotype(recurrent=[('tanh', 0)], concat=[1]).recurrent", /attribute access/],
    ['eval("Genotype(recurrent=[], concat=[])")', /expected Genotype\(\.\.\.\)/],
    ['Genotype(recurrent=[lambda: 0], concat=[1])', /unexpected character ':'/],
    ['Genotype(recurrent=[print], concat=[1])', /expected a gene/],
    ["Genotype(recurrent=[('tanh', 0)], concat=[1], extra=[])", /unknown field extra/],
    ["Genotype(normal=[('tanh', 0)], concat=[1])", /convolutional genotype/],
    ["Genotype(recurrent=[('none', 0)], concat=[1])", /none has no activation/],
    ["Genotype(recurrent=[('tanh', 0)], recurrent=[], concat=[1])", /given twice/],
    ["Genotype(recurrent=[('tanh', 0)])", /missing concat/],
    ["Genotype(recurrent=[('tanh', 0)], concat=[1]) Genotype()", /end of the text/],
    ["Genotype(recurrent=[('tanh', 0)], concat=[1.5])", /only plain decimal integers/],
    ['x'.repeat(70_000), /limited to 65536/],
  ];
  for (const [text, message] of hostile) {
    it(`repr: refuses ${text.slice(0, 60)}`, () => {
      expect(() => parseRnnGenotypeRepr(text)).toThrow(message);
    });
  }

  it('repr: too many genes is refused before the list is read to its end', () => {
    const genes = Array.from({ length: 65 }, () => "('tanh', 0)").join(', ');
    expect(() => parseRnnGenotypeRepr(`Genotype(recurrent=[${genes}], concat=[1])`)).toThrow(
      /more than 64 genes/,
    );
  });

  it('writer refuses names that are not plain identifiers and invalid genotypes', () => {
    expect(() => rnnGenotypeToRepr(v2, 'a.b')).toThrow(/not a plain Python identifier/);
    expect(() => rnnGenotypeToRepr(v2, '__x')).toThrow(/not a plain Python identifier/);
    const bad = { recurrent: [['tanh', 3]], concat: [1] } as unknown as RnnGenotype;
    expect(() => rnnGenotypeToRepr(bad)).toThrow(/reads state 3/);
  });
});
