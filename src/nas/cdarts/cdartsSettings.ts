/**
 * The CDARTS settings and the configuration they make, both ways (a checkpoint written before
 * the run kinds holds only a configuration), and their checks across fields, each problem
 * naming its keys. No tfjs here: the kind's descriptor (cdartsKindInfo.ts) uses them.
 */
import type { CdartsConfig, InteractiveType, RegularizedOps } from './cdartsConfig';
import { NNI_CDARTS_CONFIG, validateCdartsConfig } from './cdartsConfig';
import type { CdartsSettings } from './cdartsKindInfo';
import { checkInputSize, reductionIndices } from '../genotype/cellTopology';
import type { OpName } from '../ops/primitives';
import type { KeyPhrase } from '../runKind/configProblems';
import { keyedProblems } from '../runKind/configProblems';
import { splitProblem } from '../runKind/convFields';
import { sharedConfigOf } from '../runKind/convFields';
import type { Settings } from '../runKind/settingsSchema';
import { BN_RECALIBRATION_FILL } from '../ops/bnRecalibrationSetting';

/** The CDARTS configuration the settings describe (unchecked: `validateCdartsConfig` checks). */
export function cdartsConfigOf(s: CdartsSettings): CdartsConfig {
  return {
    ...NNI_CDARTS_CONFIG,
    ...sharedConfigOf(s),
    primitives: s.ops as readonly OpName[],
    nodes: s.nodes,
    // As in DARTS (multiplier = steps), the cell output concatenates every intermediate node.
    multiplier: s.nodes,
    searchLayers: s.layers,
    evalLayers: s.evalLayers,
    headWidths: [s.headConv1, s.headConv2],
    warmupEpochs: s.warmupEpochs,
    evalWarmupEpochs: s.evalWarmupEpochs,
    stepsPerEpoch: s.stepsPerEpoch === 0 ? null : s.stepsPerEpoch,
    weightLr: s.weightLr,
    nasnetLr: s.nasnetLr,
    alphaLr: s.alphaLr,
    weightDecay: s.weightDecay,
    alphaWeightDecay: s.alphaWeightDecay,
    lossAlpha: s.lossAlpha,
    lossT: s.lossT,
    interactiveType: s.interactiveType as InteractiveType,
    regularCoeff: s.regularCoeff,
    regularRatio: s.regularRatio,
    regularizedOps: s.regularizedOps as RegularizedOps,
    fixHead: s.fixHead,
    shareModule: s.shareModule,
  };
}

/** The settings of a CDARTS configuration, with its data (`cdartsConfigOf`'s inverse). */
export function cdartsSettingsOf(
  c: CdartsConfig,
  data: { readonly dataset: string; readonly images: number; readonly imageSize: number },
): Record<keyof CdartsSettings, unknown> {
  return {
    epochs: c.epochs,
    warmupEpochs: c.warmupEpochs,
    evalWarmupEpochs: c.evalWarmupEpochs,
    stepsPerEpoch: c.stepsPerEpoch ?? 0,
    batchSize: c.batchSize,
    channels: c.channels,
    nodes: c.nodes,
    layers: c.searchLayers,
    evalLayers: c.evalLayers,
    ops: [...c.primitives],
    headConv1: c.headWidths[0],
    headConv2: c.headWidths[1],
    weightLr: c.weightLr,
    nasnetLr: c.nasnetLr,
    alphaLr: c.alphaLr,
    weightDecay: c.weightDecay,
    alphaWeightDecay: c.alphaWeightDecay,
    lossAlpha: c.lossAlpha,
    lossT: c.lossT,
    interactiveType: c.interactiveType,
    regularCoeff: c.regularCoeff,
    regularRatio: c.regularRatio,
    regularizedOps: c.regularizedOps,
    fixHead: c.fixHead,
    shareModule: c.shareModule,
    seed: c.seed,
    dataset: data.dataset,
    images: data.images,
    imageSize: data.imageSize,
    checkpointCells: c.checkpointCells !== false,
    // Not in a configuration: the official running statistics (a checkpoint's settings hold it).
    ...BN_RECALIBRATION_FILL,
  };
}

const PHRASES: readonly KeyPhrase[] = [
  ['op', 'ops'],
  ['warm-up epochs', 'warmupEpochs'],
  ['search weight learning rate', 'weightLr'],
  ['evaluation weight learning rate', 'nasnetLr'],
  ['alpha learning rate', 'alphaLr'],
  ['loss_alpha', 'lossAlpha'],
  ['loss_T', 'lossT'],
  ['regular_ratio', 'regularRatio'],
];

/**
 * Why both networks cannot run on size×size images (checkCdartsInputSize's rule: two
 * reductions need a multiple of 4, the second distillation head a 2×2 map), or none.
 */
function imageSizeProblems(s: CdartsSettings): string[] {
  const size = s.imageSize;
  const problems = keyedProblems(() => {
    checkInputSize(s.layers, size, size);
    checkInputSize(s.evalLayers, size, size);
  }, [['image size', 'imageSize']]);
  const factor = 2 ** reductionIndices(s.layers).size;
  if (problems.length === 0 && size / factor < 2) {
    problems.push(
      `imageSize: image size ${size}x${size} leaves a ${size / factor}x${size / factor} map at the second reduction cell; its distillation head needs at least 2x2 (use images of at least ${2 * factor}x${2 * factor})`,
    );
  }
  return problems;
}

/** What `check` finds wrong across fields, each problem naming its keys. */
export function cdartsSettingsProblems(settings: Settings): string[] {
  const s = settings as CdartsSettings;
  const problems = keyedProblems(() => validateCdartsConfig(cdartsConfigOf(s)), PHRASES);
  if (s.imageSize > 0) problems.push(...imageSizeProblems(s));
  const split = splitProblem(s.images, s.batchSize, NNI_CDARTS_CONFIG.trainPortion);
  if (split) problems.push(split);
  return problems;
}
