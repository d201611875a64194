/**
 * Retrain a genotype from scratch: the current search's genotype, a published one or a file in
 * any of the three formats (this project's JSON, DARTS's repr, NNI's JSON). Shows the genotype's
 * cells, live loss, accuracy and learning-rate charts, and the test accuracy at the end.
 */
import { memo, useMemo, useState } from 'react';
import type { Genotype, GenotypeJson } from '../nas/genotype/genotype';
import { genotypeFromJson, genotypeToJson, stringifyGenotype } from '../nas/genotype/genotype';
import { CHECKPOINT_MAGIC } from '../nas/io/checkpointFormat';
import { peekSearchCheckpoint } from '../nas/darts/searchCheckpointManifest';
import { parseGenotypeAny } from '../nas/genotype/genotypeFormats';
import { PUBLISHED_GENOTYPES } from '../nas/genotype/publishedGenotypes';
import type { Settings } from '../nas/runKind/settingsSchema';
import type { RunStatus } from '../worker/protocol';
import { CellPair } from './cellGraph/CellPair';
import type { ChartSpec } from './charts/MetricCharts';
import { MetricCharts } from './charts/MetricCharts';
import { downloadBytes } from './download';
import type { ModelEvaluation } from './labReducer';
import { PytorchExportButton } from './PytorchExportButton';
import { isCellGenotype } from './reportDetails';
import type { RunTrace } from './runTrace';
import { latestGenotype, metricOf } from './runTrace';
import { FileInput, LabelledSelect } from './inputs';
import { RetrainSettingsForm, useRetrainSettings } from './settings/RetrainSettings';
import type { KindForm } from './settings/useKindForm';

/** Genotype files are small; anything bigger is refused before it is read. */
const MAX_GENOTYPE_FILE_BYTES = 64 * 1024;

interface Props {
  /** The search's latest genotype, if a search has run. */
  readonly current: GenotypeJson | null;
  readonly busy: boolean;
  /** The latest retrain's reports (null before one ran). */
  readonly view: RunTrace | null;
  readonly smoothing: number;
  /** The retrain kind's settings form; its genotype is chosen here. */
  readonly form: KindForm;
  /** Starts a retrain with every setting, the genotype's text included. */
  readonly onStart: (settings: Settings) => void;
  /** The lab's run status (a retrain's model can be saved while it runs or is paused). */
  readonly status: RunStatus;
  readonly onSave: () => void;
  readonly onEvaluate: (bytes: ArrayBuffer, testImages: number) => void;
  readonly evaluation: ModelEvaluation | null;
}

function publishedJson(name: string): GenotypeJson | null {
  const g = (PUBLISHED_GENOTYPES as Readonly<Record<string, Genotype>>)[name];
  return g ? genotypeToJson(g) : null;
}

/** A retrain's charts: the kind's losses, accuracies and learning rate. */
const CHARTS: readonly ChartSpec[] = [
  { title: 'Retrain loss', metric: 'loss', testId: 'retrain-loss-chart' },
  {
    title: 'Retrain accuracy',
    metric: 'accuracy',
    testId: 'retrain-accuracy-chart',
    yDomain: [0, 1],
  },
  { title: 'Learning rate', metric: 'rate', testId: 'retrain-lr-chart', raw: true },
];

/** What the retrain reached: its test figures once done, else how far it is. */
function resultText(view: RunTrace): string {
  const { done } = view;
  if (done) {
    const accuracy = metricOf(done, 'testAccuracy') * 100;
    return `Test accuracy ${accuracy.toFixed(1)}% (loss ${metricOf(done, 'testLoss').toFixed(3)})`;
  }
  const last = view.steps.at(-1);
  return `Retraining: step ${last?.step ?? 0} of ${last?.totalSteps ?? '…'}`;
}

type Choice = { kind: 'current' } | { kind: 'published'; name: string } | { kind: 'file' };

const GENOTYPE_FILE = {
  label: 'Load a genotype (JSON, DARTS repr, NNI) or a search checkpoint',
  name: 'genotype-file',
  accept: '.json,.txt,.py,.naslab',
};

