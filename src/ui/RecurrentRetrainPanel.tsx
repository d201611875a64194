/**
 * Retrain a recurrent cell (DARTS `rnn/train.py`) on the built-in text: the search's current
 * cell, a published one (DARTS_V1, DARTS_V2, ENAS) or a loaded JSON / repr file; the kind's
 * settings in the generated form; then the perplexity chart (train per step, validation and
 * test per epoch), where ASGD took over, and the final test perplexity.
 */
import { useEffect, useMemo, useState } from 'react';
import type { RnnGenotypeJson } from '../nas/rnn/genotype/rnnGenotype';
import {
  rnnGenotypeFromJson,
  rnnGenotypeToJson,
  stringifyRnnGenotype,
} from '../nas/rnn/genotype/rnnGenotype';
import { importRnnGenotypeText } from '../nas/rnn/genotype/rnnGenotypeText';
import { RNN_PUBLISHED_GENOTYPES } from '../nas/rnn/genotype/rnnPublishedGenotypes';
import { rnnPublishedName, rnnRetrainGenotypeOf } from '../nas/rnn/retrain/rnnRetrainKindInfo';
import type { Settings } from '../nas/runKind/settingsSchema';
import type { ChartSpec } from './charts/MetricCharts';
import { MetricCharts } from './charts/MetricCharts';
import { FileInput, LabelledSelect } from './inputs';
import { asgdFromStep, bestEpochOf, optimizerOf } from './reportDetails';
import type { RunTrace } from './runTrace';
import { metricOf } from './runTrace';
import { RetrainSettingsForm, useRetrainSettings } from './settings/RetrainSettings';
import type { KindForm } from './settings/useKindForm';

/** The retrain's chart: train perplexity per step, validation and test at each epoch's end. */
const CHARTS: readonly ChartSpec[] = [
  { title: 'Retrain perplexity', metric: 'perplexity', testId: 'rnn-retrain-chart' },
];

/** Where the retrain is: its step, epoch, optimizer, speed, and where ASGD took over. */
function progressText(view: RunTrace): string | null {
  const last = view.steps.at(-1);
  if (!last) return null;
  const asgd = asgdFromStep(view);
  return (
    `Step ${last.step} of ~${last.totalSteps}, epoch ${last.epoch + 1}, ` +
    `${optimizerOf(last) ?? 'sgd'}, ${last.throughput.toFixed(0)} tokens/s` +
    (asgd === null ? '' : ` — ASGD from step ${asgd}`)
  );
}

/** train.py's final report: the best validation epoch's test perplexity. */
function resultText(view: RunTrace): string | null {
  const { done } = view;
  if (!done) return null;
  const best = bestEpochOf(done);
  if (best < 0) return `Stopped after ${done.step} steps, before an epoch ended.`;
  const test = metricOf(done, 'testPerplexity').toFixed(2);
  const valid = metricOf(done, 'bestValPerplexity').toFixed(2);
  return `Test perplexity ${test} (epoch ${best + 1}, best validation perplexity ${valid}).`;
}

type Source = 'search' | keyof typeof RNN_PUBLISHED_GENOTYPES | 'file';

/** The form's genotype choice for settings restored from a checkpoint. */
function sourceOf(text: string): { source: Source; file: LoadedGenotype | null } {
  const name = rnnPublishedName(text);
  if (name !== null) return { source: name, file: null };
  try {
    const genotype = rnnGenotypeToJson(rnnRetrainGenotypeOf(text).genotype);
    return { source: 'file', file: { name: 'the loaded checkpoint', genotype } };
  } catch {
    return { source: 'DARTS_V2', file: null };
  }
}

const GENOTYPE_FILE = {
  label: 'Recurrent genotype file',
  name: 'rnn-retrain-genotype-file',
  accept: '.json,.py,.txt',
};

interface LoadedGenotype {
  readonly name: string;
  readonly genotype: RnnGenotypeJson;
}

