/**
 * What the user reads when something the page asked for fails: one sentence that names the
 * action that failed ("The DARTS search stopped: …", "This file is not a NAS Lab trained model:
 * …"), with out-of-memory and device-loss errors from the backends worded as what happened and
 * what to do; any other cause passes through unchanged after the action.
 */

const OUT_OF_MEMORY =
  /out of memory|\bOOM\b|failed to allocate|allocation failed|array buffer allocation|exceeds the (max|maximum)|Requested texture size|buffer size .* (exceeds|larger)/i;
const DEVICE_LOST = /device (was |is |has been )?lost|lost the device|context lost|CONTEXT_LOST/i;

export function describeJobError(error: unknown, backend: string | null): string {
  const message = error instanceof Error ? error.message : String(error);
  const on = backend ? ` on the ${backend} backend` : '';
  if (DEVICE_LOST.test(message)) {
    return (
      `the GPU device was lost${on} (${message}). Start again; if it happens again, ` +
      'choose the webgl or cpu backend, or a smaller configuration.'
    );
  }
  if (OUT_OF_MEMORY.test(message)) {
    return (
      `out of memory${on} (${message}). Reduce the batch size, channels, cells or image ` +
      'size, and start again.'
    );
  }
  return message;
}

/** The part of tfjs's WebGPU backend this module needs: its device's `lost` promise. */
interface WithDevice {
  readonly device?: {
    readonly lost?: Promise<{ readonly reason?: string; readonly message?: string }>;
  };
}

/** Calls `onLost` once if the backend's GPU device is lost (WebGPU only; others never call). */
export function watchDeviceLoss(backend: unknown, onLost: (message: string) => void): void {
  const lost = (backend as WithDevice | null)?.device?.lost;
  if (!lost) return;
  void lost.then((info) => {
    if (info.reason === 'destroyed') return; // our own teardown
    onLost(`the GPU device was lost: ${info.message || info.reason || 'no reason given'}`);
  });
}

/** An error whose message is already the whole sentence the user reads, action included. */
export class LabFailure extends Error {
  override readonly name = 'LabFailure';
}

/** The sentence for `error` when the action worded by `lead` ("The retrain stopped") failed. */
export function describeFailure(lead: string, error: unknown, backend: string | null): string {
  if (error instanceof LabFailure) return error.message;
  return `${lead}: ${describeJobError(error, backend)}`;
}

/** `text` with its first letter upper-case, for a title or a cause at the start of a sentence. */
export function sentenceCase(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}
