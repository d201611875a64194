/**
 * Writes the PyTorch export of each small model of `exportModels.ts` as `<dir>/<case>.safetensors`
 * (and its genotype as `<case>.genotype.txt`), for `scripts/fixtures/export_ref.py`, which loads
 * them into its NetworkCIFAR / NetworkImageNet. Run: `npx tsx test/support/writeExportModels.ts DIR`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportForPytorch } from '../../src/nas/export/pytorchExport';
import { EXPORT_CASES, exportCaseModel } from './exportModels';

const dir = process.argv[2];
if (!dir) throw new Error('usage: npx tsx test/support/writeExportModels.ts DIR');
mkdirSync(dir, { recursive: true });
for (const c of EXPORT_CASES) {
  const exported = exportForPytorch(exportCaseModel(c));
  writeFileSync(join(dir, `${c.name}.safetensors`), exported.safetensors);
  writeFileSync(join(dir, `${c.name}.genotype.txt`), exported.genotype);
}
process.stdout.write(`wrote ${EXPORT_CASES.length} exports to ${dir}\n`);
