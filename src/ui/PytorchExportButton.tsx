/**
 * The lab's "Export for PyTorch" button beside a finished retrain's model download: it builds
 * the export's zip on the page (pytorchDownload.ts, tfjs-free) and downloads it, or hands the
 * export's error to the panel.
 */
import { downloadBytes } from './download';
import { pytorchDownload } from './pytorchDownload';

interface Props {
  readonly model: { readonly name: string; readonly bytes: ArrayBuffer };
  /** The export's error, or null after a download. */
  readonly onError: (message: string | null) => void;
}

export function PytorchExportButton({ model, onError }: Props) {
  return (
    <button
      type="button"
      data-testid="export-pytorch"
      title="model.safetensors (DARTS's state_dict), genotype.txt and a README, zipped"
      onClick={() => {
        try {
          const file = pytorchDownload(model);
          downloadBytes(file.bytes, file.name, 'application/zip');
          onError(null);
        } catch (e) {
          onError((e as Error).message);
        }
      }}
    >
      Export for PyTorch
    </button>
  );
}
