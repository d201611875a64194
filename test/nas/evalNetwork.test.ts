import { beforeAll, describe, expect, it } from 'vitest';
import { auxiliaryPoolWindow } from '../../src/nas/retrain/auxiliaryHead';
import type { KeepMaskSource } from '../../src/nas/ops/dropPath';
import { dropPath, rngKeepMasks } from '../../src/nas/ops/dropPath';
import { evalCell } from '../../src/nas/retrain/evalCell';
import { dropPathProbAt, evalTrainingLoss } from '../../src/nas/retrain/evalLoss';
import type { EvalNetworkSpec } from '../../src/nas/retrain/evalNetwork';
import {
  checkEvalInputSize,
  countParameters,
  evalNetwork,
} from '../../src/nas/retrain/evalNetwork';
import type { Genotype } from '../../src/nas/genotype/genotype';
import { createVariables } from '../../src/nas/tensor/initParams';
import type { TensorMap } from '../../src/nas/tensor/layer';
import { reluConvBn } from '../../src/nas/ops/operations';
import { DARTS_V2 } from '../../src/nas/genotype/publishedGenotypes';
import { Rng } from '../../src/nas/tensor/random';
import { updatingContext } from '../../src/nas/ops/runningStats';
import * as tf from '../../src/nas/tensor/tf';
import { loadFixture } from '../support/fixtures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

interface ParameterCount {
  c: number;
  layers: number;
  numClasses: number;
  withAuxiliary: number;
  withoutAuxiliary: number;
}

const TINY: EvalNetworkSpec = {
  genotype: DARTS_V2,
  c: 2,
  layers: 3,
  numClasses: 3,
  imageChannels: 3,
  auxiliary: true,
};

/** A source that records how many masks were drawn and returns a fixed decision. */
function constantMasks(keep: 0 | 1): KeepMaskSource & { draws: number } {
  const source = {
    draws: 0,
    next(batch: number) {
      source.draws++;
      return new Float32Array(batch).fill(keep);
    },
  };
  return source;
}

