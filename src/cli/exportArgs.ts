/**
 * Flags and usage of `nas-lab export` (a trained model for PyTorch) and `nas-lab import` (a
 * PyTorch state_dict back to a trained model), parsed as `evaluate`'s are.
 */
import { parseArgs } from 'node:util';

export interface ExportRequest {
  /** The trained-model file (model.nas of a retrain). */
  readonly model: string;
  /** A folder (model.safetensors, genotype.txt, README.txt) or a path ending in `.zip`. */
  readonly to: string;
}

export interface ImportRequest {
  /** A `.safetensors` state_dict, or an export's `.zip` (its model.safetensors and genotype.txt). */
  readonly from: string;
  /** The genotype file; needed for a state_dict without NAS Lab metadata. */
  readonly genotype: string | undefined;
  /** Image height and width, for a state_dict without NAS Lab metadata. */
  readonly imageSize: { readonly height: number; readonly width: number } | undefined;
  /** The trained-model file to write. */
  readonly to: string;
}

/** The lines `nas-lab --help` adds for the two commands. */
export const EXPORT_COMMAND_LINES =
  `  export      a trained model for PyTorch: DARTS's state_dict as safetensors (nas-lab export --help)\n` +
  `  import      a PyTorch state_dict (safetensors) back to a trained model (nas-lab import --help)\n`;

export const EXPORT_USAGE = `Usage: nas-lab export --model FILE --to DIR|FILE.zip

Writes a trained model (the model.nas that nas-lab retrain writes) as the state_dict() of the
official DARTS network (cnn/model.py NetworkCIFAR, or NetworkImageNet for the ImageNet stem):
model.safetensors, genotype.txt (DARTS's repr) and README.txt, which says how to load them with
load_state_dict(strict=True). See docs/PYTORCH.md.

  --model FILE     the trained-model file
  --to DIR         the folder to write the three files into (created if needed)
  --to FILE.zip    or one zip archive holding them
`;

export const IMPORT_USAGE = `Usage: nas-lab import --from FILE [--genotype FILE] [--image-size N|HxW] --to FILE

Reads the state_dict of the official DARTS network (a nas-lab export, or one saved from PyTorch
as docs/PYTORCH.md shows) and writes it as a trained model that nas-lab evaluate and the lab read.

  --from FILE          model.safetensors, or the zip nas-lab export wrote
  --genotype FILE      the genotype (DARTS repr, NAS Lab JSON or NNI JSON); an export's own
                       is used when absent, a state_dict without NAS Lab metadata needs it
  --image-size N|HxW   the images the network takes, for a state_dict without NAS Lab metadata
                       (default 32, or 224 with the ImageNet stem)
  --to FILE            the trained-model file to write (e.g. model.nas)

A state_dict without NAS Lab metadata gets the paper's training settings and an unknown
training summary (0 epochs, accuracy 0): evaluate it to measure it.
`;

function required(command: string, flag: string, value: string | undefined): string {
  if (value === undefined || value === '') {
    throw new Error(`${command} needs --${flag} (nas-lab ${command} --help)`);
  }
  return value;
}

function parse<O extends Record<string, { type: 'string' | 'boolean' }>>(
  argv: readonly string[],
  options: O,
) {
  return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
}

export function parseExportArgs(argv: readonly string[]): ExportRequest | 'help' {
  const values = parse(argv, {
    model: { type: 'string' },
    to: { type: 'string' },
    help: { type: 'boolean' },
  });
  if (values.help) return 'help';
  return {
    model: required('export', 'model', values.model),
    to: required('export', 'to', values.to),
  };
}

function imageSize(value: string | undefined): ImportRequest['imageSize'] {
  if (value === undefined) return undefined;
  const m = /^(\d+)(?:x(\d+))?$/.exec(value.trim());
  const height = m ? Number(m[1]) : NaN;
  const width = m?.[2] === undefined ? height : Number(m[2]);
  if (!(height >= 1 && width >= 1)) {
    throw new Error(`--image-size expects N or HxW in pixels, got "${value}"`);
  }
  return { height, width };
}

export function parseImportArgs(argv: readonly string[]): ImportRequest | 'help' {
  const values = parse(argv, {
    from: { type: 'string' },
    genotype: { type: 'string' },
    'image-size': { type: 'string' },
    to: { type: 'string' },
    help: { type: 'boolean' },
  });
  if (values.help) return 'help';
  return {
    from: required('import', 'from', values.from),
    genotype: values.genotype,
    imageSize: imageSize(values['image-size']),
    to: required('import', 'to', values.to),
  };
}