export function RecurrentRetrainPanel({
  searchGenotype,
  view,
  disabled,
  smoothing,
  form,
  restored,
  onStart,
}: {
  searchGenotype: RnnGenotypeJson | null;
  /** The latest recurrent retrain's reports (null before one ran). */
  view: RunTrace | null;
  disabled: boolean;
  smoothing: number;
  /** The recurrent retrain kind's settings form; its genotype is chosen here. */
  form: KindForm;
  /** The settings of a recurrent retrain loaded from a checkpoint: the cell choice shows its. */
  restored: Settings | null;
  /** Starts the run with every setting of the kind's schema, the genotype included. */
  onStart: (settings: Settings) => void;
}) {
  const [source, setSource] = useState<Source>(searchGenotype ? 'search' : 'DARTS_V2');
  const [file, setFile] = useState<LoadedGenotype | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  useEffect(() => {
    if (!restored) return;
    const restoredSource = sourceOf(String(restored.genotype));
    setSource(restoredSource.source);
    setFile(restoredSource.file);
  }, [restored]);
  const chosen: RnnGenotypeJson | null = useMemo(
    () =>
      source === 'search'
        ? searchGenotype
        : source === 'file'
          ? (file?.genotype ?? null)
          : rnnGenotypeToJson(RNN_PUBLISHED_GENOTYPES[source]),
    [source, searchGenotype, file],
  );
  // The kind's genotype setting: a published name, or the chosen cell's text.
  const text = useMemo(() => {
    if (!chosen) return null;
    return source === 'search' || source === 'file'
      ? stringifyRnnGenotype(rnnGenotypeFromJson(chosen))
      : source;
  }, [chosen, source]);
  const retrain = useRetrainSettings(form, text);
  const { settings, problem } = retrain;
  const loadFile = async (f: File) => {
    try {
      const imported = importRnnGenotypeText(await f.text(), f.name);
      setFile({ name: f.name, genotype: rnnGenotypeToJson(imported.genotype) });
      setFileError(null);
    } catch (err) {
      setFile(null);
      setFileError((err as Error).message);
    }
  };
  const progress = view && progressText(view);
  const result = view && resultText(view);

  return (
    <section className="recurrent-retrain" data-testid="rnn-retrain">
      <h2>Retrain a recurrent cell (rnn/train.py)</h2>
      <div className="fields">
        <LabelledSelect
          label="Cell"
          name="rnn-retrain-genotype"
          value={source}
          disabled={disabled}
          options={[
            { value: 'search', label: "the search's current cell", disabled: !searchGenotype },
            ...Object.keys(RNN_PUBLISHED_GENOTYPES).map((name) => ({
              value: name,
              label: `${name} (published)`,
            })),
            { value: 'file', label: 'from a file (JSON or repr)' },
          ]}
          onChange={(v) => setSource(v as Source)}
        />
        {source === 'file' && (
          <FileInput {...GENOTYPE_FILE} disabled={disabled} onFile={loadFile} />
        )}
      </div>
      <RetrainSettingsForm form={form} retrain={retrain} testId="rnn-retrain-problem" />
      <button
        type="button"
        disabled={disabled || problem !== null}
        title={problem ?? ''}
        onClick={() => chosen && onStart(settings)}
      >
        Retrain
      </button>
      {fileError && (
        <p role="alert" className="error">
          {fileError}
        </p>
      )}
      <p className="muted">
        On the built-in text: the first {String(settings.trainTokens)} training,{' '}
        {String(settings.validTokens)} validation and {String(settings.testTokens)} test tokens; SGD
        at lr {String(settings.lr)}, then averaged SGD once an epoch is worse than the best but the
        last {String(settings.nonmono)}. The weights are not offered for download (no recurrent
        model file format yet).
      </p>
      {view && (
        <>
          {progress && <p data-testid="rnn-retrain-progress">{progress}</p>}
          <MetricCharts trace={view} charts={CHARTS} smoothing={smoothing} />
          {result && <p data-testid="rnn-retrain-result">{result}</p>}
        </>
      )}
    </section>
  );
}
