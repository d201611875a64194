/**
 * What a search runs as, beside its settings: the search space and, where the space has several,
 * the algorithm (together they pick the run kind, as a link's `space` and `algorithm` do), and
 * the backend. The choices come from the registered kinds.
 */
import { memo } from 'react';
import { runKindById, runKinds, selectRunKind } from '../../nas/runKind/registry';
import type { RunSelector } from '../../nas/runKind/runKind';
import type { BackendChoice } from '../../worker/protocol';
import { LabelledSelect } from '../inputs';
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
      <LabelledSelect
        label="Search space"
        name="space"
        value={info.select.space}
        options={spaces.map((s) => ({ value: s, label: SPACE_LABELS[s] }))}
        disabled={disabled}
        onChange={(v) => {
          const space = spaces.find((s) => s === v);
          if (space) onKind(selectRunKind('search', { space }).info.id);
        }}
      />
      {algorithms.length > 1 && (
        <LabelledSelect
          label="Algorithm"
          name="algorithm"
          title={info.summary}
          value={info.select.algorithm ?? ''}
          options={algorithms.map((i) => ({ value: i.select.algorithm ?? '', label: i.title }))}
          disabled={disabled}
          onChange={(v) => {
            const chosen = algorithms.find((i) => i.select.algorithm === v);
            if (chosen) onKind(chosen.id);
          }}
        />
      )}
      <LabelledSelect
        label="Backend"
        name="backend"
        value={backend}
        options={BACKEND_CHOICES.map((b) => ({ value: b, label: BACKEND_LABELS[b] }))}
        disabled={disabled}
        onChange={(v) => {
          const choice = BACKEND_CHOICES.find((b) => b === v);
          if (choice) onBackend(choice);
        }}
      />
    </>
  );
});
