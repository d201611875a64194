/**
 * A trained model for PyTorch: a NAS Lab trained-model file (`model.nas`, retrain/trainedModel.ts)
 * turned into the `state_dict()` of the official DARTS network (`cnn/model.py` NetworkCIFAR or
 * NetworkImageNet) as `model.safetensors`, with `genotype.txt` (DARTS's repr, for
 * `cnn/genotypes.py`) and a README.txt saying how to load them, zipped. tfjs-free: the page
 * exports the bytes it downloaded, the CLI a file.
 *
 * What the model file cannot tell: `num_batches_tracked`, which it does not keep, is written as 0
 * (PyTorch reads it only for BatchNorms with momentum=None; DARTS's have the default 0.1).
 */
import { decodeContainer, CHECKPOINT_MAGIC } from '../io/checkpointFormat';
import type { StoredTensor } from '../io/checkpointFormat';
import { genotypeToRepr } from '../genotype/genotypeRepr';
import type { TrainedModelManifest } from '../retrain/trainedModelManifest';
import {
  parseTrainedModelManifest,
  trainedModelError,
  trainedModelManifestToJson,
} from '../retrain/trainedModelManifest';
import type { StateDictEntry } from './dartsStateDict';
import { dartsStateDict, officialNetwork } from './dartsStateDict';
import { exportReadme } from './exportReadme';
import type { SafeTensor } from './safetensors';
import { encodeSafetensors } from './safetensors';
import { encodeStoredZip } from './storedZip';
import { toTorch } from './torchLayout';

/** Metadata keys of an exported safetensors file (`__metadata__`). */
export const EXPORT_METADATA = {
  /** The trained-model manifest (JSON): genotype, configuration, data, normalisation, training. */
  model: 'nas_lab.trained_model',
  network: 'darts.network',
  genotype: 'darts.genotype',
  /** JSON of the network's constructor arguments: C, num_classes, layers, auxiliary. */
  args: 'darts.args',
  batchesTracked: 'num_batches_tracked',
} as const;

export const BATCHES_TRACKED_NOTE =
  'unknown: a NAS Lab model file does not count BatchNorm batches, written as 0 (PyTorch reads it only when a BatchNorm has momentum=None; DARTS uses 0.1)';

/** The archive's file names. */
export const EXPORT_FILES = {
  weights: 'model.safetensors',
  genotype: 'genotype.txt',
  readme: 'README.txt',
} as const;

export interface PytorchExport {
  readonly network: 'NetworkCIFAR' | 'NetworkImageNet';
  readonly manifest: TrainedModelManifest;
  readonly safetensors: Uint8Array;
  /** `genotype = Genotype(...)`, DARTS's repr. */
  readonly genotype: string;
  readonly readme: string;
  /** The three files, stored, in a zip. */
  readonly zip: Uint8Array;
}

/** The manifest and tensors of a model file; errors as decodeTrainedModel words them. */
export function readTrainedModelFile(bytes: Uint8Array): {
  manifest: TrainedModelManifest;
  tensors: readonly StoredTensor[];
} {
  const head = String.fromCharCode(...bytes.subarray(0, CHECKPOINT_MAGIC.length));
  if (head !== CHECKPOINT_MAGIC) {
    throw trainedModelError(
      `not a NAS Lab model file: it does not start with "${CHECKPOINT_MAGIC}"`,
    );
  }
  let container: ReturnType<typeof decodeContainer>;
  try {
    container = decodeContainer(bytes, Number.MAX_SAFE_INTEGER);
  } catch (e) {
    throw trainedModelError((e as Error).message.replace(/^invalid search checkpoint: /, ''));
  }
  return { manifest: parseTrainedModelManifest(container.manifest), tensors: container.tensors };
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** The state_dict's tensors from the model file's, each checked and permuted. */
function stateTensors(
  entries: readonly StateDictEntry[],
  tensors: readonly StoredTensor[],
): SafeTensor[] {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const used = new Set<string>();
  const out = entries.map((e): SafeTensor => {
    if (e.source === null) {
      return { name: e.key, dtype: 'I64', shape: e.shape, data: new BigInt64Array(1) };
    }
    const t = byName.get(e.source.name);
    if (!t)
      throw trainedModelError(`the file has no tensor "${e.source.name}" (PyTorch's ${e.key})`);
    if (shapeText(t.shape) !== shapeText(e.source.shape)) {
      throw trainedModelError(
        `tensor "${t.name}" has shape ${shapeText(t.shape)}; the network needs ${shapeText(e.source.shape)}`,
      );
    }
    used.add(t.name);
    return {
      name: e.key,
      dtype: 'F32',
      shape: e.shape,
      data: toTorch(t.values, t.shape, e.source.layout),
    };
  });
  const extra = tensors.find((t) => !used.has(t.name));
  if (extra) {
    throw trainedModelError(
      `the file holds tensor "${extra.name}", which the network does not have`,
    );
  }
  return out;
}

/** The constructor arguments of the official network, as the metadata and README give them. */
export function networkArgs(m: TrainedModelManifest): Record<string, number | boolean> {
  return {
    C: m.config.channels,
    num_classes: m.data.numClasses,
    layers: m.config.layers,
    auxiliary: m.config.auxiliary,
  };
}

/** Exports a trained-model file's bytes; throws naming what is wrong with a file that is not one. */
export function exportForPytorch(modelBytes: Uint8Array): PytorchExport {
  const { manifest, tensors } = readTrainedModelFile(modelBytes);
  const network = officialNetwork(manifest);
  const genotype = `${genotypeToRepr(manifest.genotype, 'genotype')}\n`;
  const safetensors = encodeSafetensors({
    metadata: {
      format: 'pt',
      [EXPORT_METADATA.network]: network,
      [EXPORT_METADATA.args]: JSON.stringify(networkArgs(manifest)),
      [EXPORT_METADATA.genotype]: genotypeToRepr(manifest.genotype),
      [EXPORT_METADATA.batchesTracked]: BATCHES_TRACKED_NOTE,
      [EXPORT_METADATA.model]: JSON.stringify(trainedModelManifestToJson(manifest)),
    },
    tensors: stateTensors(dartsStateDict(manifest), tensors),
  });
  const readme = exportReadme(manifest, network);
  const encoder = new TextEncoder();
  const zip = encodeStoredZip([
    { name: EXPORT_FILES.weights, data: safetensors },
    { name: EXPORT_FILES.genotype, data: encoder.encode(genotype) },
    { name: EXPORT_FILES.readme, data: encoder.encode(readme) },
  ]);
  return { network, manifest, safetensors, genotype, readme, zip };
}
