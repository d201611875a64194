import { describe, expect, it } from 'vitest';
import { genotypeFromJson } from '../../src/nas/genotype/genotype';
import {
  genotypeToRepr,
  parseGenotypeRepr,
  parseNamedGenotypeRepr,
} from '../../src/nas/genotype/genotypeRepr';
import {
  AMOEBANET,
  DARTS_V2,
  NASNET,
  PUBLISHED_GENOTYPES,
  type PublishedGenotypeName,
} from '../../src/nas/genotype/publishedGenotypes';
import { formatsFixture } from '../support/genotypeFormatsFixture';

/** DARTS_V2 as `cnn/genotypes.py` writes it (both concats [2, 3, 4, 5]). */
const DARTS_V2_SOURCE =
  "DARTS_V2 = Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), " +
  "('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), " +
  "('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), " +
  "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), " +
  "('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])";

const VALID =
  "Genotype(normal=[('sep_conv_3x3', 0), ('skip_connect', 1)], normal_concat=[2], " +
  "reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1)], reduce_concat=[2])";

describe('Python genotype repr: reading', () => {
  it("reads DARTS_V2 exactly as DARTS's genotypes.py writes it", () => {
    const { name, genotype } = parseNamedGenotypeRepr(DARTS_V2_SOURCE);
    expect(name).toBe('DARTS_V2');
    expect(genotype).toEqual(DARTS_V2);
    expect(genotype.normal[7]).toEqual(['dil_conv_3x3', 2]);
    expect(genotype.reduceConcat).toEqual([2, 3, 4, 5]);
  });

  it('reads every published statement as Python evaluates it (upstream layouts)', () => {
    expect(formatsFixture.published.map((p) => p.name).sort()).toEqual(
      Object.keys(PUBLISHED_GENOTYPES).sort(),
    );
    for (const entry of formatsFixture.published) {
      const published = PUBLISHED_GENOTYPES[entry.name as PublishedGenotypeName];
      const { name, genotype } = parseNamedGenotypeRepr(entry.source);
      expect({ entry: entry.name, genotype }).toEqual({ entry: entry.name, genotype: published });
      expect(genotype).toEqual(genotypeFromJson(entry.json));
      // CDARTS's strings are unnamed; the genotypes.py statements assign their own name.
      expect(name).toBe(entry.name.startsWith('CDARTS') ? null : entry.name);
    }
  });

  it('reads the multi-line NASNet/AmoebaNet layout (spaces around =, trailing commas)', () => {
    const nasnet = formatsFixture.published.find((p) => p.name === 'NASNet');
    expect(nasnet?.source).toContain('\n  normal = [\n');
    expect(parseGenotypeRepr(nasnet?.source ?? '')).toEqual(NASNET);
    const amoeba = formatsFixture.published.find((p) => p.name === 'AmoebaNet');
    expect(parseGenotypeRepr(amoeba?.source ?? '')).toEqual(AMOEBANET);
  });

  it('reads other valid layouts the same way Python does', () => {
    // Double quotes, positional arguments, comments, nested genes, trailing commas, CRLF.
    for (const v of formatsFixture.variants) {
      expect({ source: v.source, g: parseGenotypeRepr(v.source) }).toEqual({
        source: v.source,
        g: genotypeFromJson(v.json),
      });
    }
  });

  it('reads the nested pt.darts/CDARTS form like the flat one', () => {
    const nested =
      "Genotype(normal=[[('sep_conv_3x3', 0), ('skip_connect', 1)]], normal_concat=range(2, 3), " +
      "reduce=[[('max_pool_3x3', 0), ('max_pool_3x3', 1)]], reduce_concat=range(2, 3))";
    expect(parseGenotypeRepr(nested)).toEqual(parseGenotypeRepr(VALID));
  });
});

