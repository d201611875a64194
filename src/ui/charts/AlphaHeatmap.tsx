/**
 * An alpha group at a glance: its cell's edges as rows, its candidate ops as columns, each square
 * in the op's own colour (opColors.ts), as strong as the op's softmax weight on the edge — full
 * colour at twice the uniform share (2 / ops) or more, so that the first steps' small moves away
 * from uniform already show. The op DARTS would keep on each edge (the strongest but `none`) is
 * outlined. A table of the same numbers is the text alternative, built only when it is opened.
 * Rows carry `data-edge` (the e2e specs count them).
 */
import { memo, useMemo, useState } from 'react';
import type { AlphaGroup } from '../../nas/runKind/runKind';
import { opColor } from '../opColors';
import { winningOp } from './alphaData';

/** Short column heads: the legend and each square's tooltip name the op in full. */
const SHORT: Readonly<Record<string, string>> = {
  none: 'none',
  max_pool_3x3: 'max3',
  avg_pool_3x3: 'avg3',
  skip_connect: 'skip',
  sep_conv_3x3: 'sep3',
  sep_conv_5x5: 'sep5',
  sep_conv_7x7: 'sep7',
  dil_conv_3x3: 'dil3',
  dil_conv_5x5: 'dil5',
  conv_7x1_1x7: '7x1',
  sigmoid: 'sigm',
  identity: 'id',
};

export const shortOp = (op: string): string => SHORT[op] ?? op.slice(0, 5);

const LABEL_W = 118;
const CELL_W = 40;
const CELL_H = 20;
const HEAD_H = 22;

/** The square's strength: the share over twice the uniform share, within [0.04, 1]. */
export function heatStrength(p: number, ops: number): number {
  if (!Number.isFinite(p) || ops <= 0) return 0.04;
  return Math.min(1, Math.max(0.04, (p * ops) / 2));
}

const percent = (p: number | undefined): string =>
  p === undefined || !Number.isFinite(p) ? '–' : `${(p * 100).toFixed(1)}%`;

interface Props {
  readonly group: AlphaGroup;
  /** One label per edge (row), in the core's edge order. */
  readonly labels: readonly string[];
  readonly title: string;
  readonly step: number;
  readonly testId: string;
}

export const AlphaHeatmap = memo(function AlphaHeatmap({
  group,
  labels,
  title,
  step,
  testId,
}: Props) {
  const { ops, softmax } = group;
  const winners = useMemo(() => softmax.map((row) => winningOp(row, ops)), [softmax, ops]);
  const [table, setTable] = useState(false);
  const width = LABEL_W + CELL_W * ops.length;
  const height = HEAD_H + CELL_H * softmax.length;
  return (
    <figure className="alpha-heatmap" data-testid={testId}>
      <figcaption>
        {title} <span className="muted">· step {step}</span>
      </figcaption>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        style={{ maxWidth: width * 1.4 }}
        role="img"
        aria-label={`${title}, step ${step}: softmax of alpha per edge; the table below lists the numbers`}
      >
        {ops.map((op, k) => (
          <text
            key={op}
            className="heat-head"
            x={LABEL_W + CELL_W * k + CELL_W / 2}
            y={HEAD_H - 7}
            textAnchor="middle"
          >
            {shortOp(op)}
          </text>
        ))}
        {softmax.map((row, e) => {
          const y = HEAD_H + CELL_H * e;
          const winner = winners[e];
          return (
            <g key={e} data-edge={e}>
              <text className="heat-label" x={LABEL_W - 6} y={y + CELL_H / 2 + 4} textAnchor="end">
                {labels[e] ?? `edge ${e}`}
              </text>
              {ops.map((op, k) => {
                const p = row[k] ?? Number.NaN;
                const strength = heatStrength(p, ops.length);
                const x = LABEL_W + CELL_W * k;
                return (
                  <g key={op}>
                    <rect
                      className="heat-cell"
                      x={x + 1}
                      y={y + 1}
                      width={CELL_W - 2}
                      height={CELL_H - 2}
                      rx={3}
                      fill={opColor(op)}
                      fillOpacity={strength}
                      stroke={winner?.index === k ? 'currentColor' : 'none'}
                      strokeWidth={2}
                    >
                      <title>{`${labels[e] ?? `edge ${e}`}: ${op} ${percent(p)}`}</title>
                    </rect>
                    <text
                      className={strength > 0.6 ? 'heat-value strong' : 'heat-value'}
                      x={x + CELL_W / 2}
                      y={y + CELL_H / 2 + 4}
                      textAnchor="middle"
                    >
                      {Number.isFinite(p) ? Math.round(p * 100) : ''}
                    </text>
                  </g>
                );
              })}
            </g>
          );
        })}
      </svg>
      <details className="as-table" onToggle={(e) => setTable(e.currentTarget.open)}>
        <summary>{title} as a table</summary>
        {table && (
          <table>
            <caption>
              {title}, step {step}: softmax of alpha, per edge (rows) and op (columns); the kept op
              is the strongest but none
            </caption>
            <thead>
              <tr>
                <th scope="col">Edge</th>
                {ops.map((op) => (
                  <th key={op} scope="col">
                    {op}
                  </th>
                ))}
                <th scope="col">Kept</th>
              </tr>
            </thead>
            <tbody>
              {softmax.map((row, e) => (
                <tr key={e}>
                  <th scope="row">{labels[e] ?? `edge ${e}`}</th>
                  {ops.map((op, k) => (
                    <td key={op}>{percent(row[k])}</td>
                  ))}
                  <td>{winners[e]?.op ?? '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </details>
    </figure>
  );
});
