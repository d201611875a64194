/** A small legend of op colours, shared by the cell graphs (and the alpha charts). */
import type { OpName } from '../../nas/ops/primitives';
import { OP_COLORS, opColor } from '../opColors';
import { OUTPUT_EDGE_COLOR } from './cellLayout';

export interface OpLegendProps {
  /** Ops to list, in order; defaults to every op that has a colour. */
  readonly ops?: readonly string[];
  /** Also list the unlabelled "into c_{k}" edge colour. */
  readonly showOutputEdge?: boolean;
  readonly title?: string;
}

export const ALL_LEGEND_OPS: readonly OpName[] = Object.keys(OP_COLORS) as OpName[];

const swatch = (color: string) => ({
  display: 'inline-block',
  width: 18,
  height: 0,
  borderTop: `3px solid ${color}`,
  marginRight: 6,
  verticalAlign: 'middle',
});

export function OpLegend({
  ops = ALL_LEGEND_OPS,
  showOutputEdge = false,
  title = 'Operations',
}: OpLegendProps) {
  const items: { key: string; label: string; color: string }[] = ops.map((op) => ({
    key: op,
    label: op,
    color: opColor(op),
  }));
  if (showOutputEdge) {
    items.push({ key: '__output', label: 'into c_{k}', color: OUTPUT_EDGE_COLOR });
  }
  return (
    <ul
      className="op-legend"
      data-testid="op-legend"
      aria-label={title}
      style={{
        listStyle: 'none',
        margin: 0,
        padding: 0,
        display: 'flex',
        flexWrap: 'wrap',
        gap: '4px 14px',
        fontSize: 12,
      }}
    >
      {items.map((item) => (
        <li key={item.key} data-op={item.key} style={{ whiteSpace: 'nowrap' }}>
          <span aria-hidden="true" style={swatch(item.color)} />
          {item.label}
        </li>
      ))}
    </ul>
  );
}
