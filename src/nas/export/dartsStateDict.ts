/**
 * The `state_dict()` of the official DARTS evaluation network (`cnn/model.py` NetworkCIFAR or
 * NetworkImageNet, with the ops of `cnn/operations.py`) for a genotype and configuration: every
 * key in the order PyTorch lists them, its PyTorch shape, and the tensor of this project's
 * trained-model file it comes from (name, shape, layout; docs/CONVENTIONS.md "Evaluation
 * (retrain) network names"). Computed from the genotype and sizes alone, without building the
 * network, so that it stays tfjs-free; a test checks it against the built network's parameters.
 *
 * Order: a module's own parameters, then its buffers, then its children in registration order
 * (`nn.Module.state_dict`). NetworkCIFAR registers stem, cells, auxiliary_head, global_pooling,
 * classifier (model.py 120–144); a Cell preprocess0, preprocess1, _ops (model.py 14–38);
 * BatchNorm2d holds weight, bias, running_mean, running_var, num_batches_tracked. Indices inside
 * `nn.Sequential` count the parameter-free ReLUs too (`op.1` is a SepConv's first conv).
 */
import type { Gene } from '../genotype/genotype';
import { reductionIndices } from '../genotype/cellTopology';
import type { NetworkFields } from '../retrain/trainedModelManifest';

/** How a project tensor is laid out (docs/CONVENTIONS.md "Layouts"). */
export type TensorLayout =
  /** Dense conv `[kh, kw, in, out]` ↔ PyTorch `[out, in, kh, kw]`. */
  | 'conv'
  /** Depthwise conv `[kh, kw, C, 1]` ↔ PyTorch `[C, 1, kh, kw]`. */
  | 'depthwise'
  /** Linear weight `[in, out]` ↔ PyTorch `[out, in]`. */
  | 'linear'
  /** Same layout on both sides (biases, BatchNorm vectors). */
  | 'vector';

/** Where a state_dict entry comes from in a trained-model file. */
export interface ProjectTensor {
  /** Its name in the file: `weights.<param>` or `buffers.<buffer>`. */
  readonly name: string;
  readonly shape: readonly number[];
  readonly layout: TensorLayout;
}

export interface StateDictEntry {
  /** The key of the official module's state_dict(). */
  readonly key: string;
  /** Its PyTorch shape ([] for num_batches_tracked). */
  readonly shape: readonly number[];
  /** The project's tensor, or null for `num_batches_tracked` (int64, not kept by the project). */
  readonly source: ProjectTensor | null;
}

/** The official class the export loads into. */
export type OfficialNetwork = 'NetworkCIFAR' | 'NetworkImageNet';

/** DARTS's auxiliary head widths (model.py 68–78), the only ones a trained model holds. */
const AUX_WIDTHS = [128, 768] as const;
/** NetworkCIFAR's stem multiplier (model.py 118). */
const STEM_MULTIPLIER = 3;

class StateDictBuilder {
  readonly entries: StateDictEntry[] = [];

  private add(key: string, shape: number[], source: ProjectTensor | null): void {
    this.entries.push({ key, shape, source });
  }

  conv(key: string, name: string, cIn: number, cOut: number, kh: number, kw = kh): void {
    this.add(`${key}.weight`, [cOut, cIn, kh, kw], {
      name: `weights.${name}`,
      shape: [kh, kw, cIn, cOut],
      layout: 'conv',
    });
  }

  depthwise(key: string, name: string, c: number, k: number): void {
    this.add(`${key}.weight`, [c, 1, k, k], {
      name: `weights.${name}`,
      shape: [k, k, c, 1],
      layout: 'depthwise',
    });
  }

  batchNorm(key: string, name: string, c: number): void {
    const vector = (suffix: string, source: string) =>
      this.add(`${key}.${suffix}`, [c], { name: source, shape: [c], layout: 'vector' });
    vector('weight', `weights.${name}.gamma`);
    vector('bias', `weights.${name}.beta`);
    vector('running_mean', `buffers.${name}.runningMean`);
    vector('running_var', `buffers.${name}.runningVar`);
    this.add(`${key}.num_batches_tracked`, [], null);
  }

