/**
 * NAS Lab: one screen. Settings on the left; progress, live charts, the derived cells and the
 * genotype on the right. The search runs in a worker; this thread only draws.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { GenotypeJson } from '../nas/genotype/genotype';
import type { LabConfig, RetrainLabConfig } from '../worker/protocol';
import { AutosavePanel } from './AutosavePanel';
import { CheckpointButtons } from './CheckpointButtons';
import { ControlPanel } from './ControlPanel';
import { RetrainPanel } from './RetrainPanel';
import { RecurrentRetrainPanel } from './RecurrentRetrainPanel';
import { isCellGenotype, isRnnGenotype } from './reportDetails';
import { latestGenotype } from './runTrace';
import { SearchResults } from './SearchResults';
import { configFromQuery, configToQuery } from './urlState';
import { useLab } from './useLab';
import { DEFAULT_AUTOSAVE_EVERY } from '../worker/autosaveDefaults';
import { labConfigProblem } from './validateLabConfig';
import { findRunKind } from '../nas/runKind/registry';
import type { LabRun } from './labRuns';
import { labConfigOfRun, liveValues, runOfLabConfig, runOfRetrain } from './labRuns';

/** A button of the run's controls (its test id is `id`). */
function RunButton(props: { id: string; label: string; onClick: () => void; disabled?: boolean }) {
  return (
    <button
      type="button"
      data-testid={props.id}
      disabled={props.disabled ?? false}
      onClick={props.onClick}
    >
      {props.label}
    </button>
  );
}

function initialConfig(): { config: LabConfig; ignored: string[] } {
  return configFromQuery(window.location.search);
}

export function App() {
  const [{ config, ignored }, setState] = useState(initialConfig);
  const [smoothing, setSmoothing] = useState(0.6);
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

  // A run loaded from a checkpoint brings its settings with it.
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

  const cnnSearch = lab.runs['cnn:search'] ?? null;
  const rnnSearch = lab.runs['rnn:search'] ?? null;
  const cnnGenotype = latestGenotype(cnnSearch);
  const rnnGenotype = latestGenotype(rnnSearch);

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
                const run = runOfLabConfig(config);
                if (run) lab.startRun(run.kind, run.settings, config.backend, autosaveEvery);
              }}
            >
              Start
            </button>
            {lab.status === 'paused' ? (
              <RunButton id="resume" label="Resume" onClick={lab.resume} />
            ) : (
              <RunButton
                id="pause"
                label="Pause"
                onClick={lab.pause}
                disabled={lab.status !== 'running'}
              />
            )}
            <RunButton
              id="step"
              label="Step"
              onClick={lab.step}
              disabled={lab.status !== 'paused'}
            />
            <RunButton id="stop" label="Stop" onClick={lab.stop} disabled={!busy} />
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
              <SearchResults
                space="rnn"
                trace={rnnSearch}
                status={lab.status}
                smoothing={smoothing}
                onSmoothingChange={setSmoothing}
              />
              <RecurrentRetrainPanel
                searchGenotype={isRnnGenotype(rnnGenotype) ? rnnGenotype : null}
                view={lab.runs['rnn:retrain'] ?? null}
                disabled={lab.status === 'running' || lab.status === 'loading'}
                smoothing={smoothing}
                restored={restoredRnnRetrain}
                onStart={onStartRnnRetrain}
              />
            </>
          ) : (
            <>
              <SearchResults
                space="cnn"
                trace={cnnSearch}
                progress={lab.active === 'cnn:retrain' ? (lab.runs['cnn:retrain'] ?? null) : null}
                status={lab.status}
                smoothing={smoothing}
                onSmoothingChange={setSmoothing}
              />
              <h2>Retrain a genotype from scratch</h2>
              <RetrainPanel
                current={isCellGenotype(cnnGenotype) ? cnnGenotype : null}
                busy={busy}
                view={lab.runs['cnn:retrain'] ?? null}
                smoothing={smoothing}
                onStart={onStartRetrain}
                status={lab.status}
                onSave={lab.save}
                onEvaluate={onEvaluate}
                evaluation={lab.evaluation}
              />
            </>
          )}
        </section>
      </main>
    </div>
  );
}
