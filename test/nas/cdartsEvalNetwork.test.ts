import { beforeAll, describe, expect, it } from 'vitest';
import type { CdartsState } from '../../src/nas/cdarts/cdartsState';
import {
  cdartsGenotype,
  createCdartsState,
  disposeCdartsState,
  evalOptimizer,
  evalWeights,
  followGenotype,
  searchWeights,
  trainable,
} from '../../src/nas/cdarts/cdartsState';
import { evalWeightStep } from '../../src/nas/cdarts/cdartsStep';
import type { EvalShape } from '../../src/nas/cdarts/network/followingEvalNetwork';
import {
  createFollowingEvalNetwork,
  geneKeys,
} from '../../src/nas/cdarts/network/followingEvalNetwork';
import type { Genotype } from '../../src/nas/genotype/genotype';
import { genotypesEqual } from '../../src/nas/genotype/genotype';
import { Rng } from '../../src/nas/tensor/random';
import { maskedSoftmax } from '../../src/nas/cdarts/regularizedMutator';
import * as tf from '../../src/nas/tensor/tf';
import { tinyData } from '../support/tiny';
import { TINY_CDARTS } from '../support/tinyCdarts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SHAPE: EvalShape = {
  c: 2,
  layers: 3,
  stemMultiplier: 1,
  numClasses: 3,
  imageChannels: 1,
  headWidths: [3, 4],
};

const REDUCE: Genotype['reduce'] = [
  ['max_pool_3x3', 0],
  ['sep_conv_3x3', 1],
  ['skip_connect', 2],
  ['dil_conv_3x3', 0],
];

const A: Genotype = {
  normal: [
    ['sep_conv_3x3', 0],
    ['skip_connect', 1],
    ['max_pool_3x3', 0],
    ['dil_conv_3x3', 2],
  ],
  normalConcat: [2, 3],
  reduce: REDUCE,
  reduceConcat: [2, 3],
};

/** A with node 0's pair swapped (same edges) and node 1's first gene replaced. */
const B: Genotype = {
  ...A,
  normal: [
    ['skip_connect', 1],
    ['sep_conv_3x3', 0],
    ['sep_conv_5x5', 1],
    ['dil_conv_3x3', 2],
  ],
};

const sepA = 'cells.0.ops.0.sep_conv_3x3.dw1';
const sepB = 'cells.0.ops.1.sep_conv_3x3.dw1';