async function values(t: tf.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

describe('parameter count of DARTS_V2 (C 36, 20 layers, CIFAR-10)', () => {
  const ref = loadFixture<{ parameterCount: ParameterCount }>('evalNetwork.json').parameterCount;
  const before = tf.memory().numTensors;
  const net = evalNetwork({
    genotype: DARTS_V2,
    c: ref.c,
    layers: ref.layers,
    numClasses: ref.numClasses,
    imageChannels: 3,
    auxiliary: true,
  });

  it('equals PyTorch with and without the auxiliary head', () => {
    expect(countParameters(net, { includeAuxiliary: true })).toBe(ref.withAuxiliary);
    expect(countParameters(net, { includeAuxiliary: false })).toBe(ref.withoutAuxiliary);
  });

  it("is the README's 3.3M without the auxiliary head (DARTS's count_parameters_in_MB)", () => {
    const millions = (n: number) => Math.round(n / 1e5) / 10;
    expect(millions(countParameters(net, { includeAuxiliary: false }))).toBe(3.3);
    expect(millions(countParameters(net, { includeAuxiliary: true }))).toBe(3.8);
  });

  it('names parameters as docs/CONVENTIONS.md says and builds no tensors', () => {
    const names = new Set(net.params.map((p) => p.name));
    for (const name of [
      'stem.conv',
      'stem.bn.gamma',
      'cells.0.pre0.conv',
      'cells.0.pre0.bn.beta',
      'cells.0.ops.0.sep_conv_3x3.dw1',
      'cells.0.ops.0.sep_conv_3x3.bn2.gamma',
      'cells.0.ops.7.dil_conv_3x3.pw',
      'cells.7.pre0.conv1',
      'cells.7.pre0.conv2',
      'auxiliary.conv1',
      'auxiliary.bn2.gamma',
      'auxiliary.classifier.weight',
      'classifier.bias',
    ]) {
      expect(names.has(name), name).toBe(true);
    }
    // Identity skips and pools have no parameters; reduction cells of DARTS_V2 hold only pools/skips.
    expect([...names].some((n) => n.includes('skip_connect') || n.includes('max_pool'))).toBe(
      false,
    );
    expect(net.auxiliaryCell).toBe(13);
    expect(net.cells.filter((c) => c.spec.reduction).map((c) => c.spec.prefix)).toEqual([
      'cells.6',
      'cells.13',
    ]);
    expect(net.cells.at(-1)?.outChannels).toBe(576);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('drop path', () => {
  it('keeps each sample with probability keep, reproducibly from the seed', () => {
    const a = rngKeepMasks(Rng.fromSeed(7)).next(20000, 0.8);
    const b = rngKeepMasks(Rng.fromSeed(7)).next(20000, 0.8);
    const c = rngKeepMasks(Rng.fromSeed(8)).next(20000, 0.8);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect(a.every((v) => v === 0 || v === 1)).toBe(true);
    const kept = a.reduce((s, v) => s + v, 0) / a.length;
    // 20000 draws: the standard deviation of the kept fraction is 0.0028.
    expect(Math.abs(kept - 0.8)).toBeLessThan(0.012);
  });

  it('multiplies kept samples by 1/keep and zeroes dropped ones', async () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6], [3, 1, 1, 2]);
    const source: KeepMaskSource = { next: () => Float32Array.from([1, 0, 1]) };
    const y = dropPath(x, 0.2, source);
    expect(y.shape).toEqual([3, 1, 1, 2]);
    const got = await values(y);
    [1 / 0.8, 2 / 0.8, 0, 0, 5 / 0.8, 6 / 0.8].forEach((v, i) => expect(got[i]).toBeCloseTo(v, 6));
  });

  it('returns the input itself at p = 0 and refuses bad probabilities and masks', () => {
    const x = tf.ones([2, 1, 1, 1]) as tf.Tensor4D;
    const source = constantMasks(1);
    expect(dropPath(x, 0, source)).toBe(x);
    expect(source.draws).toBe(0);
    for (const p of [1, -0.1, Number.NaN]) {
      expect(() => dropPath(x, p, source)).toThrow(/drop path probability must be in \[0, 1\)/);
    }
    expect(() => dropPath(x, 0.5, { next: () => new Float32Array(3) })).toThrow(
      /keep mask has 3 values for a batch of 2/,
    );
    expect(() => dropPath(x, 0.5, { next: () => Float32Array.from([1, 0.5]) })).toThrow(
      /0 or 1, got 0.5/,
    );
  });

  it('drops every op output but the identity, in training only', async () => {
    // node 2 = skip(s0) + sep_conv(s1), node 3 = skip(s1) + max_pool(s0)
    const genes: Genotype['normal'] = [
      ['skip_connect', 0],
      ['sep_conv_3x3', 1],
      ['skip_connect', 1],
      ['max_pool_3x3', 0],
    ];
    const cell = evalCell({
      prefix: 'cell',
      genes,
      concat: [2, 3],
      cPrevPrev: 3,
      cPrev: 3,
      c: 2,
      reduction: false,
      reductionPrev: false,
    });
    expect(cell.dropPathSites).toBe(2);
    const weights = createVariables(cell.params, Rng.fromSeed(1), true) as TensorMap;
    const s0 = tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const s1 = tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const train = { training: true, buffers: {} };
    const dropAll = constantMasks(0);
    const out = cell.apply(s0, s1, weights, train, { prob: 0.5, masks: dropAll });
    expect(dropAll.draws).toBe(2);
    // With every droppable output dropped, the nodes are the preprocessed inputs themselves.
    const pre0 = reluConvBn('cell.pre0', 3, 2, 1, 1, 0, true).apply(s0, weights, train);
    const pre1 = reluConvBn('cell.pre1', 3, 2, 1, 1, 0, true).apply(s1, weights, train);
    const expected = await values(tf.concat([pre0, pre1], 3));
    const got = await values(out);
    expected.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));

    // Evaluation mode: no masks drawn, the same output as without drop path.
    const buffers = createVariables(cell.buffers, Rng.fromSeed(0), false) as TensorMap;
    const evalCtx = { training: false, buffers };
    const noDrop = await values(cell.apply(s0, s1, weights, evalCtx));
    const source = constantMasks(0);
    expect(
      await values(cell.apply(s0, s1, weights, evalCtx, { prob: 0.5, masks: source })),
    ).toEqual(noDrop);
    expect(source.draws).toBe(0);
  });

  it('counts the strided skip (FactorizedReduce) of a reduction cell as droppable', () => {
    const cell = evalCell({
      prefix: 'cell',
      genes: [
        ['skip_connect', 0],
        ['skip_connect', 1],
        ['skip_connect', 2],
        ['avg_pool_3x3', 2],
      ],
      concat: [2, 3],
      cPrevPrev: 4,
      cPrev: 4,
      c: 2,
      reduction: true,
      reductionPrev: false,
    });
    expect(cell.dropPathSites).toBe(3);
    expect(cell.params.map((p) => p.name)).toContain('cell.ops.1.skip_connect.conv2');
  });
});

