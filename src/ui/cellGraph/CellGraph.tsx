/**
 * One DARTS cell drawn with d3 on a fixed layout (`cellLayout`): as the genotype changes, edges
 * enter, leave and re-route in place (~300 ms), keyed by their stable ids. With
 * `prefers-reduced-motion: reduce` the picture changes without transitions.
 *
 * React owns the <svg> element; d3 owns everything inside it.
 */
// `interrupt` comes from d3-transition: importing a binding from it also keeps its side effect
// (it adds `selection.transition()`), which a bundler would otherwise shake out of `d3`.
import { interrupt, select } from 'd3';
import type { BaseType, Selection } from 'd3';
import { memo, useEffect, useId, useMemo, useRef } from 'react';
import type { Gene } from '../../nas/genotype/genotype';
import type { CellEdge, CellLayout, CellNode, CellNodeKind } from './cellLayout';
import { cellLayout } from './cellLayout';

export interface CellGraphProps {
  /** Accessible name of the picture, e.g. "Normal cell". */
  readonly title: string;
  readonly genes: readonly Gene[];
  readonly concat: readonly number[];
  readonly testId?: string;
}

const TRANSITION_MS = 300;

/** Fill colours as in DARTS-style figures: inputs light blue, nodes light grey, output yellow. */
const NODE_FILLS: Readonly<Record<CellNodeKind, string>> = {
  input: '#cfe8fc',
  intermediate: '#e6e6e6',
  output: '#f6e7a1',
};
const NODE_STROKE = '#4a4a4a';
const TEXT_COLOR = '#1f1f1f';
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/** `useId` output made safe for an XML id and a `url(#…)` reference. */
export function markerIdPrefix(reactId: string): string {
  return `cell-${reactId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

function markerId(prefix: string, color: string): string {
  return `${prefix}-arrow-${color.replace(/[^A-Za-z0-9]/g, '')}`;
}

function prefersReducedMotion(): boolean {
  return (
    typeof window !== 'undefined' &&
    typeof window.matchMedia === 'function' &&
    window.matchMedia('(prefers-reduced-motion: reduce)').matches
  );
}

type Attrs<D> = Record<string, (d: D) => string | number>;

/** Sets attributes at once, or through a transition of `ms` milliseconds. */
function setAttrs<E extends BaseType, D, P extends BaseType>(
  sel: Selection<E, D, P, unknown>,
  ms: number,
  attrs: Attrs<D>,
): void {
  if (ms > 0) {
    const t = sel.transition().duration(ms);
    for (const [name, value] of Object.entries(attrs)) t.attr(name, value);
  } else {
    for (const [name, value] of Object.entries(attrs)) sel.attr(name, value);
  }
}

/** Fades out and removes, or removes at once. */
function leave<E extends BaseType, D, P extends BaseType>(
  sel: Selection<E, D, P, unknown>,
  ms: number,
): void {
  if (ms > 0) sel.transition().duration(ms).attr('opacity', 0).remove();
  else sel.remove();
}

/** Text centred on its anchor in the cell's font, `size` px. */
function centredText<E extends BaseType, D, P extends BaseType>(
  sel: Selection<E, D, P, unknown>,
  size: number,
): Selection<E, D, P, unknown> {
  return sel
    .attr('text-anchor', 'middle')
    .attr('dominant-baseline', 'central')
    .attr('font-family', FONT)
    .attr('font-size', size);
}

/**
 * The `tag.cls` elements of `layer` joined to `data` by id: new ones are made by `create` (which
 * sets their class) and fade in, kept ones move to `moves` (through a transition), gone ones fade
 * out; every one of them, for the attributes that follow.
 */
function joinFaded<E extends SVGElement, D extends { readonly id: string }>(
  layer: Selection<SVGGElement, string, SVGSVGElement, unknown>,
  tag: string,
  cls: string,
  data: readonly D[],
  ms: number,
  create: (entered: Selection<E, D, SVGGElement, string>) => void,
  moves: Attrs<D>,
): Selection<E, D, SVGGElement, string> {
  return layer
    .selectAll<E, D>(`${tag}.${cls}`)
    .data(data, (d) => d.id)
    .join(
      (enter) => {
        const entered = enter.append<E>(tag).attr('class', cls);
        create(entered);
        entered.attr('opacity', ms > 0 ? 0 : 1);
        setAttrs(entered, ms, { opacity: () => 1 });
        return entered;
      },
      (update) => {
        setAttrs(update, ms, { ...moves, opacity: () => 1 });
        return update;
      },
      (exit) => {
        leave(exit, ms);
        return exit;
      },
    );
}

/** Draws a layout into the svg (the recurrent cell graph draws its own layout with it). */
function drawCellLayout(
  svgEl: SVGSVGElement,
  layout: CellLayout,
  prefix: string,
  ms: number,
): void {
  const svg = select(svgEl);

  // Skeleton, created once.
  const layer = (name: string) =>
    svg
      .selectAll<SVGGElement, string>(`g.${name}`)
      .data([name])
      .join('g')
      .attr('class', (d) => d);
  const defs = svg.selectAll<SVGDefsElement, null>('defs').data([null]).join('defs');
  const edgeLayer = layer('cell-edges');
  const nodeLayer = layer('cell-nodes');
  // Keep nodes above edges, edges' labels above both (their own layer, see below).
  const labelLayer = layer('cell-edge-labels');
  edgeLayer.lower();
  defs.lower();
  nodeLayer.raise();
  labelLayer.raise();

  // One arrowhead per colour (markers don't inherit the path's stroke). Markers of colours no
  // longer in use are kept, so edges fading out keep their arrowheads; there are few colours.
  const colors = [...new Set(layout.edges.map((e) => e.color))];
  const known = svg
    .selectAll<SVGMarkerElement, string>('defs marker')
    .data()
    .filter((c) => !colors.includes(c));
  defs
    .selectAll<SVGMarkerElement, string>('marker')
    .data([...known, ...colors], (d) => d)
    .join((enter) => {
      const m = enter
        .append('marker')
        .attr('viewBox', '0 0 10 10')
        .attr('refX', 9)
        .attr('refY', 5)
        .attr('markerWidth', 7)
        .attr('markerHeight', 7)
        .attr('markerUnits', 'userSpaceOnUse')
        .attr('orient', 'auto-start-reverse');
      m.append('path').attr('d', 'M0,0 L10,5 L0,10 z');
      return m;
    })
    .attr('id', (c) => markerId(prefix, c))
    .select('path')
    .attr('fill', (c) => c);

  // Edges.
  joinFaded<SVGPathElement, CellEdge>(
    edgeLayer,
    'path',
    'cell-edge',
    layout.edges,
    ms,
    (p) =>
      p
        .attr('class', (e) => (e.op === null ? 'cell-edge cell-edge-output' : 'cell-edge'))
        .attr('fill', 'none')
        .attr('stroke-width', 1.6)
        .attr('d', (e) => e.path)
        .attr('stroke', (e) => e.color),
    { d: (e) => e.path, stroke: (e) => e.color },
  )
    .attr('data-edge', (e) => e.id)
    .attr('data-op', (e) => e.op ?? '')
    // The arrowhead switches colour at once; the stroke fades to it.
    .attr('marker-end', (e) => `url(#${markerId(prefix, e.color)})`);

  // Edge labels: the op name, at the middle of the curve, with a halo for legibility.
  joinFaded<SVGTextElement, CellEdge>(
    labelLayer,
    'text',
    'cell-edge-label',
    layout.edges.filter((e) => e.op !== null),
    ms,
    (t) =>
      centredText(t, 10)
        .attr('paint-order', 'stroke')
        .attr('stroke', '#ffffff')
        .attr('stroke-width', 3)
        .attr('stroke-linejoin', 'round')
        .attr('x', (e) => e.labelX)
        .attr('y', (e) => e.labelY),
    { x: (e) => e.labelX, y: (e) => e.labelY },
  )
    .attr('data-edge', (e) => e.id)
    .attr('fill', (e) => e.color)
    .text((e) => e.op ?? '');

  // Nodes: fixed per node count, so they only move when the node count changes.
  const { nodeWidth: w, nodeHeight: h } = layout;
  const translate = (n: CellNode) => `translate(${n.x},${n.y})`;
  joinFaded<SVGGElement, CellNode>(
    nodeLayer,
    'g',
    'cell-node',
    layout.nodes,
    ms,
    (g) => {
      g.attr('transform', translate);
      g.append('rect').attr('rx', 6).attr('ry', 6).attr('stroke', NODE_STROKE);
      centredText(g.append('text').attr('class', 'cell-node-label'), 12).attr('fill', TEXT_COLOR);
    },
    { transform: translate },
  )
    .attr('data-node', (n) => n.id)
    .attr('data-kind', (n) => n.kind)
    .call((g) => {
      g.select('rect')
        .attr('x', -w / 2)
        .attr('y', -h / 2)
        .attr('width', w)
        .attr('height', h)
        .attr('fill', (n) => NODE_FILLS[n.kind]);
      g.select('text').text((n) => n.label);
    });
}

/** Stable key for a cell's content, so new arrays with the same genes don't redraw. */
function cellKey(genes: readonly unknown[], concat: readonly number[]): string {
  return JSON.stringify([genes, concat]);
}

/**
 * The layout of `genes` and `concat` by `lay` (either kind of cell), computed again only when
 * their content changes: a parent may rebuild equal arrays on every render.
 */
export function useCellLayout<G>(
  lay: (genes: readonly G[], concat: readonly number[]) => CellLayout,
  genes: readonly G[],
  concat: readonly number[],
): CellLayout {
  const key = cellKey(genes, concat);
  return useMemo(() => lay(genes, concat), [key]);
}

/** Draws a laid-out cell (convolutional or recurrent) and re-routes it as the layout changes. */
export const CellLayoutGraph = memo(function CellLayoutGraph({
  title,
  layout,
  testId,
}: {
  readonly title: string;
  readonly layout: CellLayout;
  readonly testId?: string | undefined;
}) {
  const svgRef = useRef<SVGSVGElement>(null);
  const prefix = markerIdPrefix(useId());

  useEffect(() => {
    const el = svgRef.current;
    if (!el) return;
    drawCellLayout(el, layout, prefix, prefersReducedMotion() ? 0 : TRANSITION_MS);
  }, [layout, prefix]);

  // Stop running transitions when the component goes away.
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

export const CellGraph = memo(function CellGraph({ title, genes, concat, testId }: CellGraphProps) {
  const layout = useCellLayout(cellLayout, genes, concat);
  return <CellLayoutGraph title={title} layout={layout} testId={testId} />;
});
