/**
 * The way back: a `.safetensors` state_dict of the official DARTS network (an export of this
 * project, or a model trained on in PyTorch and saved as the README says) and its genotype become
 * a NAS Lab trained-model file again. The export's `__metadata__` holds the model's manifest
 * (configuration, image size, normalisation, training summary); a file without it gets them
 * inferred from the tensors (stem, C, layers, auxiliary head, image channels, classes) and the
 * caller's image size, with the paper's training settings and an unknown training summary
 * (0 epochs, loss and accuracy 0: evaluate it to know). Every tensor is checked against the
 * network of the genotype by name, dtype and shape; errors name the tensor. tfjs-free.
 */
import type { StoredTensor } from '../io/checkpointFormat';
import { encodeContainer } from '../io/checkpointFormat';
import type { Genotype } from '../genotype/genotype';
import { genotypesEqual } from '../genotype/genotype';
import { parseGenotypeAny } from '../genotype/genotypeFormats';
import { PAPER_RETRAIN_CONFIG } from '../retrain/retrainConfig';
import type { TrainedModelManifest } from '../retrain/trainedModelManifest';
import {
  parseTrainedModelManifest,
  trainedModelManifestToJson,
} from '../retrain/trainedModelManifest';
import { dartsStateDict, officialNetwork } from './dartsStateDict';
import { EXPORT_METADATA } from './pytorchExport';
import type { SafeTensor } from './safetensors';
import { decodeSafetensors } from './safetensors';
import { fromTorch } from './torchLayout';

export interface PytorchImportOptions {
  /** The genotype's text (DARTS repr, this project's JSON or NNI's); optional for an export. */
  readonly genotypeText?: string;
  /** Where the genotype text comes from, for messages. */
  readonly genotypeFile?: string;
  /** Image size for a file without NAS Lab metadata (default 32×32, ImageNet stem 224×224). */
  readonly imageSize?: { readonly height: number; readonly width: number };
}

export interface PytorchImport {
  readonly manifest: TrainedModelManifest;
  /** The trained-model file. */
  readonly bytes: Uint8Array;
  /** True when the settings were inferred (no NAS Lab metadata in the file). */
  readonly inferred: boolean;
}

/** Every import error starts with this. */
export function importError(message: string): Error {
  return new Error(`cannot import the safetensors file: ${message}`);
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function tensorShape(byName: ReadonlyMap<string, SafeTensor>, key: string, rank: number): number[] {
  const t = byName.get(key);
  if (!t || t.shape.length !== rank) {
    throw importError(
      `it has no ${rank}-d tensor "${key}": not the state_dict of DARTS's NetworkCIFAR or NetworkImageNet`,
    );
  }
  return [...t.shape];
}

/** The manifest of a foreign state_dict, read off its tensors' names and shapes. */
function inferManifest(
  byName: ReadonlyMap<string, SafeTensor>,
  genotype: Genotype,
  imageSize: PytorchImportOptions['imageSize'],
): TrainedModelManifest {
  const cifar = byName.has('stem.0.weight');
  const [stemOut, imageChannels] = tensorShape(
    byName,
    cifar ? 'stem.0.weight' : 'stem0.3.weight',
    4,
  );
  const channels = cifar ? (stemOut as number) / 3 : (stemOut as number);
  const [numClasses] = tensorShape(byName, 'classifier.weight', 2);
  const cells = [...byName.keys()]
    .map((k) => /^cells\.(\d+)\./.exec(k))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]));
  const inChannels = cifar ? imageChannels : tensorShape(byName, 'stem0.0.weight', 4)[1];
  const size = imageSize ?? (cifar ? { height: 32, width: 32 } : { height: 224, width: 224 });
  const config = {
    ...PAPER_RETRAIN_CONFIG,
    channels,
    layers: cells.length === 0 ? 0 : Math.max(...cells) + 1,
    auxiliary: [...byName.keys()].some((k) => k.startsWith('auxiliary_head.')),
    stem: cifar ? ('cifar' as const) : ('imagenet' as const),
  };
  const json = trainedModelManifestToJson({
    genotype,
    config,
    data: { ...size, channels: inChannels as number, numClasses: numClasses as number },
    normalization: null,
    training: { epochs: 0, testLoss: 0, testAccuracy: 0 },
  });
  try {
    return parseTrainedModelManifest(json);
  } catch (e) {
    throw importError((e as Error).message.replace(/^invalid trained model: /, ''));
  }
}

