/**
 * The line `nas-lab search` prints after its summary: what the genotype it found costs as an
 * evaluation network (parameters, multiply-adds) at the sizes the genotype file names, read from
 * the `genotype.json` the run's last report offers, so that the line says what the file says.
 */
import type { DoneReport } from '../nas/runKind/runKind';
import { genotypeCostOfJson, genotypeCostText } from '../nas/genotype/genotypeCostText';

/** `evaluation network: 3.35M parameters (…), 528M multiply-adds per image at C 36, …`, or null. */
export function costLine(report: DoneReport): string | null {
  const file = report.files?.find((f) => f.path === 'genotype.json');
  if (!file || typeof file.data !== 'string') return null;
  let json: unknown;
  try {
    json = JSON.parse(file.data);
  } catch {
    return null;
  }
  const read = genotypeCostOfJson(json);
  return read && `evaluation network: ${genotypeCostText(read.cost, read.network)}`;
}
