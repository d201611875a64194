/**
 * A DARTS recurrent cell drawn with d3 on its fixed layout (`recurrentCellLayout`), with the
 * convolutional cell graph's drawing: edges keyed by their ids enter, leave and re-route in place
 * as the genotype changes. Op names are set as SVG text (never parsed as markup).
 */
import { interrupt } from 'd3';
import { memo, useEffect, useId, useMemo, useRef } from 'react';
import { drawCellLayout, markerIdPrefix, prefersReducedMotion, TRANSITION_MS } from './CellGraph';
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
  const svgRef = useRef<SVGSVGElement>(null);
  const prefix = markerIdPrefix(useId());
  // Keyed by content: equal genes in new arrays do not redraw.
  const key = JSON.stringify([genes, concat]);
  const layout = useMemo(() => recurrentCellLayout(genes, concat), [key]);

  useEffect(() => {
    const el = svgRef.current;
    if (el) drawCellLayout(el, layout, prefix, prefersReducedMotion() ? 0 : TRANSITION_MS);
  }, [layout, prefix]);

  useEffect(() => {
    const el = svgRef.current;
    return () => {
      el?.querySelectorAll('*').forEach((node) => interrupt(node));
    };
  }, []);

  return (
    <svg
      ref={svgRef}
      className="cell-graph"
      role="img"
      aria-label={title}
      data-testid={testId}
      viewBox={`0 0 ${layout.width} ${layout.height}`}
      width="100%"
      style={{ maxWidth: layout.width, height: 'auto', display: 'block' }}
    />
  );
});
