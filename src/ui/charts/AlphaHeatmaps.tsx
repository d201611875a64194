/**
 * Every alpha group of a step as a heatmap (AlphaHeatmap.tsx) — a convolutional search's normal
 * and reduction cells, a recurrent search's cell — with one legend of their ops' colours. Test
 * ids `alphas-<group>`.
 */
import { useMemo } from 'react';
import type { AlphaGroup } from '../../nas/runKind/runKind';
import { OpLegend } from '../cellGraph/OpLegend';
import { useStaggeredValue } from '../useStaggeredValue';
import { AlphaHeatmap } from './AlphaHeatmap';
import { alphaRowLabels } from './edgeLabels';

const TITLES: Readonly<Record<string, string>> = {
  normal: 'Normal cell',
  reduce: 'Reduction cell',
  recurrent: 'Recurrent cell',
};

/** The frame slot of the heatmaps: after the metric charts' (MetricCharts.tsx). */
const SLOT = 3;

export function AlphaHeatmaps({
  groups,
  space,
  step,
}: {
  readonly groups: readonly AlphaGroup[];
  readonly space: 'cnn' | 'rnn';
  readonly step: number;
}) {
  const shown = useStaggeredValue(groups, SLOT);
  const ops = useMemo(() => [...new Set(shown.flatMap((g) => g.ops))], [shown]);
  if (shown.length === 0) {
    return (
      <p className="muted empty">The architecture weights appear once the search has begun.</p>
    );
  }
  return (
    <div className="heatmaps">
      {shown.map((group) => (
        <AlphaHeatmap
          key={group.name}
          group={group}
          labels={alphaRowLabels(space, group.softmax.length)}
          title={TITLES[group.name] ?? group.name}
          step={step}
          testId={`alphas-${group.name}`}
        />
      ))}
      <OpLegend ops={ops} title="Operation colours" />
    </div>
  );
}
