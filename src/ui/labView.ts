/**
 * Which of the lab's views is shown — the search or the retrains — kept in the address bar as
 * `view=retrain` beside the search's settings, so that a link opens the view it was copied from.
 * The search is the default and is written as nothing, so every link written before the views
 * existed opens as it did; an unknown `view` reads as the search.
 */

export const LAB_VIEWS = ['search', 'retrain'] as const;
export type LabView = (typeof LAB_VIEWS)[number];

const PARAM = 'view';

/** The view a query string (with or without its `?`) names; the search where it names none. */
export function readLabView(query: string): LabView {
  const named = new URLSearchParams(query).get(PARAM);
  return LAB_VIEWS.find((v) => v === named) ?? 'search';
}

/** `query` (without `?`) with the view added where it is not the default. */
export function withLabView(query: string, view: LabView): string {
  if (view === 'search') return query;
  const q = new URLSearchParams(query);
  q.set(PARAM, view);
  return q.toString();
}
