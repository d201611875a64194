/**
 * The configurations every workload runs in. 'small' is what the lab runs by default (the DARTS
 * and retrain kinds' demo presets, on 8×8 Fashion-MNIST-shaped images), so its
 * figures say what a visitor's first search costs; it is also the largest network on which
 * SwiftShader's software WebGPU finishes a step in seconds. 'paper' is the official DARTS
 * CIFAR-10 search network (C 16, 8 cells, batch 64, 32×32×3) and DARTS's retrain network
 * (DARTS_V2, C 36, 20 cells, batch 96, auxiliary head). 'medium' is the network issue 10
 * compares the CPU backends and PyTorch on (C 8, 5 cells, batch 16, 32×32×3).
 *
 * The CDARTS joint step runs a search network of the configuration's search sizes (C, cells,
 * nodes, batch) beside an evaluation network of DARTS_V2's cell (its first `nodes` nodes, so that
 * it fits a smaller search cell): 3 evaluation cells for 'small' (the lab's CDARTS "demo" preset,
 * 3 + 3 cells at these sizes), 8 for 'medium' (the CLI's CDARTS small preset, 5 + 8) and 20 for
 * 'paper' (NNI's example, 8 + 20, DistillHeadCIFAR's 128/768 heads).
 */
import type { CdartsConfig } from '../src/nas/cdarts/cdartsConfig';
import { NNI_CDARTS_CONFIG, SMALL_CDARTS_CONFIG } from '../src/nas/cdarts/cdartsConfig';
import type { Genotype } from '../src/nas/genotype/genotype';
import { concatRange } from '../src/nas/genotype/genotype';
import { DARTS_V2 } from '../src/nas/genotype/publishedGenotypes';
import type { RetrainConfig } from '../src/nas/retrain/retrainConfig';
import { PAPER_RETRAIN_CONFIG } from '../src/nas/retrain/retrainConfig';
import type { DartsSettings } from '../src/nas/darts/dartsKindInfo';
import { DARTS_SCHEMA, dartsSearchConfig } from '../src/nas/darts/dartsKindInfo';
import type { SearchConfig } from '../src/nas/darts/searchConfig';
import { PAPER_SEARCH_CONFIG } from '../src/nas/darts/searchConfig';
import type { RetrainSettings } from '../src/nas/retrain/retrainKindInfo';
import { RETRAIN_SCHEMA } from '../src/nas/retrain/retrainKindInfo';
import { retrainConfigOf } from '../src/nas/retrain/retrainSettings';
import { defaultSettings } from '../src/nas/runKind/settingsSchema';
import type { ConfigName } from './benchTypes';

export interface ImageShape {
  readonly size: number;
  readonly channels: number;
  readonly numClasses: number;
}

export interface BenchConfig {
  readonly name: ConfigName;
  readonly description: string;
  readonly search: SearchConfig;
  readonly retrain: RetrainConfig;
  /** The architecture the retrain workload trains. */
  readonly genotypeName: string;
  readonly genotype: Genotype;
  /** The CDARTS joint step's configuration: the search sizes above, an evaluation depth. */
  readonly cdarts: CdartsConfig;
  /** The cell the CDARTS evaluation network is built of (the genotype it follows). */
  readonly cdartsGenotype: Genotype;
  readonly image: ImageShape;
}

/** The first `nodes` nodes of a genotype, all concatenated, as a search cell's output is. */
export function leadingNodes(genotype: Genotype, nodes: number): Genotype {
  if (2 * nodes > genotype.normal.length || 2 * nodes > genotype.reduce.length) {
    throw new Error(`the genotype has fewer than ${nodes} nodes`);
  }
  return {
    normal: genotype.normal.slice(0, 2 * nodes),
    normalConcat: concatRange(nodes),
    reduce: genotype.reduce.slice(0, 2 * nodes),
    reduceConcat: concatRange(nodes),
  };
}

/** CDARTS on `search`'s network sizes and batch, with `evalLayers` evaluation cells. */
function cdartsOf(search: SearchConfig, base: CdartsConfig, evalLayers: number): CdartsConfig {
  return {
    ...base,
    primitives: search.primitives,
    nodes: search.nodes,
    multiplier: search.multiplier,
    searchLayers: search.layers,
    evalLayers,
    channels: search.channels,
    stemMultiplier: search.stemMultiplier,
    batchSize: search.batchSize,
  };
}

