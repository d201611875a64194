/**
 * A search's view, of either space, as a grid of panels: the derived cells large in the middle
 * with a timeline slider (a convolutional search's normal and reduction cells, with the CDARTS
 * evaluation network's when it has them; a recurrent search's cell as DARTS draws it), the alpha
 * heatmap beside them, the loss and accuracy (or perplexity) charts, the genotype with its
 * downloads, and the alphas' history as small multiples on demand. Presentational: it draws the
 * run's reports (runTrace.ts) and nothing else; the run's progress is the page's header's.
 * A piece added later is one more `Panel` in one of the grid's two columns.
 */
import { useEffect, useState } from 'react';
import { RNN_ACTIVATIONS } from '../nas/rnn/model/rnnPrimitives';
import type { StepReport } from '../nas/runKind/runKind';
import { CellCost } from './CellCost';
import { CellPair } from './cellGraph/CellPair';
import { cellDescription } from './cellGraph/cellText';
import { OpLegend } from './cellGraph/OpLegend';
import { RecurrentCellGraph } from './cellGraph/RecurrentCellGraph';
import { AlphaGroupCharts } from './charts/AlphaGroupCharts';
import { AlphaHeatmaps } from './charts/AlphaHeatmaps';
import type { ChartSpec } from './charts/MetricCharts';
import { MetricCharts } from './charts/MetricCharts';
import { SmoothingSlider } from './charts/SmoothingSlider';
import { CELL_GENOTYPE_FORMATS, GenotypePanel, RNN_GENOTYPE_FORMATS } from './GenotypePanel';
import { Panel } from './layout/Panel';
import { EntropyChart, UnchangedCounter } from './LearningSignals';
import { COLLAPSE_CHARTS, EarlyStopNotice } from './EarlyStopNotice';
import { PANEL_HELP } from './panelHelp';
import {
  corpusOf,
  evalGenotypeOf,
  isCellGenotype,
  isRnnGenotype,
  searchOps,
} from './reportDetails';
import type { RunTrace } from './runTrace';
import { latestAlphas } from './traceSeries';

type Space = 'cnn' | 'rnn';

const CHARTS: Readonly<Record<Space, readonly ChartSpec[]>> = {
  cnn: [
    { title: 'Loss', metric: 'loss', testId: 'loss-chart' },
    { title: 'Accuracy', metric: 'accuracy', testId: 'accuracy-chart', yDomain: [0, 1] },
    ...COLLAPSE_CHARTS,
  ],
  rnn: [
    { title: 'Perplexity', metric: 'perplexity', testId: 'perplexity-chart' },
    { title: 'Loss (NLL per token)', metric: 'loss', testId: 'rnn-loss-chart' },
  ],
};

const EMPTY: Readonly<Record<Space, string>> = {
  cnn: 'Press Start: the cells are derived from the alphas after every step.',
  rnn: 'Press Start: the cell is derived from the alphas after every step (the built-in text loads first).',
};

/** Whether `genotype` is one of `space`'s (JSON form). */
const isGenotypeOf = (space: Space, genotype: unknown) =>
  space === 'rnn' ? isRnnGenotype(genotype) : isCellGenotype(genotype);

/**
 * The cells of a genotype at a step, as its space draws them, with a legend of the search's own
 * ops (`ops`; the space's full list only while the search has reported none); null where the
 * genotype is not one.
 */
function Cells({
  space,
  genotype,
  step,
  ops,
}: {
  space: Space;
  genotype: unknown;
  step?: StepReport;
  ops: readonly string[] | null;
}) {
  if (space === 'rnn') {
    if (!isRnnGenotype(genotype)) return null;
    return (
      <>
        <div className="recurrent-cell">
          <RecurrentCellGraph
            title={cellDescription('Recurrent cell', genotype.recurrent, 'rnn')}
            genes={genotype.recurrent}
            concat={genotype.concat}
            testId="cell-recurrent"
          />
        </div>
        <OpLegend ops={ops ?? RNN_ACTIVATIONS} />
      </>
    );
  }
  if (!isCellGenotype(genotype)) return null;
  const evalGenotype = evalGenotypeOf(step);
  return (
    <>
      <CellPair genotype={genotype} titles={['Normal cell', 'Reduction cell']} />
      {evalGenotype && (
        <>
          <h3>Evaluation network cells (CDARTS: they follow the search at each cycle)</h3>
          <CellPair
            genotype={evalGenotype}
            titles={['Evaluation network, normal cell', 'Evaluation network, reduction cell']}
            prefix="eval-"
          />
        </>
      )}
      <OpLegend {...(ops ? { ops } : {})} />
    </>
  );
}

