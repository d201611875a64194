/**
 * One cell type's architecture weights over time as small multiples: per edge a tiny stacked
 * area chart of softmax(α) (one band per op, coloured by op, normalised to 100 %), titled with
 * the edge, and a caption naming the op DARTS would keep there now (best non-`none` op).
 *
 * The bands are drawn as plain SVG paths with d3-shape's `stack` + `stackOffsetExpand` (what
 * recharts' `stackOffset="expand"` uses underneath): 14 recharts `AreaChart`s × 8 `Area`s cost
 * several times more per update than the whole rest of the page, and these charts need no axes,
 * tooltips or animation.
 *
 * Presentational: keep `history` and `primitives` referentially stable between renders (the
 * memos below key on them), and append to `history` by making a new array.
 */
import type { SeriesPoint } from 'd3';
import { area, stack, stackOffsetExpand } from 'd3';
import { memo, useMemo } from 'react';
import { opColor } from '../opColors';
import type { AlphaRow, AlphaSnapshot, Winner } from './alphaData';
import { alphaRows, opKey, winningOp } from './alphaData';
import { edgeLabels } from './edgeLabels';
import { thinByStride } from './thinning';

export type { AlphaSnapshot } from './alphaData';

export interface AlphaSmallMultiplesProps {
  readonly title: string;
  /** Op names in the softmax's column order. */
  readonly primitives: readonly string[];
  /** Snapshots over time, oldest first. */
  readonly history: readonly AlphaSnapshot[];
  /** Intermediate nodes per cell: the edges of a convolutional cell, where `labels` are not given. */
  readonly steps?: number;
  /** Edge labels in the softmax's row order (default: a convolutional cell's, from `steps`). */
  readonly labels?: readonly string[];
  readonly testId: string;
}

const CHART_WIDTH = 120;
const CHART_HEIGHT = 60;
/** Snapshots drawn per edge at most (one per pixel column): long searches are thinned. */
const MAX_POINTS = CHART_WIDTH;

export function AlphaSmallMultiples({
  title,
  primitives,
  history,
  steps,
  labels: givenLabels,
  testId,
}: AlphaSmallMultiplesProps) {
  const labels = useMemo(() => givenLabels ?? edgeLabels(steps ?? 0), [givenLabels, steps]);
  const thinned = useMemo(() => thinByStride(history, MAX_POINTS), [history]);
  const bands = useMemo(
    () =>
      labels.map((_, e) =>
        stackedBands(alphaRows(thinned, e, primitives.length), primitives.length),
      ),
    [labels, thinned, primitives.length],
  );
  const latest = history[history.length - 1];
  const winners = useMemo(
    () => labels.map((_, e) => winningOp(latest?.softmax[e], primitives)),
    [labels, latest, primitives],
  );
  const stepRange = history.length > 0 ? `steps ${history[0]?.step}–${latest?.step}` : '';
  return (
    <section className="alpha-small-multiples" data-testid={testId}>
      <h3 style={{ margin: '0 0 4px' }}>{title}</h3>
      <OpLegend primitives={primitives} />
      <div
        style={{
          display: 'grid',
          gridTemplateColumns: `repeat(auto-fill, minmax(${CHART_WIDTH + 8}px, 1fr))`,
          gap: 8,
        }}
      >
        {labels.map((label, e) => (
          <EdgeChart
            key={e}
            edge={e}
            label={label}
            bands={bands[e] ?? []}
            primitives={primitives}
            winner={winners[e] ?? null}
            stepRange={stepRange}
          />
        ))}
      </div>
    </section>
  );
}

/**
 * The SVG path of each op's band (index = op index) for a `CHART_WIDTH × CHART_HEIGHT` chart:
 * x = step (first to last snapshot; a lone snapshot spans the width), y = cumulative share,
 * each row normalised to sum 1. Non-finite shares (a diverged run) draw as 0.
 */
export function stackedBands(rows: readonly AlphaRow[], opCount: number): string[] {
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (!first || !last) return [];
  const span = last.step - first.step;
  const x = (index: number, step: number) =>
    span > 0 ? ((step - first.step) / span) * CHART_WIDTH : index === 0 ? 0 : CHART_WIDTH;
  const y = (share: number) => CHART_HEIGHT * (1 - (Number.isFinite(share) ? share : 0));
  const keys = Array.from({ length: opCount }, (_, k) => opKey(k));
  const drawn = rows.length === 1 ? [first, first] : rows;
  const band = area<SeriesPoint<AlphaRow>>()
    .x((p, i) => x(i, p.data.step))
    .y0((p) => y(p[0]))
    .y1((p) => y(p[1]));
  return stack<AlphaRow>()
    .keys(keys)
    .offset(stackOffsetExpand)(drawn)
    .map((series) => band(series) ?? '');
}

interface EdgeChartProps {
  readonly edge: number;
  readonly label: string;
  readonly bands: readonly string[];
  readonly primitives: readonly string[];
  readonly winner: Winner | null;
  readonly stepRange: string;
}

/** One edge: its label, the stacked bands (hover one for its op) and the winner caption. */
const EdgeChart = memo(function EdgeChart({
  edge,
  label,
  bands,
  primitives,
  winner,
  stepRange,
}: EdgeChartProps) {
  return (
    <figure data-edge={edge} style={{ margin: 0, fontSize: 11 }}>
      <div style={{ fontWeight: 600 }}>{label}</div>
      <svg
        width={CHART_WIDTH}
        height={CHART_HEIGHT}
        role="img"
        aria-label={`${label}: op weights over ${stepRange || 'no steps yet'}`}
        style={{ display: 'block', background: '#f5f5f5' }}
      >
        {bands.map((d, k) => (
          <path key={k} d={d} fill={opColor(primitives[k] ?? '')}>
            <title>{primitives[k]}</title>
          </path>
        ))}
      </svg>
      <figcaption>
        {winner ? (
          <>
            <Swatch color={opColor(winner.op)} /> {winner.op}{' '}
            {(winner.probability * 100).toFixed(0)}%
          </>
        ) : (
          'waiting for data'
        )}
      </figcaption>
    </figure>
  );
});

/** The op → colour key shared by every small chart. */
function OpLegend({ primitives }: { readonly primitives: readonly string[] }) {
  return (
    <ul
      style={{
        display: 'flex',
        flexWrap: 'wrap',
        gap: '2px 12px',
        listStyle: 'none',
        padding: 0,
        margin: '0 0 6px',
        fontSize: 11,
      }}
    >
      {primitives.map((op) => (
        <li key={op}>
          <Swatch color={opColor(op)} /> {op}
        </li>
      ))}
    </ul>
  );
}

function Swatch({ color }: { readonly color: string }) {
  return (
    <span
      aria-hidden
      style={{ display: 'inline-block', width: 8, height: 8, background: color, borderRadius: 2 }}
    />
  );
}
