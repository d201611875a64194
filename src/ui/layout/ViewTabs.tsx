/**
 * The lab's views as tabs (the search; the retrains), keyboard-operable as WAI-ARIA tabs: the
 * arrow keys, Home and End move between them. The view lives in the address bar (labView.ts).
 */
import type { KeyboardEvent, ReactNode } from 'react';
import { useRef } from 'react';
import type { LabView } from '../labView';
import { LAB_VIEWS } from '../labView';

const LABELS: Readonly<Record<LabView, string>> = {
  search: 'Search',
  retrain: 'Retrain',
};

export const tabId = (view: LabView): string => `view-tab-${view}`;
export const viewPanelId = (view: LabView): string => `view-${view}`;

export function ViewTabs({
  view,
  onView,
  badges,
}: {
  readonly view: LabView;
  readonly onView: (view: LabView) => void;
  /** A short note beside a tab's name (a retrain that runs). */
  readonly badges?: Partial<Record<LabView, ReactNode>>;
}) {
  const refs = useRef<Partial<Record<LabView, HTMLButtonElement | null>>>({});
  const go = (next: LabView) => {
    onView(next);
    refs.current[next]?.focus();
  };
  const onKeyDown = (e: KeyboardEvent<HTMLButtonElement>) => {
    const at = LAB_VIEWS.indexOf(view);
    const n = LAB_VIEWS.length;
    const target =
      e.key === 'ArrowRight'
        ? LAB_VIEWS[(at + 1) % n]
        : e.key === 'ArrowLeft'
          ? LAB_VIEWS[(at - 1 + n) % n]
          : e.key === 'Home'
            ? LAB_VIEWS[0]
            : e.key === 'End'
              ? LAB_VIEWS[n - 1]
              : undefined;
    if (target === undefined) return;
    e.preventDefault();
    go(target);
  };
  return (
    <div className="view-tabs" role="tablist" aria-label="Views">
      {LAB_VIEWS.map((v) => (
        <button
          key={v}
          ref={(el) => {
            refs.current[v] = el;
          }}
          type="button"
          role="tab"
          id={tabId(v)}
          data-testid={tabId(v)}
          aria-selected={v === view}
          aria-controls={viewPanelId(v)}
          tabIndex={v === view ? 0 : -1}
          onClick={() => onView(v)}
          onKeyDown={onKeyDown}
        >
          {LABELS[v]}
          {badges?.[v] && <span className="tab-badge">{badges[v]}</span>}
        </button>
      ))}
    </div>
  );
}

/** One view's tab panel; it stays mounted while another view shows, so its state stays. */
export function ViewPanel({
  view,
  shown,
  children,
}: {
  readonly view: LabView;
  readonly shown: LabView;
  readonly children: ReactNode;
}) {
  return (
    <div
      role="tabpanel"
      id={viewPanelId(view)}
      aria-labelledby={tabId(view)}
      className="view"
      hidden={view !== shown}
    >
      {children}
    </div>
  );
}
