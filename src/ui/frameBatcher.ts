/**
 * Collects items and hands them over in one batch per animation frame, so a fast worker that
 * sends many steps per frame costs one render, not one per message.
 */
export interface FrameBatcher<T> {
  push(item: T): void;
  /** Hands over what is queued now, without waiting for the frame. */
  flush(): void;
  dispose(): void;
}

export type FrameScheduler = (callback: () => void) => () => void;

/** requestAnimationFrame, with a timer where there is none (and in hidden tabs it still runs). */
export const animationFrame: FrameScheduler = (callback) => {
  if (typeof requestAnimationFrame === 'function' && document.visibilityState === 'visible') {
    const id = requestAnimationFrame(callback);
    return () => cancelAnimationFrame(id);
  }
  const id = setTimeout(callback, 16);
  return () => clearTimeout(id);
};

export function frameBatcher<T>(
  deliver: (items: T[]) => void,
  schedule: FrameScheduler = animationFrame,
): FrameBatcher<T> {
  let queue: T[] = [];
  let cancel: (() => void) | null = null;
  const flush = () => {
    cancel?.();
    cancel = null;
    if (queue.length === 0) return;
    const items = queue;
    queue = [];
    deliver(items);
  };
  return {
    push(item) {
      queue.push(item);
      cancel ??= schedule(flush);
    },
    flush,
    dispose() {
      cancel?.();
      cancel = null;
      queue = [];
    },
  };
}
