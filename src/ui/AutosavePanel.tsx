/**
 * Autosave: how often, when the last one was taken, and, after a reload, the offer to resume
 * the search where the last autosave left it.
 */
import { memo } from 'react';
import { findRunKind } from '../nas/runKind/registry';
import type { AutosaveSummary, RunStatus } from '../worker/protocol';

interface Props {
  readonly every: number;
  readonly onEveryChange: (every: number) => void;
  readonly status: RunStatus;
  readonly last: { readonly step: number; readonly savedAt: number } | null;
  readonly stored: readonly AutosaveSummary[];
  readonly onResume: (id: string) => void;
  readonly onDiscard: () => void;
}

const time = (ms: number) => new Date(ms).toLocaleTimeString();

/** What the per-kind jobs' autosaves resume, by the kind they were stored under. */
const JOB_NAMES: Readonly<Record<string, string>> = {
  search: 'search',
  retrain: 'retrain',
  cdarts: 'CDARTS search',
};

/**
 * An autosave's run as the offer names it: the per-kind job's name, else the kind's title (its
 * first letter in lower case unless it opens an acronym: 'DARTS recurrent search').
 */
function kindName(kind = 'search'): string {
  const title = JOB_NAMES[kind] ?? findRunKind(kind)?.info.title ?? kind;
  return /^[A-Z][a-z]/.test(title) ? `${title[0]?.toLowerCase()}${title.slice(1)}` : title;
}

export const AutosavePanel = memo(function AutosavePanel({
  every,
  onEveryChange,
  status,
  last,
  stored,
  onResume,
  onDiscard,
}: Props) {
  const offer = status === 'idle' ? stored[0] : undefined;
  return (
    <div className="autosave">
      <label className="field">
        <span>Autosave every N steps (0: off)</span>
        <input
          type="number"
          name="autosave-every"
          min={0}
          value={every}
          onChange={(e) => {
            const v = e.target.valueAsNumber;
            if (Number.isInteger(v) && v >= 0) onEveryChange(v);
          }}
        />
      </label>
      <p className="muted" data-testid="autosave-status">
        {last ? `autosaved at step ${last.step} (${time(last.savedAt)})` : 'no autosave yet'}
      </p>
      {offer && (
        <div className="resume-offer" role="status" data-testid="autosave-offer">
          <span>
            {`A ${kindName(offer.kind)} was autosaved at step ${offer.step} (${time(offer.savedAt)}).`}
          </span>
          <button type="button" data-testid="resume-autosave" onClick={() => onResume(offer.id)}>
            Resume it
          </button>
          <button type="button" onClick={onDiscard}>
            Discard
          </button>
        </div>
      )}
    </div>
  );
});
