import { describe, expect, it } from 'vitest';
import type { Genotype } from '../../src/nas/genotype/genotype';
import {
  formatNniArchitecture,
  genotypeFromNni,
  genotypeToNni,
  parseNniArchitecture,
} from '../../src/nas/genotype/nniArchitecture';
import {
  AMOEBANET,
  DARTS_V1,
  DARTS_V2,
  NASNET,
  PUBLISHED_GENOTYPES,
  type PublishedGenotypeName,
} from '../../src/nas/genotype/publishedGenotypes';
import { formatsFixture } from '../support/genotypeFormatsFixture';
import { sortGenesPerNode } from '../support/genotypeOrder';

const nniDartsV2 = (): Record<string, unknown> =>
  JSON.parse(formatsFixture.nni.dartsV2) as Record<string, unknown>;

describe('NNI architecture: reading', () => {
  it("reads NNI's export of DARTS_V2 as DARTS_V2 (genes per node in input order)", () => {
    const g = parseNniArchitecture(formatsFixture.nni.dartsV2);
    expect(g).toEqual(sortGenesPerNode(DARTS_V2));
    // DARTS_V2's node 2 lists (sep_conv_3x3, 1) first; NNI has no strength order.
    expect(DARTS_V2.normal.slice(4, 6)).toEqual([
      ['sep_conv_3x3', 1],
      ['skip_connect', 0],
    ]);
    expect(g.normal.slice(4, 6)).toEqual([
      ['skip_connect', 0],
      ['sep_conv_3x3', 1],
    ]);
    expect(g.normalConcat).toEqual([2, 3, 4, 5]);
    expect(g.reduceConcat).toEqual([2, 3, 4, 5]);
  });

  it("reads NNI CDARTS's raw boolean masks (cdarts/trainer.py)", () => {
    const text = formatsFixture.nni.rawBoolDartsV2;
    expect(text).toContain('"normal_n2_switch": [\n    true,\n    true\n  ]');
    expect(parseNniArchitecture(text)).toEqual(sortGenesPerNode(DARTS_V2));
  });

  it('reads a one-shot style export: an op on every edge, input indices strongest first', () => {
    const text = formatsFixture.nni.oneShotDartsV2;
    expect(JSON.parse(text).normal_n4_switch).toEqual([1, 0]);
    expect(parseNniArchitecture(text)).toEqual(sortGenesPerNode(DARTS_V2));
  });

  it('accepts single-element lists, indices and CDARTS candidate names "0".."6"', () => {
    const o = nniDartsV2();
    o.normal_n2_p0 = ['sepconv3x3'];
    o.normal_n2_p1 = 3;
    o.normal_n3_p0 = '3';
    o.normal_n3_p1 = [3];
    o.normal_n5_switch = ['normal_n5_p2', 0];
    expect(genotypeFromNni(o)).toEqual(sortGenesPerNode(DARTS_V2));
  });

  it('orders each node by predecessor whatever order the switch lists', () => {
    const o = nniDartsV2();
    o.normal_n5_switch = ['normal_n5_p2', 'normal_n5_p0'];
    expect(genotypeFromNni(o).normal.slice(6, 8)).toEqual([
      ['skip_connect', 0],
      ['dil_conv_3x3', 2],
    ]);
  });
});

