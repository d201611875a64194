/**
 * The results of a recurrent (DARTS RNN) search: progress, perplexity and loss charts, the
 * recurrent cell as DARTS draws it with a timeline slider, the genotype and the softmax of every
 * edge's alphas over time. Presentational: it only draws what the worker streamed.
 */
import { useMemo, useState } from 'react';
import { RNN_ACTIVATIONS, RNN_PRIMITIVES, RNN_STEPS } from '../nas/rnn/model/rnnPrimitives';
import type { RunStatus } from '../worker/protocol';
import { OpLegend } from './cellGraph/OpLegend';
import { RecurrentCellGraph } from './cellGraph/RecurrentCellGraph';
import { AlphaSmallMultiples } from './charts/AlphaSmallMultiples';
import { MetricChart } from './charts/MetricChart';
import { SmoothingSlider } from './charts/SmoothingSlider';
import { Progress } from './Progress';
import { RecurrentGenotypePanel } from './RecurrentGenotypePanel';
import { rnnEdgeLabels, rnnLossSeries, rnnPerplexitySeries } from './recurrentSeries';
import type { RecurrentView } from './recurrentView';
import { EMPTY_RECURRENT_VIEW } from './recurrentView';
import { useStaggeredValue } from './useStaggeredValue';

const LABELS = rnnEdgeLabels(RNN_STEPS);

export function RecurrentResults({
  view,
  status,
  smoothing,
  onSmoothingChange,
  resumedStep = 0,
}: {
  view: RecurrentView | null;
  status: RunStatus;
  /** The step a run loaded from a checkpoint resumes at, before its first new step. */
  resumedStep?: number;
  smoothing: number;
  onSmoothingChange: (smoothing: number) => void;
}) {
  const { steps, epochs, corpus } = view ?? EMPTY_RECURRENT_VIEW;
  const [timeline, setTimeline] = useState<number | null>(null);
  const last = steps.at(-1);
  const shownIndex = timeline === null ? steps.length - 1 : Math.min(timeline, steps.length - 1);
  const shown = steps[shownIndex];
  const genotype = shown?.genotype ?? null;

  const perplexity = useMemo(() => rnnPerplexitySeries(steps, epochs), [steps, epochs]);
  const loss = useMemo(() => rnnLossSeries(steps, epochs), [steps, epochs]);
  const history = useMemo(
    () => steps.map((p) => ({ step: p.step, softmax: p.alphaSoftmax })),
    [steps],
  );
  // One frame apart each, so that a step's redraw is several short tasks.
  const perplexityShown = useStaggeredValue(perplexity, 1);
  const lossShown = useStaggeredValue(loss, 2);
  const historyShown = useStaggeredValue(history, 3);
  const progress = last
    ? {
        step: last.step,
        epoch: last.epoch,
        totalSteps: last.totalSteps,
        elapsedMs: last.elapsedMs,
        imagesPerSecond: last.tokensPerSecond,
      }
    : null;

  return (
    <>
      <Progress status={status} last={progress} resumedStep={resumedStep} unit="tokens" />
      {corpus && (
        <p className="muted" data-testid="rnn-corpus">
          Built-in text at {corpus.level} level: vocabulary of {corpus.vocabularySize} tokens,{' '}
          {corpus.trainTokens} training tokens (weights), {corpus.validTokens} validation tokens
          (alphas and per-epoch evaluation).
        </p>
      )}
      <div className="charts">
        <MetricChart
          title="Perplexity"
          series={perplexityShown}
          smoothing={smoothing}
          testId="perplexity-chart"
        />
        <MetricChart
          title="Loss (NLL per token)"
          series={lossShown}
          smoothing={smoothing}
          testId="rnn-loss-chart"
        />
      </div>
      <SmoothingSlider value={smoothing} onChange={onSmoothingChange} />
      <h2>Derived recurrent cell</h2>
      {genotype ? (
        <>
          <label className="timeline">
            <span>
              Step {shown?.step ?? 0} of {last?.step ?? 0}
            </span>
            <input
              type="range"
              aria-label="Timeline"
              min={0}
              max={Math.max(steps.length - 1, 0)}
              value={shownIndex}
              onChange={(e) => {
                const v = e.target.valueAsNumber;
                setTimeline(v >= steps.length - 1 ? null : v);
              }}
            />
          </label>
          <div className="recurrent-cell">
            <RecurrentCellGraph
              title="Recurrent cell"
              genes={genotype.recurrent}
              concat={genotype.concat}
              testId="cell-recurrent"
            />
          </div>
          <OpLegend ops={RNN_ACTIVATIONS} />
        </>
      ) : (
        <p className="muted">
          Press Start: the cell is derived from the alphas after every step (the built-in text loads
          first).
        </p>
      )}
      <h2>Genotype</h2>
      <RecurrentGenotypePanel genotype={genotype} step={shown?.step ?? 0} />
      <h2>Architecture weights (softmax of alpha per edge)</h2>
      <AlphaSmallMultiples
        title="Recurrent cell: node i ← node j"
        primitives={RNN_PRIMITIVES}
        history={historyShown}
        steps={RNN_STEPS}
        labels={LABELS}
        testId="alphas-recurrent"
      />
    </>
  );
}
