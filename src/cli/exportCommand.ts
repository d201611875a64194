/**
 * `nas-lab export` and `nas-lab import`: the PyTorch export (src/nas/export/) between files. The
 * export writes a folder or a zip; the import takes a safetensors file or an export's zip, checks
 * the model it writes as `nas-lab evaluate` would read it, and says what it had to assume.
 */
import { join } from 'node:path';
import { EXPORT_FILES, exportForPytorch } from '../nas/export/pytorchExport';
import type { PytorchImportOptions } from '../nas/export/pytorchImport';
import { importFromPytorch } from '../nas/export/pytorchImport';
import { decodeStoredZip } from '../nas/export/storedZip';
import { decodeTrainedModel, DEFAULT_MAX_TRAINED_MODEL_BYTES } from '../nas/retrain/trainedModel';
import type { ExportRequest, ImportRequest } from './exportArgs';
import { readLimitedFile } from './hostFlags';
import type { CliIo } from './runCommand';
import { writeAtomically } from './runCommand';

/** Genotype files are small; anything bigger is refused before it is read. */
const MAX_GENOTYPE_FILE_BYTES = 64 * 1024;

/** Text that starts like JSON or holds a Python `Genotype(` call: a genotype, most likely. */
function looksLikeGenotype(bytes: Uint8Array): boolean {
  const head = new TextDecoder().decode(bytes.subarray(0, 4096)).trimStart();
  return head.startsWith('{') || /\bGenotype\s*\(/.test(head);
}

export function runExportCommand(request: ExportRequest, io: CliIo): void {
  const bytes = readLimitedFile('model', request.model, DEFAULT_MAX_TRAINED_MODEL_BYTES);
  let exported: ReturnType<typeof exportForPytorch>;
  try {
    exported = exportForPytorch(bytes);
  } catch (e) {
    const message = (e as Error).message;
    if (/not a NAS Lab model file/.test(message) && looksLikeGenotype(bytes)) {
      throw new Error(
        `${request.model} looks like a genotype, not a trained model: train one with nas-lab retrain --genotype ${request.model}`,
      );
    }
    throw new Error(`${request.model}: ${message}`);
  }
  const written: string[] = [];
  if (request.to.toLowerCase().endsWith('.zip')) {
    writeAtomically(request.to, exported.zip);
    written.push(request.to);
  } else {
    for (const [name, data] of [
      [EXPORT_FILES.weights, exported.safetensors],
      [EXPORT_FILES.genotype, exported.genotype],
      [EXPORT_FILES.readme, exported.readme],
    ] as const) {
      writeAtomically(join(request.to, name), data);
      written.push(join(request.to, name));
    }
  }
  const { config } = exported.manifest;
  io.err(
    `exported ${request.model} as DARTS's ${exported.network} (C ${config.channels}, ${config.layers} cells, auxiliary head ${config.auxiliary ? 'on' : 'off'}): ${written.join(', ')}\n`,
  );
}

/** The state_dict and, from a zip, the export's genotype. */
function importSource(request: ImportRequest): { weights: Uint8Array; genotype?: string } {
  const bytes = readLimitedFile('from', request.from, DEFAULT_MAX_TRAINED_MODEL_BYTES);
  const zip = bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  if (!zip) return { weights: bytes };
  const entries = new Map(decodeStoredZip(bytes).map((e) => [e.name, e.data]));
  const weights = entries.get(EXPORT_FILES.weights);
  if (!weights) throw new Error(`--from ${request.from}: the zip holds no ${EXPORT_FILES.weights}`);
  const genotype = entries.get(EXPORT_FILES.genotype);
  return { weights, ...(genotype ? { genotype: new TextDecoder().decode(genotype) } : {}) };
}

export function runImportCommand(request: ImportRequest, io: CliIo): void {
  const source = importSource(request);
  const options: PytorchImportOptions = {
    ...(request.genotype !== undefined
      ? {
          genotypeText: new TextDecoder().decode(
            readLimitedFile('genotype', request.genotype, MAX_GENOTYPE_FILE_BYTES),
          ),
          genotypeFile: request.genotype,
        }
      : source.genotype !== undefined
        ? {
            genotypeText: source.genotype,
            genotypeFile: `${request.from}:${EXPORT_FILES.genotype}`,
          }
        : {}),
    ...(request.imageSize ? { imageSize: request.imageSize } : {}),
  };
  let imported: ReturnType<typeof importFromPytorch>;
  try {
    imported = importFromPytorch(source.weights, options);
    // The checks nas-lab evaluate makes: the network builds and takes the images.
    decodeTrainedModel(imported.bytes);
  } catch (e) {
    throw new Error(`${request.from}: ${(e as Error).message}`);
  }
  writeAtomically(request.to, imported.bytes);
  const { config, data } = imported.manifest;
  const what = `C ${config.channels}, ${config.layers} cells, ${config.stem} stem, auxiliary head ${config.auxiliary ? 'on' : 'off'}, ${data.height}x${data.width}x${data.channels} images, ${data.numClasses} classes`;
  io.err(
    imported.inferred
      ? `wrote ${request.to} (${what}; read off the tensors, no NAS Lab metadata: training settings are the paper's, the training summary unknown)\n`
      : `wrote ${request.to} (${what}; from the export's metadata)\n`,
  );
}