  linear(key: string, name: string, cIn: number, cOut: number): void {
    this.add(`${key}.weight`, [cOut, cIn], {
      name: `weights.${name}.weight`,
      shape: [cIn, cOut],
      layout: 'linear',
    });
    this.add(`${key}.bias`, [cOut], {
      name: `weights.${name}.bias`,
      shape: [cOut],
      layout: 'vector',
    });
  }

  /** ReLUConvBN (operations.py 22–33): `op.1` conv, `op.2` BatchNorm. */
  reluConvBn(key: string, name: string, cIn: number, cOut: number): void {
    this.conv(`${key}.op.1`, `${name}.conv`, cIn, cOut, 1);
    this.batchNorm(`${key}.op.2`, `${name}.bn`, cOut);
  }

  /** FactorizedReduce (operations.py 90–104): conv_1, conv_2 (C_out/2 each), bn. */
  factorizedReduce(key: string, name: string, cIn: number, cOut: number): void {
    this.conv(`${key}.conv_1`, `${name}.conv1`, cIn, cOut / 2, 1);
    this.conv(`${key}.conv_2`, `${name}.conv2`, cIn, cOut / 2, 1);
    this.batchNorm(`${key}.bn`, `${name}.bn`, cOut);
  }

  /** One op of a cell (operations.py 4–20), `_ops.{j}`; parameter-free ops add nothing. */
  op(key: string, name: string, gene: Gene, c: number, stride: number): void {
    const [op] = gene;
    const at = `${name}.${op}`;
    const sep = /^sep_conv_(\d)x\d$/.exec(op);
    const dil = /^dil_conv_(\d)x\d$/.exec(op);
    if (sep) {
      // SepConv (operations.py 50–66): ReLU, dw, pw, BN, ReLU, dw, pw, BN.
      const k = Number(sep[1]);
      this.depthwise(`${key}.op.1`, `${at}.dw1`, c, k);
      this.conv(`${key}.op.2`, `${at}.pw1`, c, c, 1);
      this.batchNorm(`${key}.op.3`, `${at}.bn1`, c);
      this.depthwise(`${key}.op.5`, `${at}.dw2`, c, k);
      this.conv(`${key}.op.6`, `${at}.pw2`, c, c, 1);
      this.batchNorm(`${key}.op.7`, `${at}.bn2`, c);
    } else if (dil) {
      // DilConv (operations.py 35–47): ReLU, dilated dw, pw, BN.
      this.depthwise(`${key}.op.1`, `${at}.dw`, c, Number(dil[1]));
      this.conv(`${key}.op.2`, `${at}.pw`, c, c, 1);
      this.batchNorm(`${key}.op.3`, `${at}.bn`, c);
    } else if (op === 'conv_7x1_1x7') {
      // A bare nn.Sequential (operations.py 14–19): ReLU, (1,7) conv, (7,1) conv, BN.
      this.conv(`${key}.1`, `${at}.conv1x7`, c, c, 1, 7);
      this.conv(`${key}.2`, `${at}.conv7x1`, c, c, 7, 1);
      this.batchNorm(`${key}.3`, `${at}.bn`, c);
    } else if (op === 'skip_connect' && stride === 2) {
      this.factorizedReduce(key, at, c, c);
    } else if (op !== 'skip_connect' && op !== 'none' && !op.endsWith('_pool_3x3')) {
      throw new Error(`no PyTorch name is known for the op "${op}"`);
    }
  }
}

