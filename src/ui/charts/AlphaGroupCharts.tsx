/**
 * A run's architecture weights over time: one grid of small multiples per alpha group its reports
 * carry (a convolutional search's `normal` and `reduce`, a recurrent search's `recurrent`), with
 * the group's ops as columns and its cell's edges as rows. One frame apart each (after the
 * metric charts), so that a step's redraw is several short tasks.
 */
import { useMemo } from 'react';
import type { AlphaGroup } from '../../nas/runKind/runKind';
import type { RunTrace } from '../runTrace';
import { alphaHistory, latestAlphas } from '../traceSeries';
import { useStaggeredValue } from '../useStaggeredValue';
import { AlphaSmallMultiples } from './AlphaSmallMultiples';
import { alphaRowLabels } from './edgeLabels';

const TITLES: Readonly<Record<string, string>> = {
  normal: 'Normal cell',
  reduce: 'Reduction cell',
  recurrent: 'Recurrent cell: node i ← node j',
  // PC-DARTS's edge normalisation: one β per edge, a softmax over each node's inputs.
  normalEdges: 'Normal cell: edge weights β',
  reduceEdges: 'Reduction cell: edge weights β',
};

/** The first frame slot of the alpha grids (the metric charts take the ones before). */
const FIRST_SLOT = 3;

function GroupChart({
  trace,
  group,
  space,
  slot,
}: {
  readonly trace: RunTrace;
  readonly group: AlphaGroup;
  readonly space: 'cnn' | 'rnn';
  readonly slot: number;
}) {
  const { name } = group;
  const history = useMemo(() => alphaHistory(trace, name), [trace, name]);
  const shown = useStaggeredValue(history, slot);
  const rows = group.softmax.length;
  const labels = useMemo(() => alphaRowLabels(space, rows), [space, rows]);
  // The same ops arrive as new arrays with every step: one array while they do not change.
  const opsKey = group.ops.join('\n');
  const ops = useMemo(() => opsKey.split('\n'), [opsKey]);
  return (
    <AlphaSmallMultiples
      title={TITLES[name] ?? name}
      primitives={ops}
      history={shown}
      labels={labels}
      testId={`alpha-multiples-${name}`}
    />
  );
}

export function AlphaGroupCharts({
  trace,
  space,
}: {
  readonly trace: RunTrace | null;
  readonly space: 'cnn' | 'rnn';
}) {
  const groups = latestAlphas(trace);
  if (!trace || groups.length === 0) {
    return <p className="muted">The architecture weights appear once the search has begun.</p>;
  }
  return (
    <>
      {groups.map((group, i) => (
        <GroupChart
          key={group.name}
          trace={trace}
          group={group}
          space={space}
          slot={FIRST_SLOT + i}
        />
      ))}
    </>
  );
}
