/**
 * NAS Lab: one screen, laid out as TensorFlow Playground is. A header with the run's controls
 * (Start, Pause, Step, Stop, Reset), its progress and the backend; the search's settings on the
 * left (its kind's form, generated from its schema, grouped and folded, in the address bar as a
 * link); on the right the view, as tabs kept in the link too: the search (cells, alpha heatmap,
 * charts, genotype: SearchResults.tsx) or the retrains. The runs go on in a worker; this thread
 * only draws.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { findRunKind, selectRunKind } from '../nas/runKind/registry';
import type { Settings } from '../nas/runKind/settingsSchema';
import type { BackendChoice } from '../worker/protocol';
import { AutosavePanel } from './AutosavePanel';
import { CheckpointButtons } from './CheckpointButtons';
import { Intro, useIntro } from './layout/Intro';
import { Panel } from './layout/Panel';
import { KeyboardHelp, useRunShortcuts } from './layout/Shortcuts';
import { ViewPanel, ViewTabs } from './layout/ViewTabs';
import type { LabView } from './labView';
import { readLabView } from './labView';
import { knownOpColor } from './opColors';
import { RETRAIN_HELP, SETTINGS_HELP } from './panelHelp';
import { Progress } from './Progress';
import { RetrainPanel } from './RetrainPanel';
import { RecurrentRetrainPanel } from './RecurrentRetrainPanel';
import { isCellGenotype, isRnnGenotype } from './reportDetails';
import { latestGenotype } from './runTrace';
import { SearchResults } from './SearchResults';
import { labPreset, settingsProblems } from './settings/labSettings';
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
function RunButton(props: {
  id: string;
  label: string;
  onClick: () => void;
  disabled?: boolean;
  title?: string;
  primary?: boolean;
  keyHint?: string;
}) {
  return (
    <button
      type="button"
      data-testid={props.id}
      className={props.primary ? 'primary' : undefined}
      disabled={props.disabled ?? false}
      title={props.title}
      aria-keyshortcuts={props.keyHint}
      onClick={props.onClick}
    >
      {props.label}
    </button>
  );
}

export function App() {
  const [view, setView] = useState<LabView>(() => readLabView(window.location.search));
  const settings = useLabSettings(view);
  const { backend, ignored } = settings;
  const [smoothing, setSmoothing] = useState(0.6);
  const [autosaveEvery, setAutosaveEvery] = useState(DEFAULT_AUTOSAVE_EVERY);
  const intro = useIntro();
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
  // A run that starts (or is resumed) shows in its own view.
  const startedCommand = lab.run ? findRunKind(lab.run.kind)?.info.command : undefined;
  useEffect(() => {
    if (startedCommand === 'search' || startedCommand === 'retrain') setView(startedCommand);
  }, [lab.run, startedCommand]);

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
  useRunShortcuts({
    onToggle: () => {
      if (lab.status === 'running') lab.pause();
      else if (lab.status === 'paused') lab.resume();
    },
    onStep: () => {
      if (lab.status === 'paused') lab.step();
    },
  });

  const cnnSearch = lab.runs['cnn:search'] ?? null;
  const rnnSearch = lab.runs['rnn:search'] ?? null;
  const cnnGenotype = latestGenotype(cnnSearch);
  const rnnGenotype = latestGenotype(rnnSearch);
  const retraining = busy && startedCommand === 'retrain';

  return (
    <div className="lab">
      <header className="topbar">
        <div className="brand">
          <img src="favicon.svg" alt="" width={28} height={28} />
          <h1>NAS Lab</h1>
          <span className="subtitle">differentiable architecture search in your browser</span>
        </div>
        <div className="run-buttons" role="group" aria-label="Run controls">
          <RunButton
            id="start"
            label="Start"
            primary
            disabled={busy || problem !== null}
            title={problem ?? 'Start the search with these settings'}
            onClick={() => lab.startRun(search.info.id, search.settings, backend, autosaveEvery)}
          />
          {lab.status === 'paused' ? (
            <RunButton id="resume" label="Resume" keyHint="Space" onClick={lab.resume} />
          ) : (
            <RunButton
              id="pause"
              label="Pause"
              keyHint="Space"
              onClick={lab.pause}
              disabled={lab.status !== 'running'}
            />
          )}
          <RunButton
            id="step"
            label="Step"
            keyHint="S"
            title="One step of the paused run (S)"
            onClick={lab.step}
            disabled={lab.status !== 'paused'}
          />
          <RunButton id="stop" label="Stop" onClick={lab.stop} disabled={!busy} />
          <RunButton
            id="reset"
            label="Reset"
            title="Every search setting back to the lab's defaults"
            disabled={busy}
            onClick={() => settings.pickPreset(search.info.id, labPreset(search.info))}
          />
        </div>
        <Progress status={lab.status} trace={lab.runs[lab.active] ?? null} />
        <div className="topbar-end">
          <span className="backend" data-testid="backend" title={lab.backend?.reason ?? ''}>
            {lab.backend ? `backend: ${lab.backend.name}` : 'backend: not started'}
          </span>
          {!intro.shown && (
            <button type="button" className="quiet" onClick={intro.show}>
              About DARTS
            </button>
          )}
          <KeyboardHelp />
        </div>
      </header>
      {lab.backend && (
        <p className="strip" data-testid="backend-reason">
          {lab.backend.reason}
        </p>
      )}
      {ignored.length > 0 && (
        <p className="strip problem" role="status">
          Ignored link settings: {ignored.join('; ')}
        </p>
      )}
      {intro.shown && <Intro onDismiss={intro.dismiss} />}
      <div className="workspace">
        <aside className="sidebar" aria-label="Settings">
          <Panel id="settings" title="Search settings" help={SETTINGS_HELP}>
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
          </Panel>
          <Panel
            id="saving"
            title="Checkpoints"
            help={
              <p>
                Save the run to a file and load it again later, here or with the command line; the
                lab also autosaves in the browser and offers the autosave after a reload.
              </p>
            }
          >
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
          </Panel>
        </aside>
        <main className="results">
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
          <ViewTabs
            view={view}
            onView={setView}
            badges={retraining ? { retrain: 'running' } : {}}
          />
          <ViewPanel view="search" shown={view}>
            <SearchResults
              space={recurrent ? 'rnn' : 'cnn'}
              trace={recurrent ? rnnSearch : cnnSearch}
              smoothing={smoothing}
              onSmoothingChange={setSmoothing}
            />
          </ViewPanel>
          {/* Kept mounted while hidden: a genotype picked or loaded there stays. */}
          <ViewPanel view="retrain" shown={view}>
            <Panel
              id="retrain"
              title={recurrent ? 'Retrain a recurrent cell' : 'Retrain a genotype from scratch'}
              help={RETRAIN_HELP}
            >
              {recurrent ? (
                <RecurrentRetrainPanel
                  searchGenotype={isRnnGenotype(rnnGenotype) ? rnnGenotype : null}
                  view={lab.runs['rnn:retrain'] ?? null}
                  disabled={lab.status === 'running' || lab.status === 'loading'}
                  smoothing={smoothing}
                  form={rnnRetrain}
                  restored={restoredRnnRetrain}
                  onStart={onStartRnnRetrain}
                />
              ) : (
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
              )}
            </Panel>
          </ViewPanel>
        </main>
      </div>
    </div>
  );
}