function stemOf(b: StateDictBuilder, m: NetworkFields): [number, number] {
  const c = m.config.channels;
  const image = m.data.channels;
  if (m.config.stem === 'cifar') {
    // model.py 118–123: Conv2d(3, 3C, 3, padding=1), BatchNorm2d(3C).
    b.conv('stem.0', 'stem.conv', image, STEM_MULTIPLIER * c, 3);
    b.batchNorm('stem.1', 'stem.bn', STEM_MULTIPLIER * c);
    return [STEM_MULTIPLIER * c, STEM_MULTIPLIER * c];
  }
  // model.py 166–178: stem0 = conv, BN, ReLU, conv, BN; stem1 = ReLU, conv, BN.
  const half = Math.floor(c / 2);
  b.conv('stem0.0', 'stem0.conv1', image, half, 3);
  b.batchNorm('stem0.1', 'stem0.bn1', half);
  b.conv('stem0.3', 'stem0.conv2', half, c, 3);
  b.batchNorm('stem0.4', 'stem0.bn2', c);
  b.conv('stem1.1', 'stem1.conv', c, c, 3);
  b.batchNorm('stem1.2', 'stem1.bn', c);
  return [c, c];
}

/** The official network class for a trained model's stem. */
export function officialNetwork(m: Pick<NetworkFields, 'config'>): OfficialNetwork {
  return m.config.stem === 'cifar' ? 'NetworkCIFAR' : 'NetworkImageNet';
}

/**
 * The state_dict of the official network for a trained model's genotype, configuration and data,
 * in PyTorch's order. Throws for an op that has no official module.
 */
export function dartsStateDict(m: NetworkFields): StateDictEntry[] {
  const b = new StateDictBuilder();
  const { genotype, config } = m;
  let [cPrevPrev, cPrev] = stemOf(b, m);
  let c = config.channels;
  // NetworkImageNet starts with reduction_prev = True (model.py 183).
  let reductionPrev = config.stem === 'imagenet';
  const reductions = reductionIndices(config.layers);
  const auxCell = Math.floor((2 * config.layers) / 3);
  let cAux = 0;
  for (let i = 0; i < config.layers; i++) {
    const reduction = reductions.has(i);
    if (reduction) c *= 2;
    const key = `cells.${i}`;
    const name = `cells.${i}`;
    if (reductionPrev) b.factorizedReduce(`${key}.preprocess0`, `${name}.pre0`, cPrevPrev, c);
    else b.reluConvBn(`${key}.preprocess0`, `${name}.pre0`, cPrevPrev, c);
    b.reluConvBn(`${key}.preprocess1`, `${name}.pre1`, cPrev, c);
    const genes = reduction ? genotype.reduce : genotype.normal;
    genes.forEach((gene, j) => {
      const stride = reduction && gene[1] < 2 ? 2 : 1;
      b.op(`${key}._ops.${j}`, `${name}.ops.${j}`, gene, c, stride);
    });
    const concat = reduction ? genotype.reduceConcat : genotype.normalConcat;
    reductionPrev = reduction;
    cPrevPrev = cPrev;
    cPrev = concat.length * c;
    if (i === auxCell) cAux = cPrev;
  }
  if (config.auxiliary) {
    // AuxiliaryHeadCIFAR / AuxiliaryHeadImageNet (model.py 63–108): ReLU, AvgPool, conv, BN,
    // ReLU, conv, [BN: CIFAR only], ReLU; then classifier.
    const [w1, w2] = AUX_WIDTHS;
    b.conv('auxiliary_head.features.2', 'auxiliary.conv1', cAux, w1, 1);
    b.batchNorm('auxiliary_head.features.3', 'auxiliary.bn1', w1);
    b.conv('auxiliary_head.features.5', 'auxiliary.conv2', w1, w2, 2);
    if (config.stem === 'cifar') b.batchNorm('auxiliary_head.features.6', 'auxiliary.bn2', w2);
    b.linear('auxiliary_head.classifier', 'auxiliary.classifier', w2, m.data.numClasses);
  }
  b.linear('classifier', 'classifier', cPrev, m.data.numClasses);
  return b.entries;
}