describe('Python genotype repr: writing', () => {
  it("writes Python's own repr of every published genotype, and reads it back", () => {
    for (const entry of formatsFixture.published) {
      const g = PUBLISHED_GENOTYPES[entry.name as PublishedGenotypeName];
      const text = genotypeToRepr(g);
      expect(text).toBe(entry.repr);
      expect(parseGenotypeRepr(text)).toEqual(g);
    }
  });

  it('writes range(a, b) for a contiguous concat and a list otherwise', () => {
    expect(genotypeToRepr(DARTS_V2)).toContain('normal_concat=range(2, 6)');
    expect(genotypeToRepr(NASNET)).toContain('normal_concat=range(2, 7)');
    expect(genotypeToRepr(NASNET)).toContain('reduce_concat=range(4, 7))');
    expect(genotypeToRepr(AMOEBANET)).toContain('reduce_concat=[3, 4, 6])');
    const single = parseGenotypeRepr(VALID);
    expect(genotypeToRepr(single)).toContain('normal_concat=[2]');
  });

  it('writes a named statement that reads back with its name', () => {
    const text = genotypeToRepr(DARTS_V2, 'MY_CELL');
    expect(text.startsWith('MY_CELL = Genotype(normal=[')).toBe(true);
    expect(parseNamedGenotypeRepr(text)).toEqual({ name: 'MY_CELL', genotype: DARTS_V2 });
    expect(() => genotypeToRepr(DARTS_V2, 'os.system')).toThrow(/not a plain Python identifier/);
    expect(() => genotypeToRepr(DARTS_V2, '__x__')).toThrow(/not a plain Python identifier/);
  });
});

