/**
 * What a genotype's evaluation network costs, counted from the genotype and the network's sizes
 * alone (no tfjs, so the page can show it live): its parameters, as DARTS's `cnn/utils.py`
 * count_parameters_in_MB counts them (every parameter whose name lacks "auxiliary", so without
 * the auxiliary head) and in all, and the multiply-adds of one image's inference forward.
 *
 * The network is DARTS's `cnn/model.py` NetworkCIFAR (or, with the ImageNet stem,
 * NetworkImageNet) as `src/nas/retrain/evalNetwork.ts` builds it; ops as `cnn/operations.py`
 * builds them with affine BatchNorm (two parameters per channel). Multiply-adds count what
 * DARTS-family papers report: every convolution output element costs (input channels / groups) ·
 * kernel area, every linear output element its input features; BatchNorm, ReLU, pooling, sums
 * and concatenations cost nothing. The auxiliary head runs only in training, so its
 * multiply-adds are reported apart. `test/parity/genotypeCost.test.ts` checks both against
 * PyTorch (`scripts/fixtures/cost_ref.py`), `test/nas/genotypeCost.test.ts` against the built
 * network's parameter list. DARTS_V2 costs 3,349,342 parameters (the paper's 3.3M) and 528M
 * multiply-adds at C 36, 20 cells on CIFAR-10; with the ImageNet stem at C 48, 14 cells, 224×224,
 * 4.72M parameters (the paper's 4.7M) and 530M multiply-adds by this count, which PyTorch's hooks
 * give too, where the paper's table says 574M.
 */
import type { Gene, Genotype } from './genotype';
import { reductionIndices } from './cellTopology';

/** The sizes of an evaluation network a genotype's cost is counted for. */
export interface CostNetwork {
  /** Initial channels C. */
  readonly c: number;
  /** Number of cells. */
  readonly layers: number;
  readonly numClasses: number;
  readonly imageChannels: number;
  /** Square images of this many pixels a side. */
  readonly imageSize: number;
  readonly stem: 'cifar' | 'imagenet';
  readonly auxiliary: boolean;
  /** The auxiliary head's hidden widths; DARTS's 128 and 768 unless given. */
  readonly auxiliaryWidths?: readonly [number, number];
}

/** DARTS's CIFAR-10 retrain, `cnn/train.py --auxiliary` (C 36, 20 cells). */
export const DARTS_CIFAR_NETWORK: CostNetwork = {
  c: 36,
  layers: 20,
  numClasses: 10,
  imageChannels: 3,
  imageSize: 32,
  stem: 'cifar',
  auxiliary: true,
};

/** DARTS's ImageNet mobile setting, `cnn/train_imagenet.py --auxiliary` (C 48, 14 cells). */
export const DARTS_IMAGENET_NETWORK: CostNetwork = {
  c: 48,
  layers: 14,
  numClasses: 1000,
  imageChannels: 3,
  imageSize: 224,
  stem: 'imagenet',
  auxiliary: true,
};

export interface GenotypeCost {
  /** DARTS's count (`count_parameters_in_MB` × 10⁶): without the auxiliary head. */
  readonly params: number;
  /** Every parameter, the auxiliary head's included (equal to `params` without the head). */
  readonly paramsWithAuxiliary: number;
  /** Multiply-adds of one image's inference forward (no auxiliary head). */
  readonly multAdds: number;
  /** What the auxiliary head adds per image in training (0 without it). */
  readonly auxiliaryMultAdds: number;
}

const DARTS_AUXILIARY_WIDTHS: readonly [number, number] = [128, 768];

/** Parameters and multiply-adds of a part of the network. */
interface Cost {
  readonly params: number;
  readonly macs: number;
}

const NOTHING: Cost = { params: 0, macs: 0 };

const sum = (...costs: Cost[]): Cost => ({
  params: costs.reduce((a, c) => a + c.params, 0),
  macs: costs.reduce((a, c) => a + c.macs, 0),
});

/** A bias-free k×k convolution (`groups` 1 or `cIn`) giving `outArea` output positions. */
function conv(cIn: number, cOut: number, kernelArea: number, outArea: number, groups = 1): Cost {
  const params = (cIn / groups) * kernelArea * cOut;
  return { params, macs: params * outArea };
}

