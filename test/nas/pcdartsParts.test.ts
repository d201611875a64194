/**
 * PC-DARTS's small parts on their own: the channel shuffle's permutation (PC-DARTS
 * `model_search.py` channel_shuffle), the per-node normalisation of β, the genotype JSON that
 * carries β and still reads as a genotype, and the repr export that says it cannot hold them
 * and still reads back.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Genotype } from '../../src/nas/genotype/genotype';
import { genotypeToJson } from '../../src/nas/genotype/genotype';
import { formatGenotype, parseGenotypeAny } from '../../src/nas/genotype/genotypeFormats';
import { edgeWeights, edgeWeightValues } from '../../src/nas/pcdarts/edgeNormalization';
import { channelShuffle } from '../../src/nas/pcdarts/partialMixedOp';
import {
  pcGenotypeFile,
  pcGenotypeJson,
  reprEdgeWeightsNote,
  withEdgeWeights,
} from '../../src/nas/pcdarts/pcGenotypeJson';
import { scaleEdgeRows } from '../../src/nas/pcdarts/pcGenotype';
import * as tf from '../../src/nas/tensor/tf';
import { estimateSearchStepBytes } from '../../src/nas/darts/searchMemory';
import { PAPER_SEARCH_CONFIG } from '../../src/nas/darts/searchConfig';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const GENOTYPE: Genotype = {
  normal: [
    ['sep_conv_3x3', 0],
    ['skip_connect', 1],
    ['max_pool_3x3', 2],
    ['sep_conv_3x3', 0],
  ],
  normalConcat: [2, 3],
  reduce: [
    ['max_pool_3x3', 1],
    ['max_pool_3x3', 0],
    ['skip_connect', 2],
    ['sep_conv_3x3', 1],
  ],
  reduceConcat: [2, 3],
};
const EDGES = { normal: [0.25, 0.75, 0.2, 0.3, 0.5], reduce: [0.5, 0.5, 0.1, 0.1, 0.8] };

describe('PC-DARTS parts', () => {
  it('shuffles channel g·(C/K) + i to i·K + g', async () => {
    const x = tf.reshape(tf.range(0, 6), [1, 1, 1, 6]) as tf.Tensor4D;
    expect(Array.from(await channelShuffle(x, 2).data())).toEqual([0, 3, 1, 4, 2, 5]);
    expect(Array.from(await channelShuffle(x, 3).data())).toEqual([0, 2, 4, 1, 3, 5]);
    expect(() => channelShuffle(x, 4)).toThrow('6 channels do not split into 4 groups');
  });

  it('normalises β per node over its incoming edges', async () => {
    const betas = [0, Math.log(3), 0, 0, Math.log(2)];
    const expected = [0.25, 0.75, 0.25, 0.25, 0.5];
    edgeWeightValues(betas, 2).forEach((w, i) => expect(w).toBeCloseTo(expected[i] as number, 12));
    const device = await edgeWeights(tf.tensor1d(betas), 2).data();
    Array.from(device).forEach((w, i) => expect(w).toBeCloseTo(expected[i] as number, 6));
    expect(scaleEdgeRows([[0.5, 0.5]], [0.2])).toEqual([[0.1, 0.1]]);
  });

  it('writes β into the genotype JSON, which still reads as the genotype', () => {
    const json = pcGenotypeJson(GENOTYPE, EDGES);
    expect(json.edge_weights).toEqual(EDGES);
    const file = pcGenotypeFile(GENOTYPE, EDGES);
    expect(parseGenotypeAny(file.data as string)).toEqual(GENOTYPE);
    expect(JSON.parse(file.data as string).edge_weights).toEqual(EDGES);
    const step = withEdgeWeights(
      {
        type: 'step',
        step: 1,
        epoch: 0,
        totalSteps: 1,
        elapsedMs: 0,
        throughput: 0,
        metrics: {},
        genotype: genotypeToJson(GENOTYPE),
        files: [{ path: 'genotype.json', data: '{}' }],
      },
      GENOTYPE,
      EDGES,
    );
    expect(step.type === 'step' && step.genotype).toEqual(json);
    expect(step.type === 'step' && step.files?.[0]?.data).toBe(file.data);
  });

  it('bounds a PC-DARTS step’s memory by its ops’ 1/K of the channels', () => {
    const shape = { height: 32, width: 32, channels: 3, numClasses: 10 };
    const darts = estimateSearchStepBytes(PAPER_SEARCH_CONFIG, shape).bytes;
    const pc = estimateSearchStepBytes({ ...PAPER_SEARCH_CONFIG, partialChannels: 4 }, shape).bytes;
    expect(pc).toBeCloseTo(darts / 4, 0);
    // Below the wasm heap measured for that step (bench/stepMemory.ts, K 4: 1,555 MiB).
    expect(pc).toBeLessThan(1555 * 2 ** 20);
  });

  it('says in the repr export that DARTS’s Genotype cannot hold β, and the repr still reads', () => {
    const json = pcGenotypeJson(GENOTYPE, EDGES);
    const note = reprEdgeWeightsNote(json);
    expect(note).toMatch(/^# PC-DARTS: .*cannot hold them.*\n$/);
    expect(reprEdgeWeightsNote(genotypeToJson(GENOTYPE))).toBe('');
    const text = note + formatGenotype(GENOTYPE, 'repr');
    expect(parseGenotypeAny(text)).toEqual(GENOTYPE);
  });
});
