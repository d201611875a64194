/**
 * A DARTS recurrent cell drawn with d3 on its fixed layout (`recurrentCellLayout`), with the
 * convolutional cell graph's drawing: edges keyed by their ids enter, leave and re-route in place
 * as the genotype changes. Op names are set as SVG text (never parsed as markup).
 */
import { memo } from 'react';
import { CellLayoutGraph, useCellLayout } from './CellGraph';
import type { RecurrentGeneInput } from './recurrentCellLayout';
import { recurrentCellLayout } from './recurrentCellLayout';

export interface RecurrentCellGraphProps {
  readonly title: string;
  readonly genes: readonly RecurrentGeneInput[];
  readonly concat: readonly number[];
  readonly testId?: string;
}

export const RecurrentCellGraph = memo(function RecurrentCellGraph({
  title,
  genes,
  concat,
  testId,
}: RecurrentCellGraphProps) {
  const layout = useCellLayout(recurrentCellLayout, genes, concat);
  return <CellLayoutGraph title={title} layout={layout} testId={testId} />;
});