function exportedManifest(text: string): TrainedModelManifest {
  try {
    return parseTrainedModelManifest(JSON.parse(text) as Record<string, unknown>);
  } catch (e) {
    throw importError(`its ${EXPORT_METADATA.model} metadata: ${(e as Error).message}`);
  }
}

function chosenGenotype(
  options: PytorchImportOptions,
  exported: TrainedModelManifest | null,
): Genotype {
  const given =
    options.genotypeText === undefined
      ? null
      : parseGenotypeAny(options.genotypeText, options.genotypeFile);
  if (given && exported && !genotypesEqual(given, exported.genotype)) {
    throw importError(
      `${options.genotypeFile ?? 'the genotype'} is not the genotype the file was exported with (its ${EXPORT_METADATA.genotype} metadata)`,
    );
  }
  const genotype = given ?? exported?.genotype;
  if (!genotype) {
    throw importError('it holds no NAS Lab metadata, so the genotype must be given (genotype.txt)');
  }
  return genotype;
}

/** The project's tensors, weights then buffers, each checked against its state_dict entry. */
function projectTensors(
  manifest: TrainedModelManifest,
  byName: ReadonlyMap<string, SafeTensor>,
): StoredTensor[] {
  const network = officialNetwork(manifest);
  const entries = dartsStateDict(manifest);
  const weights: StoredTensor[] = [];
  const buffers: StoredTensor[] = [];
  for (const e of entries) {
    const t = byName.get(e.key);
    if (!t)
      throw importError(`it has no tensor "${e.key}", which ${network} of this genotype needs`);
    const dtype = e.source === null ? 'I64' : 'F32';
    if (t.dtype !== dtype) {
      throw importError(`tensor "${e.key}" is ${t.dtype}; ${network} holds it as ${dtype}`);
    }
    if (shapeText(t.shape) !== shapeText(e.shape)) {
      throw importError(
        `tensor "${e.key}" has shape ${shapeText(t.shape)}; ${network} of this genotype and configuration needs ${shapeText(e.shape)}`,
      );
    }
    if (e.source === null) continue;
    const bad = (t.data as Float32Array).findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw importError(`tensor "${e.key}" holds ${t.data[bad]} at index ${bad}`);
    const stored = {
      name: e.source.name,
      shape: e.source.shape,
      values: fromTorch(t.data as Float32Array, t.shape, e.source.layout),
    };
    (e.source.name.startsWith('weights.') ? weights : buffers).push(stored);
  }
  const expected = new Set(entries.map((e) => e.key));
  const extra = [...byName.keys()].find((k) => !expected.has(k));
  if (extra)
    throw importError(
      `it holds tensor "${extra}", which ${network} of this genotype does not have`,
    );
  return [...weights, ...buffers];
}

/** A trained-model file from a safetensors state_dict; throws naming what does not fit. */
export function importFromPytorch(
  safetensorsBytes: Uint8Array,
  options: PytorchImportOptions = {},
): PytorchImport {
  const file = decodeSafetensors(safetensorsBytes);
  const byName = new Map(file.tensors.map((t) => [t.name, t]));
  const metadata = file.metadata[EXPORT_METADATA.model];
  const exported = metadata === undefined ? null : exportedManifest(metadata);
  const genotype = chosenGenotype(options, exported);
  const manifest = exported ?? inferManifest(byName, genotype, options.imageSize);
  let entries: StoredTensor[];
  try {
    entries = projectTensors(manifest, byName);
  } catch (e) {
    if (/^cannot import/.test((e as Error).message)) throw e;
    throw importError((e as Error).message);
  }
  const bytes = encodeContainer(
    { manifest: trainedModelManifestToJson(manifest), tensors: entries },
    Number.MAX_SAFE_INTEGER,
  );
  return { manifest, bytes, inferred: exported === null };
}
