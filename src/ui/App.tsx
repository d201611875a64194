/**
 * NAS Lab: one screen. Settings on the left (the search kind's form, generated from its schema,
 * in the address bar as a link); progress, live charts, the derived cells, the genotype and the
 * retrains' forms on the right. The runs go on in a worker; this thread only draws.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { selectRunKind } from '../nas/runKind/registry';
import type { Settings } from '../nas/runKind/settingsSchema';
import type { BackendChoice } from '../worker/protocol';
import { AutosavePanel } from './AutosavePanel';
import { CheckpointButtons } from './CheckpointButtons';
import { knownOpColor } from './opColors';
import { RetrainPanel } from './RetrainPanel';
import { RecurrentRetrainPanel } from './RecurrentRetrainPanel';
import { isCellGenotype, isRnnGenotype } from './reportDetails';
import { latestGenotype } from './runTrace';
import { SearchResults } from './SearchResults';
import { settingsProblems } from './settings/labSettings';
import { SearchSetup } from './settings/SearchSetup';
import { SettingsForm } from './settings/SettingsForm';
import { useKindForm } from './settings/useKindForm';
import { useLabSettings } from './settings/useLabSettings';
import { useLab } from './useLab';
import { DEFAULT_AUTOSAVE_EVERY } from '../worker/autosaveDefaults';

/** The retrain kinds of each space: their forms sit beside the space's results. */
const RETRAIN_CNN = selectRunKind('retrain', { space: 'cnn' }).info.id;
const RETRAIN_RNN = selectRunKind('retrain', { space: 'rnn' }).info.id;

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

export function App() {
  const settings = useLabSettings();
  const { backend, ignored } = settings;
  const [smoothing, setSmoothing] = useState(0.6);
  const [autosaveEvery, setAutosaveEvery] = useState(DEFAULT_AUTOSAVE_EVERY);
  const lab = useLab();
  const busy = lab.status === 'loading' || lab.status === 'running' || lab.status === 'paused';
  const worker = { busy, runningKind: lab.run?.kind ?? null, setLive: lab.setLive };
  const search = useKindForm(settings.searchKind, settings, worker);
  const retrain = useKindForm(RETRAIN_CNN, settings, worker);
  const rnnRetrain = useKindForm(RETRAIN_RNN, settings, worker);
  const problems = useMemo(
    () => settingsProblems(search.info, search.settings),
    [search.info, search.settings],
  );
  const problem = problems.all[0] ?? null;
  const recurrent = search.info.select.space === 'rnn';

  // A run loaded from a checkpoint or an autosave brings its settings into its form.
  const restoredRun = lab.run && lab.run.step > 0 ? lab.run : null;
  const { restore } = settings;
  useEffect(() => {
    if (restoredRun) restore(restoredRun.kind, restoredRun.settings);
  }, [restoredRun, restore]);
  const restoredRnnRetrain = useMemo(
    () => (restoredRun?.kind === RETRAIN_RNN ? restoredRun.settings : null),
    [restoredRun],
  );

  const { evaluateModel } = lab;
  const onEvaluate = useCallback(
    (bytes: ArrayBuffer, testImages: number) => evaluateModel(bytes, testImages, backend),
    [evaluateModel, backend],
  );

  const { startRun } = lab;
  const onStartRetrain = useCallback(
    (s: Settings) => startRun(RETRAIN_CNN, s, backend, autosaveEvery),
    [startRun, backend, autosaveEvery],
  );
  const onStartRnnRetrain = useCallback(
    (s: Settings) => startRun(RETRAIN_RNN, s, backend, autosaveEvery),
    [startRun, backend, autosaveEvery],
  );
  const { resumeRun } = lab;
  const onLoadCheckpoint = useCallback(
    (bytes: ArrayBuffer, b: BackendChoice) => resumeRun(bytes, b, autosaveEvery),
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
              title={problem ?? ''}
              onClick={() => lab.startRun(search.info.id, search.settings, backend, autosaveEvery)}
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
            backend={backend}
            onSave={lab.save}
            onLoad={onLoadCheckpoint}
          />
          <AutosavePanel
            every={autosaveEvery}
            onEveryChange={setAutosaveEvery}
            status={lab.status}
            last={lab.lastAutosave}
            stored={lab.autosaves}
            onResume={(id) => lab.resumeAutosave(id, backend, autosaveEvery)}
            onDiscard={lab.discardAutosaves}
          />
          {problem && (
            <p role="alert" className="problem" data-testid="config-problem">
              {problem}
            </p>
          )}
          <form
            className="controls"
            aria-label="Search settings"
            onSubmit={(e) => e.preventDefault()}
          >
            <SearchSetup
              kind={search.info.id}
              backend={backend}
              disabled={busy}
              onKind={settings.pickSearch}
              onBackend={settings.setBackend}
            />
            <SettingsForm
              {...search}
              problems={problems}
              namePrefix=""
              choiceColor={knownOpColor}
            />
          </form>
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
                form={rnnRetrain}
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
                form={retrain}
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