describe('Python genotype repr: refusing', () => {
  const cases: [string, string, RegExp][] = [
    ['an __import__ call', "__import__('os').system('x')", /names containing '__'.*__import__/],
    [
      'a call in a gene',
      "Genotype(normal=[(open('f'), 0)], normal_concat=[2], reduce=[], reduce_concat=[2])",
      /expected the op name of a gene in normal, as a quoted string, found name open/,
    ],
    [
      'a lambda',
      'Genotype(normal=lambda: [], normal_concat=[2], reduce=[], reduce_concat=[2])',
      /unexpected character ':'/,
    ],
    [
      'an f-string',
      "Genotype(normal=[(f'{x}', 0), ('skip_connect', 1)], normal_concat=[2], reduce=[], reduce_concat=[2])",
      /string prefix f is not allowed/,
    ],
    [
      'a nested call in a concat',
      'Genotype(normal=[], normal_concat=list(range(2, 6)), reduce=[], reduce_concat=[2])',
      /only range\(\.\.\.\) may be called in normal_concat, found list/,
    ],
    [
      'a call inside range',
      "Genotype(normal=[], normal_concat=range(len('ab'), 6), reduce=[], reduce_concat=[2])",
      /expected an integer in range\(\.\.\.\), found name len/,
    ],
    [
      'a call in place of the gene list',
      'Genotype(normal=eval("1"), normal_concat=[2], reduce=[], reduce_concat=[2])',
      /expected a list of genes for normal, found name eval/,
    ],
    [
      'attribute access',
      'genotypes.Genotype(normal=[])',
      /unexpected character '\.' \(attribute access/,
    ],
    ['a second statement', `${VALID}; import os`, /unexpected character ';'/],
    [
      'code after the call',
      `${VALID}\nimport os`,
      /expected the end of the text after Genotype\(\.\.\.\), found name import/,
    ],
    ['a whole Python file', 'from collections import namedtuple\n' + VALID, /not a Python file/],
    [
      'another callee',
      "DARTS = dict(normal=[('sep_conv_3x3', 0)])",
      /expected Genotype\(\.\.\.\), found name dict/,
    ],
    ['an alias', 'DARTS = DARTS_V2', /expected Genotype\(\.\.\.\), found name DARTS_V2/],
    [
      'empty text',
      '   \n',
      /expected Genotype\(\.\.\.\) or NAME = Genotype\(\.\.\.\), found end of input/,
    ],
    [
      'a missing closing parenthesis',
      VALID.slice(0, -1),
      /expected ',' or '\)' in the arguments of Genotype\(\.\.\.\), found end of input/,
    ],
    [
      'a missing closing bracket',
      VALID.replace('1)], normal_concat', '1), normal_concat'),
      /expected a gene \('op', input\) in normal, found name normal_concat/,
    ],
    [
      'an extra closing bracket',
      VALID.replace('[2], reduce=', '[2]], reduce='),
      /expected ',' or '\)' in the arguments of Genotype\(\.\.\.\), found '\]'/,
    ],
    ['an unterminated string', "Genotype(normal=[('sep_conv_3x3, 0)])", /unterminated string/],
    ['an escape sequence', "Genotype(normal=[('sep\\x5fconv', 0)])", /escape sequences/],
    ['a triple-quoted string', "Genotype(normal=[('''x''', 0)])", /triple-quoted/],
    [
      'a float index',
      VALID.replace("'skip_connect', 1", "'skip_connect', 1.0"),
      /only plain decimal integers/,
    ],
    [
      'a hex index',
      VALID.replace("'skip_connect', 1", "'skip_connect', 0x1"),
      /only plain decimal integers/,
    ],
    [
      'a boolean index',
      VALID.replace("'skip_connect', 1", "'skip_connect', True"),
      /input index of a gene in normal, an integer, found name True/,
    ],
    [
      'a line continuation',
      VALID.replace('normal_concat', '\\\nnormal_concat'),
      /line continuations/,
    ],
    ['a dict', "Genotype(**{'normal': []})", /unexpected character '\*'/],
    [
      'a field given twice',
      VALID.replace('reduce_concat=[2]', 'normal=[]'),
      /field normal is given twice/,
    ],
    [
      'an unknown field',
      VALID.replace('reduce_concat=[2]', 'reduce_concat=[2], extra=[2]'),
      /unknown field extra/,
    ],
    [
      'a missing field',
      VALID.replace(', reduce_concat=[2]', ''),
      /Genotype\(\.\.\.\) is missing reduce_concat/,
    ],
    [
      'positional after keyword',
      VALID.replace('reduce_concat=[2]', '[2]'),
      /positional argument after keyword/,
    ],
    [
      'a step in range',
      VALID.replace('normal_concat=[2]', 'normal_concat=range(2, 6, 1)'),
      /only range\(stop\) and range\(start, stop\)/,
    ],
    [
      'a huge range',
      VALID.replace('normal_concat=[2]', 'normal_concat=range(0, 999999)'),
      /longer than 64/,
    ],
    ['a long string', VALID.replace('sep_conv_3x3', 'x'.repeat(100)), /string longer than 64/],
    [
      'an unknown op',
      VALID.replace('sep_conv_3x3', 'sep_conv_9x9'),
      /invalid genotype: normal\[0\] has unknown op "sep_conv_9x9"/,
    ],
    [
      'an input out of range',
      VALID.replace("'skip_connect', 1", "'skip_connect', 2"),
      /normal\[1\] \(node 0\) reads input 2; it must be an integer from 0 to 1/,
    ],
    [
      'a negative input',
      VALID.replace("'skip_connect', 1", "'skip_connect', -1"),
      /normal\[1\] \(node 0\) reads input -1/,
    ],
    [
      'an odd gene count',
      VALID.replace(", ('skip_connect', 1)", ''),
      /"normal" must hold two edges per node \(an even, non-zero count\), got 1/,
    ],
    [
      'a nested node with 3 genes',
      VALID.replace(
        "normal=[('sep_conv_3x3', 0), ('skip_connect', 1)]",
        "normal=[[('sep_conv_3x3', 0), ('skip_connect', 1), ('skip_connect', 0)]]",
      ),
      /node 0 of normal lists 3 genes; each node takes exactly 2 inputs/,
    ],
    [
      'flat and nested mixed',
      VALID.replace(
        "normal=[('sep_conv_3x3', 0), ('skip_connect', 1)]",
        "normal=[('sep_conv_3x3', 0), [('skip_connect', 1)]]",
      ),
      /expected a gene \('op', input\) in normal, found '\['/,
    ],
    [
      'a concat index out of range',
      VALID.replace('normal_concat=[2]', 'normal_concat=[2, 3]'),
      /normal_concat\[1\] = 3 is not a state index from 0 to 2/,
    ],
    [
      'an empty concat',
      VALID.replace('normal_concat=[2]', 'normal_concat=range(2, 2)'),
      /"normal_concat" must be a non-empty list/,
    ],
  ];

  it.each(cases)('refuses %s with a message', (_what, text, message) => {
    expect(() => parseGenotypeRepr(text)).toThrow(message);
  });

  it('names the line and column of the offending token', () => {
    const text = `DARTS_V2 = Genotype(\n  normal=[(open('f'), 0)],\n)`;
    const column = text.split('\n')[1]!.indexOf('open') + 1;
    expect(() => parseGenotypeRepr(text)).toThrow(
      `invalid genotype repr at line 2, column ${column}: expected the op name`,
    );
  });

  it('refuses a huge input before tokenizing it', () => {
    const huge = `Genotype(normal=[${"('sep_conv_3x3', 0), ".repeat(4000)}])`;
    expect(huge.length).toBeGreaterThan(64 * 1024);
    expect(() => parseGenotypeRepr(huge)).toThrow(/limited to 65536 \(64 KiB\)/);
  });
});
