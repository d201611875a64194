/**
 * One panel of the lab's grid (the cells, the alpha heatmap, the charts, the genotype, …): a
 * titled region with a "?" that unfolds what the panel shows and how to read it. Pieces added
 * later (a β chart, an eigenvalue chart, a cost figure) become panels of their own in the grid
 * instead of growing a column.
 */
import type { ReactNode } from 'react';
import { useState } from 'react';

export interface PanelProps {
  /** Unique on the page: the ids of the title and the help derive from it. */
  readonly id: string;
  readonly title: string;
  /** What the panel shows, for people who have not met DARTS. */
  readonly help: ReactNode;
  /** Controls beside the title (a download, a toggle). */
  readonly actions?: ReactNode;
  /** Extra class names: `wide` spans the grid's full width. */
  readonly className?: string;
  readonly children: ReactNode;
}

export function Panel({ id, title, help, actions, className, children }: PanelProps) {
  const [open, setOpen] = useState(false);
  const helpId = `${id}-help`;
  return (
    <section
      className={className ? `panel ${className}` : 'panel'}
      aria-labelledby={`${id}-title`}
      data-panel={id}
    >
      <div className="panel-head">
        <h2 id={`${id}-title`}>{title}</h2>
        {actions}
        <button
          type="button"
          className="help-toggle"
          aria-expanded={open}
          aria-controls={helpId}
          aria-label={`About ${title}`}
          title={`What “${title}” shows`}
          onClick={() => setOpen((o) => !o)}
        >
          ?
        </button>
      </div>
      <div id={helpId} className="panel-help" hidden={!open}>
        {help}
      </div>
      <div className="panel-body">{children}</div>
    </section>
  );
}