describe('NNI architecture: writing', () => {
  it("writes exactly what NNI's json.dump(indent=2, sort_keys=True) writes for DARTS_V2", () => {
    expect(formatNniArchitecture(DARTS_V2)).toBe(formatsFixture.nni.dartsV2);
    expect(Object.keys(genotypeToNni(DARTS_V2))).toHaveLength(36);
  });

  it('round-trips every published genotype NNI can express, and refuses the others', () => {
    for (const entry of formatsFixture.published) {
      const g = PUBLISHED_GENOTYPES[entry.name as PublishedGenotypeName];
      if (entry.nni === null) {
        expect(() => genotypeToNni(g), entry.name).toThrow(/cannot express this genotype/);
        continue;
      }
      const text = formatNniArchitecture(g);
      expect({ name: entry.name, text }).toEqual({ name: entry.name, text: entry.nni });
      expect(parseNniArchitecture(text)).toEqual(sortGenesPerNode(g));
    }
    expect(formatsFixture.published.filter((p) => p.nni !== null)).toHaveLength(7);
  });

  const withNode = (g: Genotype, normal: Genotype['normal']): Genotype => ({ ...g, normal });

  it('refuses genotypes outside NNI’s search space with the reason', () => {
    expect(() => genotypeToNni(NASNET)).toThrow(/node 1 of normal reads state 0 twice/);
    expect(() =>
      genotypeToNni({
        ...NASNET,
        normal: DARTS_V1.normal.concat(DARTS_V1.normal.slice(0, 2)),
        reduceConcat: [2, 3, 4, 5, 6],
      }),
    ).toThrow(/node 0 of reduce uses sep_conv_7x7; NNI's DARTS space has only maxpool, avgpool/);
    expect(() => genotypeToNni(AMOEBANET)).toThrow(
      /normal_concat is \[4, 5, 6\]; NNI concatenates all intermediate nodes \[2, 3, 4, 5, 6\]/,
    );
    expect(() =>
      genotypeToNni(withNode(DARTS_V1, [['none', 1], ...DARTS_V1.normal.slice(1)])),
    ).toThrow(/uses none/);
    expect(() =>
      genotypeToNni(withNode(DARTS_V1, [['skip_connect', 0], ...DARTS_V1.normal.slice(1)])),
    ).toThrow(/node 0 of normal reads state 0 twice/);
    expect(() => genotypeToNni({ ...DARTS_V1, reduceConcat: [5, 4, 3, 2] })).toThrow(
      /reduce_concat is \[5, 4, 3, 2\]/,
    );
    expect(() =>
      genotypeToNni({ ...DARTS_V1, normal: DARTS_V1.normal.slice(0, 6), normalConcat: [2, 3, 4] }),
    ).toThrow(/the normal cell has 3 nodes and the reduction cell 4/);
  });
});

describe('NNI architecture: refusing bad files', () => {
  const edit = (change: (o: Record<string, unknown>) => void): Record<string, unknown> => {
    const o = nniDartsV2();
    change(o);
    return o;
  };

  const cases: [string, unknown, RegExp][] = [
    ['a list', [], /expected a JSON object/],
    ['null', null, /expected a JSON object/],
    ['no NNI keys', { foo: 1 }, /no \{normal\|reduce\}_n\{d\}_p\{j\} or _switch keys/],
    [
      'a node n1',
      { normal_n1_p0: [] },
      /missing keys normal_n2_p0, .*; unexpected keys normal_n1_p0 \(a 1-node cell has exactly 6 keys\)/,
    ],
    [
      'a repeated op name',
      edit((o) => (o.normal_n2_p0 = ['maxpool', 'maxpool'])),
      /"normal_n2_p0" lists candidate 0 twice \(\["maxpool","maxpool"\]\)$/,
    ],
    [
      'a missing key',
      edit((o) => delete o.normal_n3_p2),
      /missing keys normal_n3_p2 \(a 4-node cell has exactly 36 keys\)/,
    ],
    ['an extra key', edit((o) => (o.foo = [])), /unexpected keys foo/],
    [
      'a __proto__ key',
      JSON.parse('{"__proto__": 1, "normal_n2_p0": []}'),
      /unexpected keys __proto__/,
    ],
    [
      'a node beyond the inferred cell',
      edit((o) => (o.normal_n6_p0 = [])),
      /missing keys normal_n6_p1/,
    ],
    ['a huge node id', { normal_n99999_p0: [] }, /node n99999 is beyond the 16 intermediate nodes/],
    [
      'a switch choosing one input',
      edit((o) => (o.normal_n2_switch = 'normal_n2_p0')),
      /"normal_n2_switch" chooses 1 inputs .*; a DARTS node takes exactly 2/,
    ],
    [
      'a switch choosing three inputs',
      edit((o) => (o.normal_n3_switch = ['normal_n3_p0', 'normal_n3_p1', 'normal_n3_p2'])),
      /"normal_n3_switch" chooses 3 inputs/,
    ],
    [
      "a switch naming another node's key",
      edit((o) => (o.normal_n3_switch = ['normal_n3_p0', 'normal_n2_p1'])),
      /"normal_n3_switch" names unknown candidate "normal_n2_p1"/,
    ],
    [
      'a switch repeating an index',
      edit((o) => (o.normal_n3_switch = [0, 0])),
      /"normal_n3_switch" lists candidate 0 twice .*write a 0\/1 mask as true\/false/,
    ],
    [
      'a switch mask of the wrong length',
      edit((o) => (o.normal_n3_switch = [true, true])),
      /"normal_n3_switch" is a boolean mask of length 2; it must have 3 entries/,
    ],
    [
      'an unknown op',
      edit((o) => (o.normal_n2_p0 = 'sepconv7x7')),
      /"normal_n2_p0" names unknown candidate "sepconv7x7"; candidates: maxpool, avgpool/,
    ],
    [
      'a DARTS op name',
      edit((o) => (o.normal_n2_p0 = 'sep_conv_3x3')),
      /names unknown candidate "sep_conv_3x3"/,
    ],
    [
      'an op index out of range',
      edit((o) => (o.normal_n2_p0 = 7)),
      /"normal_n2_p0" has index 7; indices run from 0 to 6/,
    ],
    ['a fractional index', edit((o) => (o.normal_n2_p0 = 1.5)), /"normal_n2_p0" has index 1.5/],
    [
      'two ops on an edge',
      edit((o) => (o.normal_n2_p0 = ['sepconv3x3', 'maxpool'])),
      /"normal_n2_p0" selects 2 ops \(sepconv3x3, maxpool\); a DARTS edge has one op/,
    ],
    [
      'two ops on a non-chosen edge',
      edit((o) => (o.normal_n3_p2 = ['sepconv3x3', 'maxpool'])),
      /"normal_n3_p2" selects 2 ops/,
    ],
    [
      'a 0/1 number mask',
      edit((o) => (o.normal_n2_p0 = [0, 0, 0, 1, 0, 0, 0])),
      /"normal_n2_p0" lists candidate 0 twice/,
    ],
    [
      'a chosen edge without an op',
      edit((o) => (o.reduce_n5_p1 = [])),
      /"reduce_n5_p1" selects no op, but "reduce_n5_switch" chooses it/,
    ],
    [
      'an object value',
      edit((o) => (o.normal_n2_p0 = { op: 'maxpool' })),
      /"normal_n2_p0" must be a name, an index/,
    ],
    [
      'a null value',
      edit((o) => (o.normal_n2_p0 = null)),
      /"normal_n2_p0" must be a name, an index/,
    ],
    [
      'a nested list',
      edit((o) => (o.normal_n2_p0 = [['maxpool']])),
      /"normal_n2_p0" must be a name, an index/,
    ],
    [
      'a lone boolean',
      edit((o) => (o.normal_n2_p0 = true)),
      /boolean mask of length 1; it must have 7 entries/,
    ],
  ];

  it.each(cases)('refuses %s', (_what, value, message) => {
    expect(() => genotypeFromNni(value)).toThrow(message);
  });

  it('refuses invalid JSON and a huge text', () => {
    expect(() => parseNniArchitecture('{"normal_n2_p0": ')).toThrow(
      /invalid NNI architecture: not valid JSON/,
    );
    const huge = `{"pad": "${'x'.repeat(70_000)}"}`;
    expect(() => parseNniArchitecture(huge)).toThrow(/limited to 65536/);
  });

  it('accepts an op on a non-chosen edge and ignores it', () => {
    const o = nniDartsV2();
    o.normal_n3_p2 = 'dilconv5x5';
    expect(genotypeFromNni(o)).toEqual(sortGenesPerNode(DARTS_V2));
  });
});
