/** The checkpoint flags a search command shares: `--checkpoint-every N` and `--resume FILE`. */
import { number } from './flagValues';

/** `--checkpoint-every`'s value: a whole number of steps of at least 1, or undefined. */
export function checkpointEvery(value: string | undefined): number | undefined {
  const n = number('checkpoint-every', value);
  if (n !== undefined && (!Number.isInteger(n) || n < 1)) {
    throw new Error(`--checkpoint-every expects a whole number of steps of at least 1, got ${n}`);
  }
  return n;
}

/** Refuses, under `--resume`, the flags that set what the checkpoint already says. */
export function refuseSettingsOnResume(
  resume: string | undefined,
  values: Readonly<Record<string, unknown>>,
  settingsFlags: readonly string[],
): void {
  if (resume === undefined) return;
  const given = settingsFlags.filter((f) => values[f] !== undefined);
  if (given.length > 0) {
    throw new Error(
      `--resume takes the search settings and data from the checkpoint; drop ${given.map((f) => `--${f}`).join(', ')}`,
    );
  }
}