export const RetrainPanel = memo(function RetrainPanel({
  current,
  busy,
  view,
  smoothing,
  form,
  onStart,
  status,
  onSave,
  onEvaluate,
  evaluation,
}: Props) {
  const [choice, setChoice] = useState<Choice>({ kind: 'published', name: 'DARTS_V2' });
  const [fromFile, setFromFile] = useState<{ name: string; genotype: GenotypeJson } | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);

  const chosen: GenotypeJson | null = useMemo(
    () =>
      choice.kind === 'current'
        ? current
        : choice.kind === 'file'
          ? (fromFile?.genotype ?? null)
          : publishedJson(choice.name),
    [choice, current, fromFile],
  );
  // The kind's genotype setting: the chosen genotype's text.
  const text = useMemo(
    () => (chosen ? stringifyGenotype(genotypeFromJson(chosen)) : null),
    [chosen],
  );
  const retrain = useRetrainSettings(form, text);
  const { settings, problem } = retrain;
  // The retrain's test images evaluate a model file too (0: all of them).
  const testImages =
    typeof settings.testImages === 'number' && settings.testImages > 0
      ? settings.testImages
      : Number.MAX_SAFE_INTEGER;
  const retrained = latestGenotype(view);
  const shown = isCellGenotype(retrained) ? retrained : chosen;

  const loadFile = async (file: File) => {
    setFileError(null);
    try {
      const head = new Uint8Array(await file.slice(0, CHECKPOINT_MAGIC.length).arrayBuffer());
      if (new TextDecoder().decode(head) === CHECKPOINT_MAGIC) {
        // A search checkpoint: retrain the genotype it had reached.
        const saved = peekSearchCheckpoint(new Uint8Array(await file.arrayBuffer()));
        const last = saved.genotypeHistory.at(-1);
        if (!last) throw new Error(`${file.name} holds no genotype yet (saved before any step)`);
        setFromFile({
          name: `${file.name} (step ${saved.position.step})`,
          genotype: genotypeToJson(last.genotype),
        });
        setChoice({ kind: 'file' });
        return;
      }
      if (file.size > MAX_GENOTYPE_FILE_BYTES) {
        throw new Error(`${file.name} is ${file.size} bytes; a genotype file is at most 64 KiB`);
      }
      const genotype = parseGenotypeAny(await file.text(), file.name);
      setFromFile({ name: file.name, genotype: genotypeToJson(genotype) });
      setChoice({ kind: 'file' });
    } catch (e) {
      setFileError((e as Error).message);
    }
  };

  return (
    <div className="retrain" data-testid="retrain-panel">
      <form className="controls" aria-label="Retrain settings" onSubmit={(e) => e.preventDefault()}>
        <LabelledSelect
          label="Genotype"
          name="retrain-genotype"
          disabled={busy}
          value={choice.kind === 'published' ? choice.name : choice.kind}
          options={[
            { value: 'current', label: "the search's current genotype", disabled: !current },
            ...Object.keys(PUBLISHED_GENOTYPES).map((name) => ({ value: name, label: name })),
            {
              value: 'file',
              label: fromFile ? `file: ${fromFile.name}` : 'file (load one below)',
              disabled: !fromFile,
            },
          ]}
          onChange={(v) =>
            setChoice(
              v === 'current' || v === 'file' ? { kind: v } : { kind: 'published', name: v },
            )
          }
        />
        <FileInput {...GENOTYPE_FILE} disabled={busy} onFile={loadFile} />
        {fileError && (
          <p className="problem" role="alert" data-testid="genotype-file-error">
            {fileError}
          </p>
        )}
        <RetrainSettingsForm form={form} retrain={retrain} testId="retrain-problem" />
        <button
          type="button"
          data-testid="retrain"
          disabled={busy || problem !== null || !chosen}
          title={problem ?? ''}
          onClick={() => chosen && onStart(settings)}
        >
          Retrain
        </button>
      </form>
      {shown && (
        <CellPair
          genotype={shown}
          titles={['Normal cell (retrain)', 'Reduction cell (retrain)']}
          prefix="retrain-"
        />
      )}
      <div className="model-buttons">
        {view && (status === 'running' || status === 'paused') && (
          <button
            type="button"
            data-testid="save-model"
            disabled={view.epochs.length === 0}
            title={view.epochs.length === 0 ? 'after the first epoch' : ''}
            onClick={onSave}
          >
            Save model now
          </button>
        )}
        {view?.model && (
          <button
            type="button"
            data-testid="download-model"
            onClick={() => view.model && downloadBytes(view.model.bytes, view.model.name)}
          >
            Download trained model
          </button>
        )}
        {view?.model && <PytorchExportButton model={view.model} onError={setExportError} />}
        <FileInput
          label="Evaluate a trained model (.nas) on the built-in test images"
          name="model-file"
          accept=".nas"
          className="file-button"
          disabled={busy}
          onFile={(file) => void file.arrayBuffer().then((b) => onEvaluate(b, testImages))}
        />
      </div>
      {exportError && (
        <p role="alert" data-testid="export-error">
          {exportError}
        </p>
      )}
      {evaluation && (
        <p data-testid="evaluation-result">
          Evaluated on {evaluation.testImages} test images: accuracy{' '}
          {(evaluation.testAccuracy * 100).toFixed(1)}% (loss {evaluation.testLoss.toFixed(3)}); the
          file recorded {(evaluation.savedAccuracy * 100).toFixed(1)}% when it was saved.
        </p>
      )}
      {view && (
        <>
          <p data-testid="retrain-result">{resultText(view)}</p>
          <MetricCharts trace={view} charts={CHARTS} smoothing={smoothing} />
        </>
      )}
    </div>
  );
});
