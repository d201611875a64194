/**
 * The lab's "Export for PyTorch" download: a finished retrain's model file becomes the export's
 * zip, named after it, with the same bytes the CLI writes; bytes that are not a model file are
 * refused with the export's message (the panel shows it).
 */
import { describe, expect, it } from 'vitest';
import { exportForPytorch } from '../../src/nas/export/pytorchExport';
import { decodeStoredZip } from '../../src/nas/export/storedZip';
import { pytorchDownload } from '../../src/ui/pytorchDownload';
import { EXPORT_CASES, exportCaseModel } from '../support/exportModels';

describe('Export for PyTorch in the lab', () => {
  it("zips the model's export under the model's name", () => {
    const model = exportCaseModel(EXPORT_CASES[0]!);
    const file = pytorchDownload({
      name: 'nas-lab-retrain-model.nas',
      bytes: model.slice().buffer,
    });
    expect(file.name).toBe('nas-lab-retrain-model-pytorch.zip');
    const entries = decodeStoredZip(file.bytes);
    expect(entries.map((e) => e.name)).toEqual(['model.safetensors', 'genotype.txt', 'README.txt']);
    expect(Buffer.from(file.bytes).equals(Buffer.from(exportForPytorch(model).zip))).toBe(true);
  });

  it('refuses bytes that are not a model file', () => {
    expect(() =>
      pytorchDownload({ name: 'x.nas', bytes: new Uint8Array([9, 8, 7]).buffer }),
    ).toThrow(/not a NAS Lab model file/);
  });
});
