/**
 * PC-DARTS's β beside the genotype a search reports: this project's genotype JSON takes an
 * `edge_weights` field (the normalised β of each cell type, one per edge in the cells' edge
 * order), which readers of the format ignore, so the file still reads as a genotype. DARTS's
 * Python repr (`Genotype(normal=…, …)`) and NNI's architecture have no place for it: their
 * export says so in a first comment line. No tfjs here: the page imports it.
 */
import type { Genotype, GenotypeJson } from '../genotype/genotype';
import { formatGenotypeJson, genotypeToJson } from '../genotype/genotype';
import type { RunFile, RunReport } from '../runKind/runKind';

/** The normalised β of both cell types, [edges] each. */
export interface EdgeWeightsJson {
  readonly normal: readonly number[];
  readonly reduce: readonly number[];
}

export type PcGenotypeJson = GenotypeJson & { edge_weights: EdgeWeightsJson };

export function pcGenotypeJson(genotype: Genotype, edges: EdgeWeightsJson): PcGenotypeJson {
  return {
    ...genotypeToJson(genotype),
    edge_weights: { normal: [...edges.normal], reduce: [...edges.reduce] },
  };
}

/** `genotype.json` with the β. */
export function pcGenotypeFile(genotype: Genotype, edges: EdgeWeightsJson): RunFile {
  return { path: 'genotype.json', data: formatGenotypeJson(pcGenotypeJson(genotype, edges)) };
}

/**
 * A step's or the end's report with its genotype (report and file) holding the β; the report as
 * it is without β (DARTS).
 */
export function withEdgeWeights(
  report: RunReport,
  genotype: Genotype,
  edges: EdgeWeightsJson | undefined,
): RunReport {
  if (!edges || (report.type !== 'step' && report.type !== 'done')) return report;
  const json = pcGenotypeJson(genotype, edges);
  const files = (report.files ?? []).map((f) =>
    f.path === 'genotype.json' ? pcGenotypeFile(genotype, edges) : f,
  );
  return report.type === 'step'
    ? { ...report, genotype: json, files }
    : { ...report, detail: { genotype: json }, files };
}

/**
 * The comment line an export in a format without β opens with, for a genotype JSON that holds
 * them; '' otherwise. `#` opens a comment in Python; NNI's JSON takes none, so it is not used
 * there (the caller says it in words).
 */
export function reprEdgeWeightsNote(json: unknown): string {
  const holds = typeof json === 'object' && json !== null && Object.hasOwn(json, 'edge_weights');
  return holds
    ? "# PC-DARTS: this search also learned edge weights (β); DARTS's Genotype cannot hold them " +
        '(they ranked the edges kept here). The NAS Lab JSON export holds them as edge_weights.\n'
    : '';
}