function cdartsDescription(c: CdartsConfig): string {
  return (
    `; CDARTS joint step: that search network beside an evaluation network of ${c.evalLayers} ` +
    `cells of DARTS_V2${c.nodes < 4 ? `'s first ${c.nodes} nodes` : ''}, ` +
    `distillation heads ${c.headWidths.join('/')}`
  );
}

/** The lab's defaults: the DARTS and retrain kinds' demo presets. */
const DEMO_SEARCH = defaultSettings(DARTS_SCHEMA, 'demo') as DartsSettings;
const DEMO_RETRAIN = defaultSettings(RETRAIN_SCHEMA, 'demo') as RetrainSettings;
const QUICK_DEMO = {
  search: dartsSearchConfig(DEMO_SEARCH),
  data: { imageSize: DEMO_SEARCH.imageSize },
};
const QUICK_RETRAIN = { retrain: retrainConfigOf(DEMO_RETRAIN, DEMO_RETRAIN.imageSize) };
/** C 8, 5 cells, batch 16: the medium configuration the speed figures are quoted at. */
const MEDIUM_SEARCH: SearchConfig = {
  ...PAPER_SEARCH_CONFIG,
  layers: 5,
  channels: 8,
  batchSize: 16,
  epochs: 10,
  alphaLr: 3e-3,
};
const CDARTS = {
  small: cdartsOf(QUICK_DEMO.search, SMALL_CDARTS_CONFIG, 3),
  medium: cdartsOf(MEDIUM_SEARCH, SMALL_CDARTS_CONFIG, 8),
  paper: cdartsOf(PAPER_SEARCH_CONFIG, NNI_CDARTS_CONFIG, 20),
};

export const BENCH_CONFIGS: Readonly<Record<ConfigName, BenchConfig>> = {
  small: {
    name: 'small',
    description:
      `the lab's default ("quick demo"): search C ${QUICK_DEMO.search.channels}, ` +
      `${QUICK_DEMO.search.layers} cells, ${QUICK_DEMO.search.nodes} nodes, ` +
      `batch ${QUICK_DEMO.search.batchSize}; retrain DARTS_V2 C ${QUICK_RETRAIN.retrain.channels}, ` +
      `${QUICK_RETRAIN.retrain.layers} cells, batch ${QUICK_RETRAIN.retrain.batchSize}; ` +
      `${QUICK_DEMO.data.imageSize}×${QUICK_DEMO.data.imageSize}×1, 10 classes` +
      cdartsDescription(CDARTS.small),
    search: { ...QUICK_DEMO.search },
    retrain: QUICK_RETRAIN.retrain,
    genotypeName: 'DARTS_V2',
    genotype: DARTS_V2,
    cdarts: CDARTS.small,
    cdartsGenotype: leadingNodes(DARTS_V2, CDARTS.small.nodes),
    image: { size: QUICK_DEMO.data.imageSize, channels: 1, numClasses: 10 },
  },
  medium: {
    name: 'medium',
    description:
      "issue 10's CPU comparison: search C 8, 5 cells, 4 nodes, batch 16 (the CLI's small " +
      'preset at C 8); retrain DARTS_V2 C 8, 5 cells, batch 16; 32×32×3, 10 classes' +
      cdartsDescription(CDARTS.medium),
    search: MEDIUM_SEARCH,
    retrain: { ...QUICK_RETRAIN.retrain, channels: 8, layers: 5, batchSize: 16 },
    genotypeName: 'DARTS_V2',
    genotype: DARTS_V2,
    cdarts: CDARTS.medium,
    cdartsGenotype: leadingNodes(DARTS_V2, CDARTS.medium.nodes),
    image: { size: 32, channels: 3, numClasses: 10 },
  },
  paper: {
    name: 'paper',
    description:
      'DARTS CIFAR-10: search C 16, 8 cells, 4 nodes, batch 64; retrain DARTS_V2 C 36, ' +
      '20 cells, batch 96, auxiliary head; 32×32×3, 10 classes' +
      cdartsDescription(CDARTS.paper),
    search: PAPER_SEARCH_CONFIG,
    retrain: PAPER_RETRAIN_CONFIG,
    genotypeName: 'DARTS_V2',
    genotype: DARTS_V2,
    cdarts: CDARTS.paper,
    cdartsGenotype: leadingNodes(DARTS_V2, CDARTS.paper.nodes),
    image: { size: 32, channels: 3, numClasses: 10 },
  },
};
