/** The settings form: preset, algorithm, data, op set, network and optimiser settings. */
import type { ChangeEvent } from 'react';
import { memo } from 'react';
import { DARTS_PRIMITIVES } from '../nas/ops/primitives';
import type { OpName } from '../nas/ops/primitives';
import type { SearchConfig } from '../nas/darts/searchConfig';
import { DEFAULT_LAB_CDARTS } from '../worker/labCdarts';
import type { LabCdartsSettings, LabConfig } from '../worker/protocol';
import type { PresetName } from './labPresets';
import { PRESETS } from './labPresets';
import { opColor } from './opColors';
import { RecurrentControls, SearchSpaceSelect } from './RecurrentControls';

interface Props {
  readonly config: LabConfig;
  readonly onChange: (config: LabConfig) => void;
  readonly disabled: boolean;
  readonly problem: string | null;
}

type NumberField = { key: keyof SearchConfig; label: string; step?: number; live?: boolean };

const NETWORK_FIELDS: readonly NumberField[] = [
  { key: 'nodes', label: 'Nodes per cell' },
  { key: 'layers', label: 'Cells' },
  { key: 'channels', label: 'Channels (C)' },
  { key: 'batchSize', label: 'Batch size' },
  { key: 'epochs', label: 'Epochs' },
  // Learning rates can change while a search runs: they apply from the next step.
  { key: 'weightLr', label: 'Weight learning rate', step: 0.001, live: true },
  { key: 'alphaLr', label: 'Alpha learning rate', step: 0.0001, live: true },
  { key: 'seed', label: 'Seed' },
];

/** CDARTS's own settings, with NNI's parameter names. */
const CDARTS_FIELDS: readonly {
  key: Exclude<keyof LabCdartsSettings, 'interactiveType'>;
  label: string;
  step?: number;
}[] = [
  { key: 'evalLayers', label: 'Evaluation cells' },
  { key: 'warmupEpochs', label: 'Warm-up epochs (warmup_epochs)' },
  { key: 'evalWarmupEpochs', label: 'Eval warm-up epochs' },
  { key: 'nasnetLr', label: 'Eval learning rate (nasnet_lr)', step: 0.01 },
  { key: 'lossT', label: 'Temperature (loss_T)', step: 0.5 },
  { key: 'lossAlpha', label: 'Distillation weight (loss_alpha)', step: 0.5 },
  { key: 'regularCoeff', label: 'Regularization (regular_coeff)', step: 0.5 },
  { key: 'regularRatio', label: 'regular_ratio', step: 0.1 },
];