describe('evaluation network', () => {
  it('returns auxiliary logits in training only, and none without the head', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const net = evalNetwork(TINY);
      const weights = createVariables(net.params, Rng.fromSeed(3), true) as TensorMap;
      const buffers = createVariables(net.buffers, Rng.fromSeed(3), false) as TensorMap;
      const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
      const train = net.forward(x, weights, { ctx: { training: true, buffers } });
      expect(train.logits.shape).toEqual([2, 3]);
      expect(train.auxLogits?.shape).toEqual([2, 3]);
      expect(net.forward(x, weights, { ctx: { training: false, buffers } }).auxLogits).toBeNull();
      const plain = evalNetwork({ ...TINY, auxiliary: false });
      expect(plain.params.some((p) => p.name.startsWith('auxiliary.'))).toBe(false);
      expect(plain.forward(x, weights, { ctx: { training: true, buffers } }).auxLogits).toBeNull();
      Object.values(weights).forEach((w) => w.dispose());
      Object.values(buffers).forEach((b) => b.dispose());
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('updates every BatchNorm running statistic in a training forward, none in evaluation', async () => {
    const net = evalNetwork(TINY);
    const weights = createVariables(net.params, Rng.fromSeed(3), true) as TensorMap;
    const buffers = createVariables(net.buffers, Rng.fromSeed(3), false);
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const snapshot = async () =>
      Object.fromEntries(
        await Promise.all(Object.entries(buffers).map(async ([n, b]) => [n, await values(b)])),
      ) as Record<string, number[]>;
    const initial = await snapshot();
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      net.forward(x, weights, { ctx: { training: false, buffers } });
      net.forward(x, weights, { ctx: { training: true, buffers } });
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(await snapshot()).toEqual(initial);
    tf.tidy(() => {
      net.forward(x, weights, { ctx: updatingContext(buffers) });
    });
    expect(tf.memory().numTensors).toBe(before);
    const updated = await snapshot();
    const unchanged = Object.keys(buffers).filter(
      (n) => JSON.stringify(updated[n]) === JSON.stringify(initial[n]),
    );
    expect(unchanged).toEqual([]);
    // The stem BN's running mean moves 10% of the way to the batch mean (momentum 0.1).
    const stemOut = tf.conv2d(x, weights['stem.conv'] as tf.Tensor4D, 1, 1);
    const batchMean = await values(tf.mean(stemOut, [0, 1, 2]));
    const runningMean = updated['stem.bn.runningMean'] as number[];
    batchMean.forEach((m, i) => expect(runningMean[i]).toBeCloseTo(0.1 * m, 6));
  });

  it('pools the auxiliary head input to 2×2 as DARTS and NNI do', () => {
    expect(auxiliaryPoolWindow(8)).toEqual({ kernel: 5, stride: 3 }); // AuxiliaryHeadCIFAR
    expect(auxiliaryPoolWindow(7)).toEqual({ kernel: 5, stride: 2 }); // AuxiliaryHeadImageNet
    expect(auxiliaryPoolWindow(10)).toEqual({ kernel: 5, stride: 5 }); // NNI: stride s − 5
    expect(auxiliaryPoolWindow(4)).toEqual({ kernel: 3, stride: 1 });
    expect(auxiliaryPoolWindow(2)).toEqual({ kernel: 1, stride: 1 });
    expect(() => auxiliaryPoolWindow(1)).toThrow(/at least 2×2/);
  });

  it('refuses inputs it cannot run on with a message naming the problem', () => {
    const net = evalNetwork(TINY);
    expect(() => checkEvalInputSize(net, 8, 8)).not.toThrow();
    expect(() => checkEvalInputSize(net, 4, 8)).toThrow(
      /auxiliary head at cell 2 would see a 1×2 feature map on 4×8 images/,
    );
    expect(() =>
      checkEvalInputSize(evalNetwork({ ...TINY, auxiliary: false }), 4, 4),
    ).not.toThrow();
    expect(() => checkEvalInputSize(net, 6, 8)).toThrow(
      /image height 6 leaves an odd 3-pixel feature map at reduction cell 2/,
    );
    const imagenet = evalNetwork({ ...TINY, stem: 'imagenet', auxiliary: false });
    expect(() => checkEvalInputSize(imagenet, 32, 32)).not.toThrow();
    expect(() => checkEvalInputSize(imagenet, 24, 32)).toThrow(
      /image height 24 leaves an odd 3-pixel feature map at reduction cell 1/,
    );
    expect(() => checkEvalInputSize(imagenet, 20, 32)).toThrow(
      /image height 20 gives an odd 5-pixel stem output/,
    );
    const x = tf.zeros([1, 6, 8, 3]) as tf.Tensor4D;
    expect(() => net.forward(x, {}, { ctx: { training: false, buffers: {} } })).toThrow(
      /odd 3-pixel feature map/,
    );
  });

  it('refuses bad specs and genotypes', () => {
    expect(() => evalNetwork({ ...TINY, layers: 0 })).toThrow(
      /layers must be an integer of at least 1/,
    );
    expect(() => evalNetwork({ ...TINY, numClasses: 1 })).toThrow(/number of classes/);
    expect(() => evalNetwork({ ...TINY, c: 1, stem: 'imagenet' })).toThrow(/ImageNet stem needs/);
    expect(() =>
      evalNetwork({ ...TINY, genotype: { ...DARTS_V2, reduceConcat: [1, 2, 3] } }),
    ).toThrow(/cells.1: a reduction cell cannot concatenate input state 1/);
    expect(() => evalNetwork({ ...TINY, genotype: { ...DARTS_V2, normalConcat: [2, 6] } })).toThrow(
      /cells.0: concat lists state 6; states run from 0 to 5/,
    );
    expect(() =>
      evalNetwork({
        ...TINY,
        genotype: { ...DARTS_V2, normal: [...DARTS_V2.normal.slice(0, 7), ['sep_conv_3x3', 5]] },
      }),
    ).toThrow(/gene 7 \(sep_conv_3x3, node 3\) reads state 5; it must be from 0 to 4/);
    expect(() =>
      evalNetwork({ ...TINY, genotype: { ...DARTS_V2, normal: DARTS_V2.normal.slice(0, 3) } }),
    ).toThrow(/two genes per node, got 3 genes/);
  });
});

describe('retraining loss and drop-path schedule', () => {
  it('adds the weighted auxiliary cross-entropy', async () => {
    const logits = tf.tensor2d([[0, 0]]);
    const auxLogits = tf.tensor2d([[Math.log(3), 0]]);
    const labels = tf.tensor1d([0], 'int32');
    const total = evalTrainingLoss({ logits, auxLogits }, labels, 0.4);
    expect((await total.data())[0]).toBeCloseTo(Math.log(2) + 0.4 * Math.log(4 / 3), 6);
    const main = evalTrainingLoss({ logits, auxLogits: null }, labels, 0.4);
    expect((await main.data())[0]).toBeCloseTo(Math.log(2), 6);
    expect(() => evalTrainingLoss({ logits, auxLogits }, labels, -1)).toThrow(
      /auxiliary loss weight must be a non-negative number/,
    );
  });

  it('grows linearly from 0: p · e / epochs', () => {
    expect(dropPathProbAt(0, 600, 0.2)).toBe(0);
    expect(dropPathProbAt(300, 600, 0.2)).toBeCloseTo(0.1, 12);
    expect(dropPathProbAt(599, 600, 0.2)).toBeCloseTo((0.2 * 599) / 600, 12);
    expect(() => dropPathProbAt(600, 600, 0.2)).toThrow(/epoch must be an integer from 0 to 599/);
    expect(() => dropPathProbAt(0, 0, 0.2)).toThrow(/epochs must be a positive integer/);
    expect(() => dropPathProbAt(0, 10, 1)).toThrow(/drop path probability must be in \[0, 1\)/);
  });
});