function Genotype({ space, genotype, step }: { space: Space; genotype: unknown; step: number }) {
  return space === 'rnn' ? (
    <GenotypePanel
      genotype={isRnnGenotype(genotype) ? genotype : null}
      step={step}
      formats={RNN_GENOTYPE_FORMATS}
      prefix="rnn-"
    />
  ) : (
    <GenotypePanel
      genotype={isCellGenotype(genotype) ? genotype : null}
      step={step}
      formats={CELL_GENOTYPE_FORMATS}
      prefix=""
    />
  );
}

/** The alphas' history as small multiples, drawn only while it is unfolded (it is the costliest). */
function AlphaHistory({ trace, space }: { trace: RunTrace | null; space: Space }) {
  const [open, setOpen] = useState(false);
  return (
    <details onToggle={(e) => setOpen(e.currentTarget.open)} data-testid="alpha-history">
      <summary>Show every edge&apos;s weights over the steps</summary>
      {open && <AlphaGroupCharts trace={trace} space={space} />}
    </details>
  );
}

export function SearchResults({
  space,
  trace,
  smoothing,
  onSmoothingChange,
}: {
  readonly space: Space;
  /** The search's reports (null before one ran). */
  readonly trace: RunTrace | null;
  readonly smoothing: number;
  readonly onSmoothingChange: (smoothing: number) => void;
}) {
  const steps = trace?.steps ?? [];
  const [timeline, setTimeline] = useState<number | null>(null);
  // A new run follows its latest step again.
  useEffect(() => {
    if (steps.length === 0) setTimeline(null);
  }, [steps.length]);
  const last = steps.at(-1);
  const shownIndex = timeline === null ? steps.length - 1 : Math.min(timeline, steps.length - 1);
  const shown = steps[shownIndex];
  // Before its first step, a resumed run stands where its checkpoint did.
  const genotype = shown ? shown.genotype : trace?.opening.genotype;
  const shownStep = shown?.step ?? trace?.opening.step ?? 0;
  const alphas = shown?.alphas ?? latestAlphas(trace);
  const corpus = corpusOf(trace);
  const help = PANEL_HELP[space];

  return (
    <div className="panel-grid search-grid">
      {/* Two columns, each a stack, so that a tall panel leaves no hole beside a short one. */}
      <div className="panel-column">
        <Panel
          id="cells"
          className="cells-panel"
          title={space === 'rnn' ? 'Derived recurrent cell' : 'Derived cells'}
          help={help.cells}
        >
          {isGenotypeOf(space, genotype) ? (
            <>
              <label className="timeline">
                <span>
                  Step {shownStep} of {last?.step ?? shownStep}
                </span>
                <input
                  type="range"
                  aria-label="Timeline"
                  min={0}
                  max={Math.max(steps.length - 1, 0)}
                  value={Math.max(shownIndex, 0)}
                  onChange={(e) => {
                    const v = e.target.valueAsNumber;
                    setTimeline(v >= steps.length - 1 ? null : v);
                  }}
                />
              </label>
              <Cells
                space={space}
                genotype={genotype}
                ops={searchOps(trace)}
                {...(shown ? { step: shown } : {})}
              />
            </>
          ) : (
            <p className="muted empty">{EMPTY[space]}</p>
          )}
        </Panel>
        <Panel id="metrics" className="metrics-panel" title="Training curves" help={help.metrics}>
          {corpus && (
            <p className="muted" data-testid="rnn-corpus">
              Built-in text at {corpus.level} level: vocabulary of {corpus.vocabularySize} tokens,{' '}
              {corpus.trainTokens} training tokens (weights), {corpus.validTokens} validation tokens
              (alphas and per-epoch evaluation).
            </p>
          )}
          <EarlyStopNotice trace={trace} />
          <MetricCharts trace={trace} charts={CHARTS[space]} smoothing={smoothing} />
          <EntropyChart trace={trace} />
          <SmoothingSlider value={smoothing} onChange={onSmoothingChange} />
        </Panel>
      </div>
      <div className="panel-column">
        <Panel id="alphas" className="alphas-panel" title="Architecture weights" help={help.alphas}>
          <AlphaHeatmaps groups={alphas} space={space} step={shownStep} />
        </Panel>
        <Panel id="genotype" className="genotype-panel" title="Genotype" help={help.genotype}>
          <Genotype space={space} genotype={genotype} step={shownStep} />
          <UnchangedCounter trace={trace} />
          {space === 'cnn' && <CellCost genotype={genotype} />}
        </Panel>
      </div>
      <Panel
        id="alpha-history"
        className="wide"
        title="Architecture weights over time"
        help={help.history}
      >
        <AlphaHistory trace={trace} space={space} />
      </Panel>
    </div>
  );
}