export const ControlPanel = memo(function ControlPanel({
  config,
  onChange,
  disabled,
  problem,
}: Props) {
  const setSearch = (patch: Partial<Record<keyof SearchConfig, unknown>>) => {
    const search = { ...config.search, ...patch } as SearchConfig;
    // As in DARTS, the cell output concatenates every intermediate node.
    onChange({ ...config, search: { ...search, multiplier: search.nodes } });
  };
  const numberInput = (f: NumberField) => (
    <label key={f.key} className="field">
      <span>{f.label}</span>
      <input
        type="number"
        name={f.key}
        step={f.step ?? 1}
        value={String(config.search[f.key])}
        disabled={disabled && !f.live}
        onChange={(e: ChangeEvent<HTMLInputElement>) =>
          setSearch({ [f.key]: e.target.valueAsNumber })
        }
      />
    </label>
  );
  const toggleOp = (op: OpName, on: boolean) => {
    const chosen = new Set(config.search.primitives);
    if (on) chosen.add(op);
    else chosen.delete(op);
    setSearch({ primitives: DARTS_PRIMITIVES.filter((p) => chosen.has(p)) });
  };
  const recurrent = config.space === 'recurrent';
  return (
    <form className="controls" aria-label="Search settings" onSubmit={(e) => e.preventDefault()}>
      <label className="field">
        <span>Preset</span>
        <select
          name="preset"
          disabled={disabled}
          value=""
          onChange={(e) => {
            const preset = PRESETS[e.target.value as PresetName];
            if (preset) onChange(preset);
          }}
        >
          <option value="">choose…</option>
          {Object.keys(PRESETS).map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </label>
      <SearchSpaceSelect config={config} disabled={disabled} onChange={onChange} />
      {!recurrent && (
        <>
          <label className="field">
            <span>Algorithm</span>
            <select
              name="algorithm"
              disabled={disabled}
              value={config.algorithm === 'cdarts' ? 'cdarts' : `darts-${config.search.order}`}
              onChange={(e) => {
                const v = e.target.value;
                if (v === 'cdarts') {
                  onChange({
                    ...config,
                    algorithm: 'cdarts',
                    cdarts: config.cdarts ?? DEFAULT_LAB_CDARTS,
                  });
                } else {
                  const order = v === 'darts-2' ? 2 : 1;
                  onChange({ ...config, algorithm: 'darts', search: { ...config.search, order } });
                }
              }}
            >
              <option value="darts-1">DARTS, first order</option>
              <option value="darts-2">DARTS, second order</option>
              <option value="cdarts">CDARTS (cyclic, with an evaluation network)</option>
            </select>
          </label>
          <label className="field">
            <span>Dataset</span>
            <select
              name="dataset"
              disabled={disabled}
              value={config.data.dataset}
              onChange={(e) =>
                onChange({
                  ...config,
                  data: { ...config.data, dataset: e.target.value as 'default' | 'synthetic' },
                })
              }
            >
              <option value="default">Fashion-MNIST (built in)</option>
              <option value="synthetic">Synthetic bars</option>
            </select>
          </label>
          <label className="field">
            <span>Images</span>
            <input
              type="number"
              name="images"
              value={config.data.images}
              disabled={disabled}
              onChange={(e) =>
                onChange({ ...config, data: { ...config.data, images: e.target.valueAsNumber } })
              }
            />
          </label>
          <label className="field">
            <span>Image size</span>
            <input
              type="number"
              name="imageSize"
              step={4}
              value={config.data.imageSize}
              disabled={disabled}
              onChange={(e) =>
                onChange({ ...config, data: { ...config.data, imageSize: e.target.valueAsNumber } })
              }
            />
          </label>
        </>
      )}
      <label className="field">
        <span>Backend</span>
        <select
          name="backend"
          disabled={disabled}
          value={config.backend}
          onChange={(e) => onChange({ ...config, backend: e.target.value as LabConfig['backend'] })}
        >
          <option value="auto">auto (WebGPU, else wasm, else WebGL, else cpu)</option>
          <option value="webgpu">WebGPU</option>
          <option value="wasm">wasm (WebAssembly on the CPU)</option>
          <option value="webgl">WebGL</option>
          <option value="cpu">cpu</option>
        </select>
      </label>
      {recurrent ? (
        <RecurrentControls config={config} disabled={disabled} onChange={onChange} />
      ) : (
        <>
          {NETWORK_FIELDS.map(numberInput)}
          {config.algorithm === 'cdarts' && (
            <fieldset className="cdarts-fields">
              <legend>CDARTS</legend>
              {CDARTS_FIELDS.map((f) => (
                <label key={f.key} className="field">
                  <span>{f.label}</span>
                  <input
                    type="number"
                    name={f.key}
                    step={f.step ?? 1}
                    disabled={disabled}
                    value={String((config.cdarts ?? DEFAULT_LAB_CDARTS)[f.key])}
                    onChange={(e) =>
                      onChange({
                        ...config,
                        cdarts: {
                          ...(config.cdarts ?? DEFAULT_LAB_CDARTS),
                          [f.key]: e.target.valueAsNumber,
                        },
                      })
                    }
                  />
                </label>
              ))}
              <label className="field">
                <span>Distillation (interactive_type)</span>
                <select
                  name="interactiveType"
                  disabled={disabled}
                  value={(config.cdarts ?? DEFAULT_LAB_CDARTS).interactiveType}
                  onChange={(e) =>
                    onChange({
                      ...config,
                      cdarts: {
                        ...(config.cdarts ?? DEFAULT_LAB_CDARTS),
                        interactiveType: e.target.value === 'smoothl1' ? 'smoothl1' : 'kl',
                      },
                    })
                  }
                >
                  <option value="kl">KL with temperature</option>
                  <option value="smoothl1">smooth L1</option>
                </select>
              </label>
            </fieldset>
          )}
          <fieldset className="ops" disabled={disabled}>
            <legend>Candidate ops</legend>
            {DARTS_PRIMITIVES.map((op) => (
              <label key={op} className="op">
                <input
                  type="checkbox"
                  name={`op-${op}`}
                  checked={config.search.primitives.includes(op)}
                  onChange={(e) => toggleOp(op, e.target.checked)}
                />
                <span className="swatch" style={{ background: opColor(op) }} />
                {op}
              </label>
            ))}
          </fieldset>
        </>
      )}
      {problem && (
        <p role="alert" className="problem" data-testid="config-problem">
          {problem}
        </p>
      )}
    </form>
  );
});
