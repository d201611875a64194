/**
 * The search-space choice (convolutional cell | recurrent cell) and the recurrent search's
 * settings: `rnn/train_search.py`'s order (--unrolled), nhid, bptt, batch size, epochs, lr and arch_lr, the corpus's
 * level and vocabulary cap, and how many tokens of each text the search uses.
 */
import { memo } from 'react';
import { DEFAULT_LAB_RECURRENT, recurrentSettingsOf } from '../worker/labRecurrent';
import type { LabConfig } from '../worker/protocol';
import type { LabRecurrentSettings, SearchSpace } from '../worker/recurrentProtocol';

/** The settings a recurrent configuration starts with when the space is switched to it. */
export function withSearchSpace(config: LabConfig, space: SearchSpace): LabConfig {
  if (space === 'recurrent') {
    return { ...config, space, recurrent: config.recurrent ?? DEFAULT_LAB_RECURRENT };
  }
  return { ...config, space: 'convolutional' };
}

export function SearchSpaceSelect({
  config,
  disabled,
  onChange,
}: {
  config: LabConfig;
  disabled: boolean;
  onChange: (config: LabConfig) => void;
}) {
  return (
    <label className="field">
      <span>Search space</span>
      <select
        name="space"
        disabled={disabled}
        value={config.space ?? 'convolutional'}
        onChange={(e) =>
          onChange(
            withSearchSpace(config, e.target.value === 'recurrent' ? 'recurrent' : 'convolutional'),
          )
        }
      >
        <option value="convolutional">convolutional cell (images)</option>
        <option value="recurrent">recurrent cell (text, DARTS RNN)</option>
      </select>
    </label>
  );
}

type NumberKey = Exclude<keyof LabRecurrentSettings, 'level' | 'order'>;

const FIELDS: readonly { key: NumberKey; label: string; step?: number; live?: boolean }[] = [
  { key: 'nhid', label: 'Hidden size (nhid = emsize)' },
  { key: 'bptt', label: 'Segment length (bptt)' },
  { key: 'batchSize', label: 'Batch size' },
  { key: 'epochs', label: 'Epochs' },
  // Learning rates can change while a search runs: they apply from the next step.
  { key: 'lr', label: 'Weight learning rate (lr)', step: 1, live: true },
  { key: 'alphaLr', label: 'Alpha learning rate (arch_lr)', step: 0.001, live: true },
  { key: 'maxVocabulary', label: 'Vocabulary cap', step: 100 },
  { key: 'trainTokens', label: 'Training tokens', step: 1000 },
  { key: 'validTokens', label: 'Validation tokens', step: 100 },
  { key: 'seed', label: 'Seed' },
];

export const RecurrentControls = memo(function RecurrentControls({
  config,
  disabled,
  onChange,
}: {
  config: LabConfig;
  disabled: boolean;
  onChange: (config: LabConfig) => void;
}) {
  const settings = recurrentSettingsOf(config);
  const set = (patch: Partial<LabRecurrentSettings>) =>
    onChange({ ...config, recurrent: { ...settings, ...patch } });
  return (
    <fieldset className="recurrent-fields">
      <legend>Recurrent cell (built-in text)</legend>
      <label className="field">
        <span>Tokens</span>
        <select
          name="level"
          disabled={disabled}
          value={settings.level}
          onChange={(e) => set({ level: e.target.value === 'char' ? 'char' : 'word' })}
        >
          <option value="word">words</option>
          <option value="char">characters</option>
        </select>
      </label>
      <label className="field">
        <span>Alpha gradient</span>
        <select
          name="rnn-order"
          disabled={disabled}
          value={String(settings.order ?? 1)}
          onChange={(e) => set({ order: e.target.value === '2' ? 2 : 1 })}
        >
          <option value="1">first order</option>
          <option value="2">second order (unrolled)</option>
        </select>
      </label>
      {FIELDS.map((f) => (
        <label key={f.key} className="field">
          <span>{f.label}</span>
          <input
            type="number"
            name={`rnn-${f.key}`}
            step={f.step ?? 1}
            disabled={disabled && !f.live}
            value={String(settings[f.key])}
            onChange={(e) => set({ [f.key]: e.target.valueAsNumber })}
          />
        </label>
      ))}
    </fieldset>
  );
});