describe('the evaluation network following a genotype', () => {
  it('keys op weights by (node, input, op), not by the gene index', () => {
    expect(geneKeys(B.normal)).toEqual([
      'node.0.from.1.skip_connect',
      'node.0.from.0.sep_conv_3x3',
      'node.1.from.1.sep_conv_5x5',
      'node.1.from.2.dil_conv_3x3',
    ]);
    expect(
      geneKeys([
        ['max_pool_3x3', 0],
        ['max_pool_3x3', 0],
      ]),
    ).toEqual(['node.0.from.0.max_pool_3x3', 'node.0.from.0.max_pool_3x3#1']);
  });

  it('rebuilds on a change, keeping the tensors of unchanged edges and restoring dropped ones', async () => {
    const before = tf.memory().numTensors;
    const follower = createFollowingEvalNetwork(SHAPE, A, Rng.fromSeed(1), () => true);
    const first = follower.weights;
    const firstMomentum = follower.momentum;
    const sepWeight = first[sepA] as tf.Variable;
    const dilName = 'cells.0.ops.3.dil_conv_3x3.dw';
    const valuesBefore = await sepWeight.data();
    tf.tidy(() => {
      sepWeight.assign(tf.fill(sepWeight.shape, 0.25));
      (firstMomentum[sepA] as tf.Variable).assign(tf.fill(sepWeight.shape, 0.5));
    });

    const result = follower.follow(B);
    expect(result.changed).toBe(true);
    expect(genotypesEqual(follower.genotype, B)).toBe(true);
    expect(follower.net.cells[0]?.spec.genes).toEqual(B.normal);
    // The sep_conv on s0 moved from gene 0 to gene 1: same variable, same values, same momentum.
    expect(follower.weights[sepB]).toBe(sepWeight);
    expect(follower.weights[sepA]).toBeUndefined();
    expect(Array.from(await (follower.weights[sepB] as tf.Tensor).data())).toEqual(
      new Array(sepWeight.size).fill(0.25),
    );
    expect(follower.momentum[sepB]).toBe(firstMomentum[sepA]);
    expect(follower.weights[dilName]).toBe(first[dilName]);
    // Every parameter of the new network but the new sep_conv_5x5's is carried over.
    const newOp = Object.keys(follower.weights).filter((n) => n.includes('sep_conv_5x5'));
    expect(newOp.length).toBe(4); // only cell 0 is a normal cell: dw1, pw1, dw2, pw2
    expect(result).toEqual({
      changed: true,
      kept: Object.keys(follower.weights).length - newOp.length,
      restored: 0,
      created: newOp.length,
    });
    expect(Array.from(await (follower.momentum[newOp[0] as string] as tf.Tensor).data())).toEqual(
      new Array((follower.momentum[newOp[0] as string] as tf.Tensor).size).fill(0),
    );

    // Back to A: the max_pool has no weights, everything else is the earlier tensors.
    const again = follower.follow(A);
    expect(again.created).toBe(0);
    expect(again.restored).toBe(0);
    expect(follower.weights[sepA]).toBe(sepWeight);
    expect(follower.follow(A)).toEqual({
      changed: false,
      kept: Object.keys(follower.weights).length,
      restored: 0,
      created: 0,
    });
    // B again: its sep_conv_5x5 was dropped by A and comes back with its weights.
    const fiveBefore = follower.follow(B);
    expect(fiveBefore.restored).toBe(4);
    expect(fiveBefore.created).toBe(0);

    const x = tf.randomNormal([2, 8, 8, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
    const logits = tf.tidy(
      () =>
        follower.net.forward(
          x,
          follower.weights,
          { training: true, buffers: follower.buffers },
          true,
        ).ensemble as tf.Tensor,
    );
    expect(logits.shape).toEqual([6, 3]);
    expect(Array.from(await logits.data()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, logits]);
    expect(Array.from(valuesBefore).some((v) => v !== 0.25)).toBe(true);
    follower.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('the evaluation network of a CDARTS state', () => {
  const data = tinyData(32, 8, 2);

  async function probabilities(state: CdartsState) {
    const read = async (alpha: tf.Tensor2D, cut: readonly (readonly boolean[])[]) => {
      const p = maskedSoftmax(alpha, cut);
      const rows = (await p.array()) as number[][];
      p.dispose();
      return rows;
    };
    return {
      normal: await read(state.alphas.normal, state.mutator.cut.normal),
      reduce: await read(state.alphas.reduce, state.mutator.cut.reduce),
    };
  }

  it('starts from and follows the search network genotype, with its optimizer state', async () => {
    const state = createCdartsState(TINY_CDARTS, data.shape);
    try {
      expect(state.evalNet.genotype).toEqual(
        cdartsGenotype(state.config, await probabilities(state)),
      );
      const batch = data.val.batch([0, 1, 2, 3, 4, 5, 6, 7]);
      const r = evalWeightStep(state, batch, 0.1);
      tf.dispose([batch.x, batch.y, r.loss, r.accuracy]);
      const before = state.evalNet.genotype;
      // Node 0 reads s0 and s1; the gene on s0 (edge 0) keeps its op.
      const keptIndex = before.normal.findIndex(([, input], j) => j < 2 && input === 0);
      const kept = before.normal[keptIndex] as Genotype['normal'][number];
      // Make dil_conv_5x5 the strongest op of normal edge 4 (node 1 ← node 0) and skip_connect
      // of edge 1 (node 0 ← s1), by a margin: the search genotype changes.
      const rows = (await state.alphas.normal.array()) as number[][];
      const ops = state.config.primitives;
      rows[4]![ops.indexOf('dil_conv_5x5')] = 5;
      rows[1]![ops.indexOf('skip_connect')] = 5;
      tf.tidy(() => state.alphas.normal.assign(tf.tensor2d(rows)));
      const genotype = cdartsGenotype(state.config, await probabilities(state));
      expect(genotypesEqual(genotype, before)).toBe(false);
      const keptName = `cells.0.ops.${keptIndex}.${kept[0]}`;
      const keptWeights = Object.entries(state.evalNet.weights).filter(([n]) =>
        n.startsWith(keptName),
      );
      const momentumBefore = { ...evalOptimizer(state).buffers };

      const result = followGenotype(state, genotype);
      expect(result.changed).toBe(true);
      expect(state.evalNet.genotype).toEqual(genotype);
      expect(state.evalNet.genotype.normal).toContainEqual(['dil_conv_5x5', 2]);
      expect(result.created).toBeGreaterThan(0);
      expect(result.kept).toBeGreaterThan(result.created);
      // The preprocessing and the classifier never change: same variables, same momentum.
      for (const name of ['cells.1.pre1.conv', 'classifier.weight']) {
        const buffers = evalOptimizer(state).buffers;
        expect(buffers[name]).toBe(momentumBefore[name]);
        const m = await (buffers[name] as tf.Tensor).data();
        expect(Array.from(m).some((v) => v !== 0)).toBe(true);
      }
      // Unchanged edges keep their trained tensors wherever their gene now sits.
      for (const [name, v] of keptWeights) {
        const suffix = name.slice(keptName.length);
        const match = Object.entries(state.evalNet.weights).find(
          ([n, w]) => w === v && n.endsWith(`${kept[0]}${suffix}`),
        );
        expect(match, name).toBeDefined();
      }
    } finally {
      disposeCdartsState(state);
    }
  });

  it('shares the stem, heads and ensemble under share_module and freezes heads under fix_head', () => {
    const shared = createCdartsState(TINY_CDARTS, data.shape);
    const separate = createCdartsState(
      { ...TINY_CDARTS, shareModule: false, fixHead: false },
      data.shape,
    );
    try {
      for (const name of ['stem.conv', 'heads.0.conv1', 'heads.1.classifier.weight', 'ensemble']) {
        expect(evalWeights(shared)[name]).toBe(searchWeights(shared)[name]);
        expect(evalWeights(separate)[name]).toBeDefined();
        expect(evalWeights(separate)[name]).not.toBe(searchWeights(separate)[name]);
      }
      expect(
        Object.keys(trainable(shared, evalWeights(shared))).some((n) => n.startsWith('heads.')),
      ).toBe(false);
      expect(trainable(separate, evalWeights(separate))['heads.0.conv1']).toBeDefined();
      // Each network's SGD keeps its own momentum for the shared parameters.
      expect(evalOptimizer(shared).buffers['stem.conv']).not.toBe(
        shared.searchOptimizer.buffers['stem.conv'],
      );
    } finally {
      disposeCdartsState(shared);
      disposeCdartsState(separate);
    }
  });

  it('refuses images too small for the second distillation head', () => {
    const small = tinyData(16, 4, 2);
    expect(() => createCdartsState(TINY_CDARTS, small.shape)).toThrow(
      /needs at least 2x2.*at least 8x8/,
    );
    small.train.dispose();
    small.val.dispose();
  });
});
