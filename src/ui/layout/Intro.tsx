/**
 * What the lab does, for a first visit: DARTS in three sentences and what to watch. Dismissed
 * once, it stays away (localStorage); the header's "About DARTS" brings it back. Not a modal: the
 * page stays usable while it shows.
 */
import { useCallback, useState } from 'react';

const KEY = 'nas-lab:intro-dismissed';

function dismissedBefore(): boolean {
  try {
    return window.localStorage.getItem(KEY) === '1';
  } catch {
    return false; // storage refused (a private window): show it
  }
}

/** Whether the introduction shows, and the actions that hide and show it. */
export function useIntro(): { shown: boolean; dismiss: () => void; show: () => void } {
  const [shown, setShown] = useState(() => !dismissedBefore());
  const dismiss = useCallback(() => {
    setShown(false);
    try {
      window.localStorage.setItem(KEY, '1');
    } catch {
      // not remembered: it shows again next time
    }
  }, []);
  const show = useCallback(() => setShown(true), []);
  return { shown, dismiss, show };
}

export function Intro({ onDismiss }: { readonly onDismiss: () => void }) {
  return (
    <section className="intro" aria-labelledby="intro-title" data-testid="intro">
      <div>
        <h2 id="intro-title">What happens here</h2>
        <p>
          DARTS searches for a neural network&apos;s building block, a <em>cell</em>: every edge of
          the cell holds all candidate operations at once, mixed by a softmax over learnable weights
          called <em>alphas</em>. Training alternates between the network&apos;s weights (on
          training data) and the alphas (on validation data), so the mix drifts towards the
          operations that help. At any moment the strongest operation of each edge gives the derived
          cell, which is then retrained from scratch as a normal network.
        </p>
        <p>
          <strong>What to watch:</strong> press <kbd>Start</kbd>; the two cells in the middle change
          as the alphas move, the heatmap beside them shows every edge&apos;s mix, and the loss
          falls. Too many <code>skip_connect</code> edges is DARTS&apos;s known failure. Each
          panel&apos;s <kbd>?</kbd> says what it shows.
        </p>
      </div>
      <button type="button" className="quiet" onClick={onDismiss} data-testid="intro-dismiss">
        Got it
      </button>
    </section>
  );
}
