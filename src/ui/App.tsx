/**
 * NAS Lab: one screen. Settings on the left; progress, live charts, the derived cells and the
 * genotype on the right. The search runs in a worker; this thread only draws.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Gene, GenotypeJson } from '../nas/genotype/genotype';
import type { LabConfig, RetrainLabConfig } from '../worker/protocol';
import { CellGraph } from './cellGraph/CellGraph';
import { OpLegend } from './cellGraph/OpLegend';
import { AlphaSmallMultiples } from './charts/AlphaSmallMultiples';
import { MetricChart } from './charts/MetricChart';
import { SmoothingSlider } from './charts/SmoothingSlider';
import { AutosavePanel } from './AutosavePanel';
import { CheckpointButtons } from './CheckpointButtons';
import { ControlPanel } from './ControlPanel';
import { GenotypePanel } from './GenotypePanel';
import { Progress } from './Progress';
import {
  accuracySeries as searchAccuracySeries,
  lossSeries as searchLossSeries,
} from './searchSeries';
import { RetrainPanel } from './RetrainPanel';
import { RecurrentResults } from './RecurrentResults';
import { RecurrentRetrainPanel } from './RecurrentRetrainPanel';
import { configFromQuery, configToQuery } from './urlState';
import { useLab } from './useLab';
import { useStaggeredValue } from './useStaggeredValue';
import { DEFAULT_AUTOSAVE_EVERY } from '../worker/autosaveDefaults';
import { labConfigProblem } from './validateLabConfig';
import { findRunKind } from '../nas/runKind/registry';
import type { LabRun } from './labRuns';
import { labConfigOfRun, liveValues, runOfLabConfig, runOfRetrain } from './labRuns';

const genes = (g: [string, number][]): Gene[] => g as unknown as Gene[];

function initialConfig(): { config: LabConfig; ignored: string[] } {
  return configFromQuery(window.location.search);
}

export function App() {
  const [{ config, ignored }, setState] = useState(initialConfig);
  const [smoothing, setSmoothing] = useState(0.6);
  const [timeline, setTimeline] = useState<number | null>(null);
  const [autosaveEvery, setAutosaveEvery] = useState(DEFAULT_AUTOSAVE_EVERY);
  const lab = useLab();
  const problem = labConfigProblem(config);
  const busy = lab.status === 'loading' || lab.status === 'running' || lab.status === 'paused';
  const recurrent = config.space === 'recurrent';

  useEffect(() => {
    const query = configToQuery(config);
    window.history.replaceState(null, '', query ? `?${query}` : window.location.pathname);
  }, [config]);

  const { setLive } = lab;
  const runningKind = lab.run?.kind ?? null;
  const onConfigChange = useCallback(
    (c: LabConfig) => {
      const run = busy && labConfigProblem(c) === null ? runOfLabConfig(c) : null;
      // Only the running kind's live settings (a retrain's form is not this one).
      if (run && run.kind === runningKind) setLive(liveValues(run));
      setState({ config: c, ignored: [] });
    },
    [busy, setLive, runningKind],
  );

  // A search loaded from a checkpoint brings its settings with it.
  useEffect(() => {
    const restored = lab.resumedFrom?.config;
    if (restored) setState({ config: restored, ignored: [] });
  }, [lab.resumedFrom]);
  const restoredRun = lab.run && lab.run.step > 0 ? lab.run : null;
  useEffect(() => {
    if (!restoredRun) return;
    setState((s) => {
      const restored = labConfigOfRun(restoredRun, s.config);
      return restored ? { config: { ...restored, backend: s.config.backend }, ignored: [] } : s;
    });
  }, [restoredRun]);

  const restoredRnnRetrain = useMemo(
    () =>
      restoredRun && findRunKind(restoredRun.kind)?.info.select.space === 'rnn'
        ? restoredRun.settings
        : null,
    [restoredRun],
  );

  const { evaluateModel } = lab;
  const onEvaluate = useCallback(
    (bytes: ArrayBuffer, testImages: number) => evaluateModel(bytes, testImages, config.backend),
    [evaluateModel, config.backend],
  );

  const { startRun } = lab;
  const onStartRetrain = useCallback(
    (c: RetrainLabConfig, g: GenotypeJson) => {
      const run = runOfRetrain(c, g);
      if (run) startRun(run.kind, run.settings, c.backend, autosaveEvery);
    },
    [startRun, autosaveEvery],
  );
  const onStartRnnRetrain = useCallback(
    (run: LabRun) => startRun(run.kind, run.settings, config.backend, autosaveEvery),
    [startRun, config.backend, autosaveEvery],
  );
  const { resumeRun } = lab;
  const onLoadCheckpoint = useCallback(
    (bytes: ArrayBuffer, backend: LabConfig['backend']) => resumeRun(bytes, backend, autosaveEvery),
    [resumeRun, autosaveEvery],
  );

  const last = lab.steps.at(-1);
  const shownIndex =
    timeline === null ? lab.steps.length - 1 : Math.min(timeline, lab.steps.length - 1);
  const shown = lab.steps[shownIndex];
  const genotype: GenotypeJson | null = shown?.genotype ?? lab.resumedFrom?.genotype ?? null;
  const nodes = config.search.nodes;
  const evalGenotype = shown?.cdarts?.evalGenotype ?? null;

  const lossSeries = useMemo(() => searchLossSeries(lab.steps), [lab.steps]);
  const accuracySeries = useMemo(
    () => searchAccuracySeries(lab.steps, lab.epochs),
    [lab.steps, lab.epochs],
  );
  const history = useMemo(() => {
    // A resumed search starts its alpha history at the restored alphas.
    const start = lab.resumedFrom
      ? [{ step: lab.resumedFrom.step, alphaSoftmax: lab.resumedFrom.alphaSoftmax }]
      : [];
    const points = [...start, ...lab.steps];
    return {
      normal: points.map((p) => ({ step: p.step, softmax: p.alphaSoftmax.normal })),
      reduce: points.map((p) => ({ step: p.step, softmax: p.alphaSoftmax.reduce })),
    };
  }, [lab.steps, lab.resumedFrom]);

  // One frame apart each, so that a step's redraw is several short tasks, not one long one.
  const lossShown = useStaggeredValue(lossSeries, 1);
  const accuracyShown = useStaggeredValue(accuracySeries, 2);
  const normalShown = useStaggeredValue(history.normal, 3);
  const reduceShown = useStaggeredValue(history.reduce, 4);

  return (
    <div className="lab">
      <header>
        <h1>NAS Lab</h1>
        <span className="subtitle">differentiable architecture search in your browser</span>
        <span className="backend" data-testid="backend" title={lab.backend?.reason ?? ''}>
          {lab.backend ? `backend: ${lab.backend.name}` : 'backend: not started'}
        </span>
      </header>
      {lab.backend && (
        <p className="backend-reason" data-testid="backend-reason">
          {lab.backend.reason}
        </p>
      )}
      {ignored.length > 0 && (
        <p className="problem" role="status">
          Ignored link settings: {ignored.join('; ')}
        </p>
      )}
      <main>
        <aside>
          <div className="run-buttons">
            <button
              type="button"
              data-testid="start"
              disabled={busy || problem !== null}
              onClick={() => {
                setTimeline(null);
                const run = runOfLabConfig(config);
                if (run) lab.startRun(run.kind, run.settings, config.backend, autosaveEvery);
              }}
            >
              Start
            </button>
            {lab.status === 'paused' ? (
              <button type="button" data-testid="resume" onClick={lab.resume}>
                Resume
              </button>
            ) : (
              <button
                type="button"
                data-testid="pause"
                disabled={lab.status !== 'running'}
                onClick={lab.pause}
              >
                Pause
              </button>
            )}
            <button
              type="button"
              data-testid="step"
              disabled={lab.status !== 'paused'}
              onClick={lab.step}
            >
              Step
            </button>
            <button type="button" data-testid="stop" disabled={!busy} onClick={lab.stop}>
              Stop
            </button>
          </div>
          <CheckpointButtons
            canSave={lab.run !== null && (lab.status === 'paused' || lab.status === 'running')}
            busy={busy}
            backend={config.backend}
            onSave={lab.save}
            onLoad={onLoadCheckpoint}
          />
          <AutosavePanel
            every={autosaveEvery}
            onEveryChange={setAutosaveEvery}
            status={lab.status}
            last={lab.lastAutosave}
            stored={lab.autosaves}
            onResume={(id) => lab.resumeAutosave(id, config.backend, autosaveEvery)}
            onDiscard={lab.discardAutosaves}
          />
          <ControlPanel
            config={config}
            disabled={busy}
            problem={problem}
            onChange={onConfigChange}
          />
        </aside>
        <section className="results">
          {lab.error && (
            <div role="alert" className="error" data-testid="error">
              {lab.error}
              <button type="button" onClick={lab.dismissError}>
                Dismiss
              </button>
            </div>
          )}
          {lab.notice && (
            <p role="status" className="notice" data-testid="notice">
              {lab.notice}
            </p>
          )}
          {recurrent ? (
            <>
              <RecurrentResults
                view={lab.recurrent}
                status={lab.status}
                resumedStep={lab.run?.step ?? 0}
                smoothing={smoothing}
                onSmoothingChange={setSmoothing}
              />
              <RecurrentRetrainPanel
                searchGenotype={lab.recurrent?.steps.at(-1)?.genotype ?? null}
                view={lab.recurrentRetrain}
                disabled={lab.status === 'running' || lab.status === 'loading'}
                smoothing={smoothing}
                restored={restoredRnnRetrain}
                onStart={onStartRnnRetrain}
              />
            </>
          ) : (
            <>
              <Progress
                status={lab.status}
                last={(lab.mode === 'retrain' ? lab.retrain?.steps.at(-1) : last) ?? null}
                resumedStep={lab.run?.step ?? lab.resumedFrom?.step ?? 0}
              />
              <div className="charts">
                <MetricChart
                  title="Loss"
                  series={lossShown}
                  smoothing={smoothing}
                  testId="loss-chart"
                />
                <MetricChart
                  title="Accuracy"
                  series={accuracyShown}
                  smoothing={smoothing}
                  testId="accuracy-chart"
                  yDomain={[0, 1]}
                />
              </div>
              <SmoothingSlider value={smoothing} onChange={setSmoothing} />
              <h2>Derived cells</h2>
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
                      max={Math.max(lab.steps.length - 1, 0)}
                      value={shownIndex}
                      onChange={(e) => {
                        const v = e.target.valueAsNumber;
                        setTimeline(v >= lab.steps.length - 1 ? null : v);
                      }}
                    />
                  </label>
                  <div className="cells">
                    <CellGraph
                      title="Normal cell"
                      genes={genes(genotype.normal)}
                      concat={genotype.normal_concat}
                      testId="cell-normal"
                    />
                    <CellGraph
                      title="Reduction cell"
                      genes={genes(genotype.reduce)}
                      concat={genotype.reduce_concat}
                      testId="cell-reduce"
                    />
                  </div>
                  {evalGenotype && (
                    <>
                      <h3>
                        Evaluation network cells (CDARTS: they follow the search at each cycle)
                      </h3>
                      <div className="cells">
                        <CellGraph
                          title="Evaluation network, normal cell"
                          genes={genes(evalGenotype.normal)}
                          concat={evalGenotype.normal_concat}
                          testId="eval-cell-normal"
                        />
                        <CellGraph
                          title="Evaluation network, reduction cell"
                          genes={genes(evalGenotype.reduce)}
                          concat={evalGenotype.reduce_concat}
                          testId="eval-cell-reduce"
                        />
                      </div>
                    </>
                  )}
                  <OpLegend />
                </>
              ) : (
                <p className="muted">
                  Press Start: the cells are derived from the alphas after every step.
                </p>
              )}
              <h2>Genotype</h2>
              <GenotypePanel genotype={genotype} step={shown?.step ?? 0} />
              <h2>Retrain a genotype from scratch</h2>
              <RetrainPanel
                current={lab.steps.at(-1)?.genotype ?? null}
                busy={busy}
                view={lab.retrain}
                smoothing={smoothing}
                onStart={onStartRetrain}
                status={lab.status}
                onSave={lab.save}
                onEvaluate={onEvaluate}
                evaluation={lab.evaluation}
              />
              <h2>Architecture weights (softmax of alpha per edge)</h2>
              <AlphaSmallMultiples
                title="Normal cell"
                primitives={config.search.primitives}
                history={normalShown}
                steps={nodes}
                testId="alphas-normal"
              />
              <AlphaSmallMultiples
                title="Reduction cell"
                primitives={config.search.primitives}
                history={reduceShown}
                steps={nodes}
                testId="alphas-reduce"
              />
            </>
          )}
        </section>
      </main>
    </div>
  );
}