/** An affine BatchNorm: γ and β. */
const bn = (c: number): Cost => ({ params: 2 * c, macs: 0 });

function requireEven(what: string, size: number): void {
  if (size % 2 !== 0) {
    throw new Error(`${what} meets an odd ${size}-pixel feature map; it needs an even one`);
  }
}

/** ReLU → two 1×1 stride-2 convs (cIn → cOut/2 each) → BN, on an n×n input. */
function factorizedReduce(cIn: number, cOut: number, n: number): Cost {
  if (cOut % 2 !== 0) throw new Error(`FactorizedReduce needs even channels, got ${cOut}`);
  requireEven('a FactorizedReduce', n);
  const area = (n / 2) ** 2;
  return sum(conv(cIn, cOut / 2, 1, area), conv(cIn, cOut / 2, 1, area), bn(cOut));
}

/** ReLU → 1×1 conv → BN on an n×n input: a cell's preprocessing. */
const reluConvBn = (cIn: number, cOut: number, n: number): Cost =>
  sum(conv(cIn, cOut, 1, n * n), bn(cOut));

/** One DilConv (or half a SepConv): depthwise k×k → pointwise → BN, `area` output positions. */
const dilConv = (c: number, k: number, area: number): Cost =>
  sum(conv(c, c, k * k, area, c), conv(c, c, 1, area), bn(c));

/** An op of `cnn/operations.py` with C channels and `stride`, on an n×n input. */
function opCost(name: Gene[0], c: number, stride: number, n: number): Cost {
  if (stride === 2) requireEven(`${name} with stride 2`, n);
  const out = n / stride;
  const area = out * out;
  switch (name) {
    case 'none':
    case 'max_pool_3x3':
    case 'avg_pool_3x3':
      return NOTHING;
    case 'skip_connect':
      return stride === 1 ? NOTHING : factorizedReduce(c, c, n);
    case 'sep_conv_3x3':
      return sum(dilConv(c, 3, area), dilConv(c, 3, area));
    case 'sep_conv_5x5':
      return sum(dilConv(c, 5, area), dilConv(c, 5, area));
    case 'sep_conv_7x7':
      return sum(dilConv(c, 7, area), dilConv(c, 7, area));
    case 'dil_conv_3x3':
      return dilConv(c, 3, area);
    case 'dil_conv_5x5':
      return dilConv(c, 5, area);
    case 'conv_7x1_1x7':
      // 1×7 with stride (1, s): n rows of n/s; then 7×1 with stride (s, 1).
      return sum(conv(c, c, 7, n * out), conv(c, c, 7, area), bn(c));
  }
}

/** What a cell hands on: its output channels and size. */
interface CellOut {
  readonly cost: Cost;
  readonly channels: number;
  readonly size: number;
}

interface CellPlace {
  readonly genes: readonly Gene[];
  readonly concat: readonly number[];
  readonly c: number;
  readonly reduction: boolean;
  readonly reductionPrev: boolean;
  readonly cPrevPrev: number;
  readonly cPrev: number;
  /** Sizes of s0 and s1. */
  readonly size0: number;
  readonly size1: number;
}

/** `cnn/model.py` Cell: the preprocessing, one op per gene, the concat of `concat`. */
function cellCost(p: CellPlace): CellOut {
  const { c, size1: n } = p;
  if (p.reductionPrev && p.size0 !== 2 * n) {
    throw new Error(`a cell after a reduction needs s0 twice s1's size, got ${p.size0} and ${n}`);
  }
  const pre0 = p.reductionPrev
    ? factorizedReduce(p.cPrevPrev, c, p.size0)
    : reluConvBn(p.cPrevPrev, c, n);
  const nodeSize = p.reduction ? n / 2 : n;
  const ops = p.genes.map(([name, input]) =>
    input < 2 ? opCost(name, c, p.reduction ? 2 : 1, n) : opCost(name, c, 1, nodeSize),
  );
  if (p.reduction && p.concat.some((s) => s < 2)) {
    throw new Error('a reduction cell cannot concatenate its inputs (states 0 and 1)');
  }
  return {
    cost: sum(pre0, reluConvBn(p.cPrev, c, n), ...ops),
    channels: p.concat.length * c,
    size: nodeSize,
  };
}

