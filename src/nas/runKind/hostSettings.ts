/**
 * A run's settings in its checkpoint: the core checkpoints keep a flat table of host settings
 * (names to numbers, booleans and texts of at most 256 characters), and a run kind stores its
 * whole settings object there, under the kind's id, so that a resume restores exactly the run
 * that was saved. Lists are written comma-separated; a text too long for the table (a genotype
 * file's text) is left out, and the kind fills it in from what the checkpoint holds. Files
 * written before the run kinds carry no kind id: `settingsFromHost` answers null for them, and
 * the kind maps their configuration instead. No tfjs here.
 */
import type { HostSettings } from '../darts/searchCheckpointManifest';
import type { RunKindInfo } from './runKind';
import type { Settings, SettingValue } from './settingsSchema';
import { validateSettings } from './settingsSchema';

/** The host setting that names the kind whose settings the others are. */
export const RUN_KIND_HOST_KEY = 'runKind';

/** The longest text a checkpoint's host settings hold (searchCheckpointManifest.ts). */
export const MAX_HOST_TEXT = 256;

/** The settings as a checkpoint's host settings. */
export function settingsToHost(info: RunKindInfo, settings: Settings): HostSettings {
  const host: Record<string, string | number | boolean> = { [RUN_KIND_HOST_KEY]: info.id };
  for (const field of info.schema.fields) {
    const value = settings[field.key];
    if (value === undefined) continue;
    const stored = Array.isArray(value) ? value.join(',') : (value as string | number | boolean);
    // Left out: the kind fills it in on a resume from the checkpoint's own contents.
    if (typeof stored === 'string' && stored.length > MAX_HOST_TEXT) continue;
    host[field.key] = stored;
  }
  return host;
}

/**
 * The settings a checkpoint's host settings hold, validated; `fill` gives the values of texts
 * that were too long to store. Null when the file was written before the run kinds (no kind id).
 */
export function settingsFromHost(
  info: RunKindInfo,
  host: HostSettings | undefined,
  fill: Readonly<Record<string, SettingValue>> = {},
): Settings | null {
  if (!host || !Object.hasOwn(host, RUN_KIND_HOST_KEY)) return null;
  const kind = host[RUN_KIND_HOST_KEY];
  if (kind !== info.id) {
    throw new Error(
      `the checkpoint holds the settings of a ${JSON.stringify(kind)} run, not of a "${info.id}" run`,
    );
  }
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(host)) {
    if (key === RUN_KIND_HOST_KEY) continue;
    const field = info.schema.fields.find((f) => f.key === key);
    raw[key] =
      field?.type === 'list' && typeof value === 'string'
        ? value.split(',').filter((s) => s !== '')
        : value;
  }
  for (const [key, value] of Object.entries(fill)) {
    if (!Object.hasOwn(raw, key)) raw[key] = value;
  }
  return validateSettings(info.schema, raw, "checkpoint's settings");
}
