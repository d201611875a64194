/**
 * The random-cell rule of the experiment: for each node distinct inputs of the states before it,
 * each op uniform over the non-`none` candidates of the search's space (every op and input
 * reachable), reproducible by seed, a stream whose j-th cell does not depend on the count; the
 * poor controls; and every cell one the retrain kinds accept.
 */
import { describe, expect, it } from 'vitest';
import { cellSpaceOf } from '../../src/experiment/experimentSpace';
import {
  drawConvCell,
  drawRecurrentCell,
  poorConvCell,
  poorRecurrentCell,
} from '../../src/experiment/randomCells';
import type { GenotypeJson } from '../../src/nas/genotype/genotype';
import { genotypeFromJson } from '../../src/nas/genotype/genotype';
import { DARTS_PRIMITIVES } from '../../src/nas/ops/primitives';
import { RETRAIN_SCHEMA } from '../../src/nas/retrain/retrainKindInfo';
import type { RnnGenotypeJson } from '../../src/nas/rnn/genotype/rnnGenotype';
import { rnnGenotypeFromJson } from '../../src/nas/rnn/genotype/rnnGenotype';
import { RNN_ACTIVATIONS } from '../../src/nas/rnn/model/rnnPrimitives';
import { RNN_RETRAIN_SCHEMA } from '../../src/nas/rnn/retrain/rnnRetrainKindInfo';
import { defaultSettings, validateSettings } from '../../src/nas/runKind/settingsSchema';
import { Rng } from '../../src/nas/tensor/random';

const nodeGenes = <T>(genes: readonly T[], node: number): T[] =>
  genes.slice(2 * node, 2 * node + 2);

describe('random convolutional cells', () => {
  const space = { nodes: 4, ops: [...DARTS_PRIMITIVES] };
  const rng = Rng.fromSeed(1);
  const cells: GenotypeJson[] = Array.from({ length: 300 }, () => drawConvCell(space, rng));

  it('give each node two distinct inputs of the states before it and never none', () => {
    for (const cell of cells) {
      genotypeFromJson(cell);
      for (const genes of [cell.normal, cell.reduce]) {
        expect(genes).toHaveLength(8);
        for (let node = 0; node < 4; node++) {
          const [a, b] = nodeGenes(genes, node).map(([, input]) => input) as [number, number];
          expect(a).not.toBe(b);
          expect(Math.max(a, b)).toBeLessThan(node + 2);
        }
        expect(genes.some(([op]) => op === 'none')).toBe(false);
      }
      expect(cell.normal_concat).toEqual([2, 3, 4, 5]);
      expect(cell.reduce_concat).toEqual([2, 3, 4, 5]);
    }
  });

  it('reach every non-none op and every input pair of every node', () => {
    const ops = new Set(cells.flatMap((c) => [...c.normal, ...c.reduce].map(([op]) => op)));
    expect([...ops].sort()).toEqual(DARTS_PRIMITIVES.filter((op) => op !== 'none').sort());
    for (let node = 0; node < 4; node++) {
      const seen = new Set(
        cells.map((c) =>
          nodeGenes(c.normal, node)
            .map(([, input]) => input)
            .join(','),
        ),
      );
      // C(node + 2, 2) pairs, each reachable.
      expect(seen.size).toBe(((node + 2) * (node + 1)) / 2);
    }
  });

  it('keep to the search space: its node count and its candidate ops', () => {
    const small = { nodes: 2, ops: ['none', 'skip_connect', 'sep_conv_3x3'] as const };
    const drawn = Array.from({ length: 50 }, (_, i) =>
      drawConvCell({ ...small, ops: [...small.ops] }, Rng.fromSeed(i)),
    );
    const ops = new Set(drawn.flatMap((c) => [...c.normal, ...c.reduce].map(([op]) => op)));
    expect([...ops].sort()).toEqual(['sep_conv_3x3', 'skip_connect']);
    expect(drawn.every((c) => c.normal.length === 4 && c.normal_concat.join() === '2,3')).toBe(
      true,
    );
    expect(() => drawConvCell({ nodes: 2, ops: ['none'] }, Rng.fromSeed(0))).toThrow(
      /no op but none/,
    );
  });

  it('are reproducible by seed, and the j-th cell does not depend on how many are drawn', () => {
    const conv = cellSpaceOf('cnn');
    const search = { nodes: 3, ops: [...DARTS_PRIMITIVES] };
    const five = conv.randomCells(search, 7, 5);
    expect(conv.randomCells(search, 7, 5)).toEqual(five);
    expect(conv.randomCells(search, 7, 3)).toEqual(five.slice(0, 3));
    expect(conv.randomCells(search, 8, 5)).not.toEqual(five);
  });

  it('are genotypes the retrain takes, as is the poor control', () => {
    const poor = poorConvCell(3);
    expect(poor.normal.every(([op]) => op === 'skip_connect')).toBe(true);
    expect(poor.reduce.every(([op]) => op === 'max_pool_3x3')).toBe(true);
    expect(poor.normal.map(([, input]) => input)).toEqual([0, 1, 0, 1, 0, 1]);
    const conv = cellSpaceOf('cnn');
    const base = defaultSettings(RETRAIN_SCHEMA);
    for (const cell of [poor, ...cells.slice(0, 3)]) {
      expect(() =>
        validateSettings(RETRAIN_SCHEMA, { ...base, genotype: conv.setting(cell) }),
      ).not.toThrow();
    }
  });
});

describe('random recurrent cells', () => {
  const rng = Rng.fromSeed(2);
  const cells: RnnGenotypeJson[] = Array.from({ length: 300 }, () =>
    drawRecurrentCell({ nodes: 8, activations: RNN_ACTIVATIONS }, rng),
  );

  it('give each node one state before it and an activation, never none, every one reachable', () => {
    for (const cell of cells) {
      rnnGenotypeFromJson(cell);
      cell.recurrent.forEach(([, input], node) => expect(input).toBeLessThanOrEqual(node));
      expect(cell.concat).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    }
    const ops = new Set(cells.flatMap((c) => c.recurrent.map(([op]) => op)));
    expect([...ops].sort()).toEqual([...RNN_ACTIVATIONS].sort());
    for (let node = 0; node < 8; node++) {
      expect(new Set(cells.map((c) => c.recurrent[node]?.[1])).size).toBe(node + 1);
    }
  });

  it('are reproducible, and with the poor control are genotypes the recurrent retrain takes', () => {
    const rnn = cellSpaceOf('rnn');
    expect(rnn.randomCells({ nodes: 3 }, 4, 2)).toEqual(rnn.randomCells({ nodes: 3 }, 4, 2));
    const poor = poorRecurrentCell(3);
    expect(poor.recurrent).toEqual([
      ['identity', 0],
      ['identity', 0],
      ['identity', 0],
    ]);
    const base = defaultSettings(RNN_RETRAIN_SCHEMA);
    for (const cell of [poor, ...cells.slice(0, 3)]) {
      expect(() =>
        validateSettings(RNN_RETRAIN_SCHEMA, { ...base, genotype: rnn.setting(cell) }),
      ).not.toThrow();
    }
    expect(rnn.setting(rnn.control('DARTS_V2', { nodes: 3 }), 'DARTS_V2')).toBe('DARTS_V2');
  });
});
