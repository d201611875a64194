/**
 * The lab's "Export for PyTorch": a finished retrain's model file as the zip of the export for
 * PyTorch (src/nas/export/pytorchExport.ts, tfjs-free, so the page builds it itself), named after
 * the model file.
 */
import { exportForPytorch } from '../nas/export/pytorchExport';

export function pytorchDownload(model: { readonly name: string; readonly bytes: ArrayBuffer }): {
  readonly name: string;
  readonly bytes: Uint8Array<ArrayBuffer>;
} {
  const { zip } = exportForPytorch(new Uint8Array(model.bytes));
  return {
    name: `${model.name.replace(/\.nas$/, '')}-pytorch.zip`,
    bytes: new Uint8Array(zip),
  };
}
