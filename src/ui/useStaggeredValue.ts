/**
 * Progressive rendering: a view that takes `useStaggeredValue(value, slot)` sees a new value
 * `slot` frames after it arrives, in a transition. Giving each heavy view (each chart, each
 * grid of small multiples) its own slot spreads one step's redraw over several short tasks
 * instead of one long one. Values that arrive faster than that are coalesced: the view shows
 * the latest value when its slot comes, and never starves.
 */
import { startTransition, useEffect, useRef, useState } from 'react';

function afterFrames(frames: number, callback: () => void): () => void {
  let id = 0;
  let left = frames;
  const tick = () => {
    if (left-- <= 0) callback();
    else id = requestAnimationFrame(tick);
  };
  id = requestAnimationFrame(tick);
  return () => cancelAnimationFrame(id);
}

export function useStaggeredValue<T>(value: T, slot: number): T {
  const [shown, setShown] = useState(value);
  const latest = useRef(value);
  const pending = useRef<(() => void) | null>(null);
  latest.current = value;

  useEffect(() => {
    if (pending.current) return; // the scheduled update will take the latest value
    pending.current = afterFrames(slot, () => {
      pending.current = null;
      startTransition(() => setShown(latest.current));
    });
  }, [value, slot]);

  useEffect(
    () => () => {
      pending.current?.();
      pending.current = null;
    },
    [],
  );
  return shown;
}
