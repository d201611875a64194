/**
 * The lab's keyboard shortcuts — Space pauses and resumes, S steps — and the "Keyboard" popover
 * that lists them. A shortcut never fires while the user types (inputs, selects, text areas);
 * Space also leaves buttons, links and tabs to their own meaning.
 */
import { useEffect, useRef, useState } from 'react';

/** Where a key is the user's typing, not a command. */
const TYPING = 'input, textarea, select, [contenteditable="true"], [contenteditable=""]';
/** Where Space already means something (it presses the focused control). */
const PRESSABLE = `${TYPING}, button, a[href], summary, [role="tab"], [role="button"]`;

export interface ShortcutActions {
  /** Space: pause a running run, resume a paused one. */
  readonly onToggle: () => void;
  /** S: one step of a paused run. */
  readonly onStep: () => void;
}

export function shortcutFor(key: string, target: Element | null): keyof ShortcutActions | null {
  if (key === ' ' && !target?.closest(PRESSABLE)) return 'onToggle';
  if ((key === 's' || key === 'S') && !target?.closest(TYPING)) return 'onStep';
  return null;
}

export function useRunShortcuts(actions: ShortcutActions): void {
  const latest = useRef(actions);
  useEffect(() => {
    latest.current = actions;
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey || e.repeat) return;
      const target = e.target instanceof Element ? e.target : null;
      const action = shortcutFor(e.key, target);
      if (!action) return;
      e.preventDefault();
      latest.current[action]();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

const SHORTCUTS: readonly (readonly [keys: string, what: string])[] = [
  ['Space', 'pause a running search or retrain; resume a paused one'],
  ['S', 'one step of a paused run'],
  ['Tab / Shift+Tab', 'move between controls'],
  ['← / →', 'switch view (Search, Retrain) when a view tab has focus'],
  ['Esc', 'close this list'],
];

export function KeyboardHelp() {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const anchor = useRef<HTMLDivElement>(null);
  // Escape closes the list (focus back on its button), as does a click anywhere else.
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setOpen(false);
      button.current?.focus();
    };
    const onPointer = (e: PointerEvent) => {
      if (e.target instanceof Node && !anchor.current?.contains(e.target)) setOpen(false);
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('pointerdown', onPointer);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('pointerdown', onPointer);
    };
  }, [open]);
  return (
    <div className="popover-anchor" ref={anchor}>
      <button
        ref={button}
        type="button"
        className="quiet"
        aria-expanded={open}
        aria-controls="keyboard-shortcuts"
        data-testid="keyboard-help"
        onClick={() => setOpen((o) => !o)}
      >
        Keyboard
      </button>
      <div id="keyboard-shortcuts" className="popover" hidden={!open}>
        <h2>Keyboard shortcuts</h2>
        <dl>
          {SHORTCUTS.map(([keys, what]) => (
            <div key={keys}>
              <dt>
                <kbd>{keys}</kbd>
              </dt>
              <dd>{what}</dd>
            </div>
          ))}
        </dl>
      </div>
    </div>
  );
}
