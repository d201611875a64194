/**
 * The small trained models the PyTorch export is checked on, built deterministically (seeded
 * uniform draws only, so every JavaScript engine gives the same bytes): weights scaled by their
 * fan-in, BatchNorm γ, β and running statistics drawn away from their initial 1 and 0 so that a
 * mix-up changes the logits. Shared by the export tests and by `writeExportModels.ts`, which
 * writes their exports for `scripts/fixtures/export_ref.py`.
 */
import type { Genotype } from '../../src/nas/genotype/genotype';
import { DARTS_V2 } from '../../src/nas/genotype/publishedGenotypes';
import type { StoredTensor } from '../../src/nas/io/checkpointFormat';
import { encodeContainer } from '../../src/nas/io/checkpointFormat';
import { networkSlots } from '../../src/nas/io/tensorSlots';
import type { RetrainConfig } from '../../src/nas/retrain/retrainConfig';
import { PAPER_RETRAIN_CONFIG } from '../../src/nas/retrain/retrainConfig';
import { evalNetwork } from '../../src/nas/retrain/evalNetwork';
import type { TrainedModelManifest } from '../../src/nas/retrain/trainedModelManifest';
import { trainedModelManifestToJson } from '../../src/nas/retrain/trainedModelManifest';
import { Rng } from '../../src/nas/tensor/random';

/** Every op of the evaluation networks, a FactorizedReduce skip and `none` included. */
export const COVERAGE: Genotype = {
  normal: [
    ['sep_conv_5x5', 1],
    ['skip_connect', 0],
    ['avg_pool_3x3', 0],
    ['dil_conv_5x5', 2],
    ['conv_7x1_1x7', 1],
    ['max_pool_3x3', 3],
    ['sep_conv_7x7', 2],
    ['skip_connect', 2],
  ],
  normalConcat: [2, 4, 5],
  reduce: [
    ['skip_connect', 1],
    ['avg_pool_3x3', 0],
    ['dil_conv_3x3', 0],
    ['sep_conv_3x3', 2],
    ['max_pool_3x3', 1],
    ['none', 3],
  ],
  reduceConcat: [2, 3, 4],
};

export interface ExportCase {
  readonly name: string;
  readonly manifest: TrainedModelManifest;
  readonly seed: number;
}

function exportCase(
  name: string,
  genotype: Genotype,
  config: Partial<RetrainConfig>,
  size: number,
  seed: number,
): ExportCase {
  return {
    name,
    seed,
    manifest: {
      genotype,
      config: { ...PAPER_RETRAIN_CONFIG, channels: 4, layers: 3, epochs: 10, ...config },
      data: { height: size, width: size, channels: 3, numClasses: 10 },
      normalization: { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] },
      training: { epochs: 10, testLoss: 1.25, testAccuracy: 0.5625 },
    },
  };
}

/** NetworkCIFAR without and with the auxiliary head, NetworkImageNet on 224×224 images. */
export const EXPORT_CASES: readonly ExportCase[] = [
  exportCase('cifar', COVERAGE, { auxiliary: false }, 16, 1),
  exportCase('cifarAux', DARTS_V2, { layers: 5, auxiliary: true }, 32, 2),
  exportCase('imagenet', COVERAGE, { auxiliary: true, stem: 'imagenet' }, 224, 3),
];

/** A value for each tensor the network holds, by its role. */
function drawValues(name: string, shape: readonly number[], rng: Rng): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const draw = (low: number, high: number) =>
    Float32Array.from({ length: size }, () => rng.uniform(low, high));
  if (name.endsWith('.gamma') || name.endsWith('.runningVar')) return draw(0.5, 1.5);
  if (name.endsWith('.beta') || name.endsWith('.runningMean')) return draw(-0.2, 0.2);
  if (name.endsWith('.bias')) return draw(-0.1, 0.1);
  // Conv [kh, kw, in, out], depthwise [kh, kw, C, 1], linear [in, out]: fan-in = all but the last.
  const fanIn = size / (shape.at(-1) as number);
  const bound = Math.sqrt(3 / fanIn);
  return draw(-bound, bound);
}

/** The tensors of a case's model file, in the file's order. */
export function exportCaseTensors(c: ExportCase): StoredTensor[] {
  const { genotype, config, data } = c.manifest;
  const net = evalNetwork({
    genotype,
    c: config.channels,
    layers: config.layers,
    numClasses: data.numClasses,
    imageChannels: data.channels,
    auxiliary: config.auxiliary,
    stem: config.stem,
  });
  const rng = Rng.fromSeed(c.seed);
  return networkSlots(net).map((s) => ({
    name: s.name,
    shape: s.shape,
    values: drawValues(s.name, s.shape, rng),
  }));
}

/** The case's trained-model file (`model.nas`). */
export function exportCaseModel(c: ExportCase): Uint8Array {
  return encodeContainer(
    { manifest: trainedModelManifestToJson(c.manifest), tensors: exportCaseTensors(c) },
    Number.MAX_SAFE_INTEGER,
  );
}
