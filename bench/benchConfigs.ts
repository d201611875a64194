/**
 * The configurations every workload runs in. 'small' is what the lab runs by default (the DARTS
 * and retrain kinds' demo presets, on 8×8 Fashion-MNIST-shaped images), so its
 * figures say what a visitor's first search costs; it is also the largest network on which
 * SwiftShader's software WebGPU finishes a step in seconds. 'paper' is the official DARTS
 * CIFAR-10 search network (C 16, 8 cells, batch 64, 32×32×3) and DARTS's retrain network
 * (DARTS_V2, C 36, 20 cells, batch 96, auxiliary head). 'medium' is the network issue 10
 * compares the CPU backends and PyTorch on (C 8, 5 cells, batch 16, 32×32×3).
 */
import type { Genotype } from '../src/nas/genotype/genotype';
import { DARTS_V2 } from '../src/nas/genotype/publishedGenotypes';
import type { RetrainConfig } from '../src/nas/retrain/retrainConfig';
import { PAPER_RETRAIN_CONFIG } from '../src/nas/retrain/retrainConfig';
import type { DartsSettings } from '../src/nas/darts/dartsKindInfo';
import { DARTS_SCHEMA, dartsSearchConfig } from '../src/nas/darts/dartsKindInfo';
import type { SearchConfig } from '../src/nas/darts/searchConfig';
import { PAPER_SEARCH_CONFIG, SMALL_SEARCH_CONFIG } from '../src/nas/darts/searchConfig';
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
  readonly image: ImageShape;
}

/** The lab's defaults: the DARTS and retrain kinds' demo presets. */
const DEMO_SEARCH = defaultSettings(DARTS_SCHEMA, 'demo') as DartsSettings;
const DEMO_RETRAIN = defaultSettings(RETRAIN_SCHEMA, 'demo') as RetrainSettings;
const QUICK_DEMO = {
  search: dartsSearchConfig(DEMO_SEARCH),
  data: { imageSize: DEMO_SEARCH.imageSize },
};
const QUICK_RETRAIN = { retrain: retrainConfigOf(DEMO_RETRAIN, DEMO_RETRAIN.imageSize) };

export const BENCH_CONFIGS: Readonly<Record<ConfigName, BenchConfig>> = {
  small: {
    name: 'small',
    description:
      `the lab's default ("quick demo"): search C ${QUICK_DEMO.search.channels}, ` +
      `${QUICK_DEMO.search.layers} cells, ${QUICK_DEMO.search.nodes} nodes, ` +
      `batch ${QUICK_DEMO.search.batchSize}; retrain DARTS_V2 C ${QUICK_RETRAIN.retrain.channels}, ` +
      `${QUICK_RETRAIN.retrain.layers} cells, batch ${QUICK_RETRAIN.retrain.batchSize}; ` +
      `${QUICK_DEMO.data.imageSize}×${QUICK_DEMO.data.imageSize}×1, 10 classes`,
    search: { ...QUICK_DEMO.search },
    retrain: QUICK_RETRAIN.retrain,
    genotypeName: 'DARTS_V2',
    genotype: DARTS_V2,
    image: { size: QUICK_DEMO.data.imageSize, channels: 1, numClasses: 10 },
  },
  medium: {
    name: 'medium',
    description:
      "issue 10's CPU comparison: search C 8, 5 cells, 4 nodes, batch 16 (the CLI's small " +
      'preset at C 8); retrain DARTS_V2 C 8, 5 cells, batch 16; 32×32×3, 10 classes',
    search: { ...SMALL_SEARCH_CONFIG, channels: 8 },
    retrain: { ...QUICK_RETRAIN.retrain, channels: 8, layers: 5, batchSize: 16 },
    genotypeName: 'DARTS_V2',
    genotype: DARTS_V2,
    image: { size: 32, channels: 3, numClasses: 10 },
  },
  paper: {
    name: 'paper',
    description:
      'DARTS CIFAR-10: search C 16, 8 cells, 4 nodes, batch 64; retrain DARTS_V2 C 36, ' +
      '20 cells, batch 96, auxiliary head; 32×32×3, 10 classes',
    search: PAPER_SEARCH_CONFIG,
    retrain: PAPER_RETRAIN_CONFIG,
    genotypeName: 'DARTS_V2',
    genotype: DARTS_V2,
    image: { size: 32, channels: 3, numClasses: 10 },
  },
};