/** Output length of a 3×3 conv with stride 2 and padding 1. */
const halved = (size: number): number => Math.floor((size - 1) / 2) + 1;

/** The stem's cost, and the channels and sizes of s0 and s1. */
function stemCost(net: CostNetwork): { cost: Cost; channels: number; sizes: [number, number] } {
  const { c, imageChannels: k, imageSize: size } = net;
  if (net.stem === 'cifar') {
    const cost = sum(conv(k, 3 * c, 9, size * size), bn(3 * c));
    return { cost, channels: 3 * c, sizes: [size, size] };
  }
  if (c < 2) throw new Error(`the ImageNet stem needs at least 2 channels (C/2 ≥ 1), got ${c}`);
  const half = Math.floor(c / 2);
  const [h1, h2] = [halved(size), halved(halved(size))];
  const h3 = halved(h2);
  const cost = sum(
    conv(k, half, 9, h1 * h1),
    bn(half),
    conv(half, c, 9, h2 * h2),
    bn(c),
    conv(c, c, 9, h3 * h3),
    bn(c),
  );
  return { cost, channels: c, sizes: [h2, h3] };
}

/** AvgPool to 2×2 → 1×1 conv → BN → ReLU → 2×2 conv → (BN, CIFAR head) → ReLU → Linear. */
function auxiliaryCost(net: CostNetwork, cIn: number, size: number): Cost {
  if (size < 2) {
    throw new Error(`the auxiliary head needs a feature map of at least 2×2, got ${size}×${size}`);
  }
  const [w1, w2] = net.auxiliaryWidths ?? DARTS_AUXILIARY_WIDTHS;
  return sum(
    conv(cIn, w1, 1, 4),
    bn(w1),
    conv(w1, w2, 4, 1),
    net.stem === 'cifar' ? bn(w2) : NOTHING,
    linearCost(w2, net.numClasses),
  );
}

const linearCost = (cIn: number, cOut: number): Cost => ({
  params: cIn * cOut + cOut,
  macs: cIn * cOut,
});

function checkNetwork(net: CostNetwork): void {
  const whole: [string, number, number][] = [
    ['channels', net.c, 1],
    ['layers', net.layers, 1],
    ['number of classes', net.numClasses, 2],
    ['image channels', net.imageChannels, 1],
    ['image size', net.imageSize, 1],
  ];
  for (const [what, value, min] of whole) {
    if (!Number.isInteger(value) || value < min) {
      throw new Error(`${what} must be an integer of at least ${min}, got ${value}`);
    }
  }
}

/** Parameters and multiply-adds of `genotype`'s evaluation network of the sizes `net`. */
export function genotypeCost(genotype: Genotype, net: CostNetwork): GenotypeCost {
  checkNetwork(net);
  const stem = stemCost(net);
  const reductions = reductionIndices(net.layers);
  const auxiliaryCell = Math.floor((2 * net.layers) / 3);
  let [cPrevPrev, cPrev] = [stem.channels, stem.channels];
  let [size0, size1] = stem.sizes;
  let c = net.c;
  let reductionPrev = net.stem === 'imagenet';
  const costs: Cost[] = [stem.cost];
  let auxiliary = NOTHING;
  for (let i = 0; i < net.layers; i++) {
    const reduction = reductions.has(i);
    if (reduction) c *= 2;
    const cell = cellCost({
      genes: reduction ? genotype.reduce : genotype.normal,
      concat: reduction ? genotype.reduceConcat : genotype.normalConcat,
      c,
      reduction,
      reductionPrev,
      cPrevPrev,
      cPrev,
      size0,
      size1,
    });
    costs.push(cell.cost);
    if (net.auxiliary && i === auxiliaryCell) {
      auxiliary = auxiliaryCost(net, cell.channels, cell.size);
    }
    [cPrevPrev, cPrev] = [cPrev, cell.channels];
    [size0, size1] = [size1, cell.size];
    reductionPrev = reduction;
  }
  costs.push(linearCost(cPrev, net.numClasses));
  const main = sum(...costs);
  return {
    params: main.params,
    paramsWithAuxiliary: main.params + auxiliary.params,
    multAdds: main.macs,
    auxiliaryMultAdds: auxiliary.macs,
  };
}
