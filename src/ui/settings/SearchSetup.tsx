/**
 * What a search runs as, beside its settings: the search space and, where the space has several,
 * the algorithm (together they pick the run kind, as a link's `space` and `algorithm` do), and
 * the backend. The choices come from the registered kinds.
 */
import { memo } from 'react';
import { runKindById, runKinds, selectRunKind } from '../../nas/runKind/registry';
import type { RunSelector } from '../../nas/runKind/runKind';
import type { BackendChoice } from '../../worker/protocol';
import { BACKEND_CHOICES } from '../runUrlState';

/** The spaces as the page names them. */
const SPACE_LABELS: Readonly<Record<RunSelector['space'], string>> = {
  cnn: 'convolutional cell (images)',
  rnn: 'recurrent cell (text, DARTS RNN)',
};

const BACKEND_LABELS: Readonly<Record<BackendChoice, string>> = {
  auto: 'auto (WebGPU, else wasm, else WebGL, else cpu)',
  webgpu: 'WebGPU',
  wasm: 'wasm (WebAssembly on the CPU)',
  webgl: 'WebGL',
  cpu: 'cpu',
};

interface Props {
  readonly kind: string;
  readonly backend: BackendChoice;
  readonly disabled: boolean;
  readonly onKind: (kind: string) => void;
  readonly onBackend: (backend: BackendChoice) => void;
}

export const SearchSetup = memo(function SearchSetup({
  kind,
  backend,
  disabled,
  onKind,
  onBackend,
}: Props) {
  const info = runKindById(kind).info;
  const searches = runKinds()
    .map((e) => e.info)
    .filter((i) => i.command === 'search');
  const spaces = (Object.keys(SPACE_LABELS) as RunSelector['space'][]).filter((s) =>
    searches.some((i) => i.select.space === s),
  );
  const algorithms = searches.filter(
    (i) => i.select.space === info.select.space && i.select.algorithm !== undefined,
  );
  return (
    <>
      <label className="field">
        <span>Search space</span>
        <select
          name="space"
          disabled={disabled}
          value={info.select.space}
          onChange={(e) => {
            const space = spaces.find((s) => s === e.target.value);
            if (space) onKind(selectRunKind('search', { space }).info.id);
          }}
        >
          {spaces.map((s) => (
            <option key={s} value={s}>
              {SPACE_LABELS[s]}
            </option>
          ))}
        </select>
      </label>
      {algorithms.length > 1 && (
        <label className="field" title={info.summary}>
          <span>Algorithm</span>
          <select
            name="algorithm"
            disabled={disabled}
            value={info.select.algorithm}
            onChange={(e) => {
              const chosen = algorithms.find((i) => i.select.algorithm === e.target.value);
              if (chosen) onKind(chosen.id);
            }}
          >
            {algorithms.map((i) => (
              <option key={i.id} value={i.select.algorithm}>
                {i.title}
              </option>
            ))}
          </select>
        </label>
      )}
      <label className="field">
        <span>Backend</span>
        <select
          name="backend"
          disabled={disabled}
          value={backend}
          onChange={(e) => {
            const choice = BACKEND_CHOICES.find((b) => b === e.target.value);
            if (choice) onBackend(choice);
          }}
        >
          {BACKEND_CHOICES.map((b) => (
            <option key={b} value={b}>
              {BACKEND_LABELS[b]}
            </option>
          ))}
        </select>
      </label>
    </>
  );
});
