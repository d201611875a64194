/**
 * A kind's settings against its core configuration: its cross-field check reuses the
 * configuration's validator, whose messages name a setting in words ("weight learning rate must
 * be …"), with the settings key put in front so that the form and the command line can point at
 * the field; and a checkpoint's settings must make the configuration it holds. No tfjs here.
 */
import type { RunKindInfo } from './runKind';
import type { Settings } from './settingsSchema';

/** A validator's phrase and the settings key its messages concern: ['batch size', 'batchSize']. */
export type KeyPhrase = readonly [phrase: string, key: string];

/** The validator's first complaint, led by the key it concerns; none when it passes. */
export function keyedProblems(check: () => unknown, phrases: readonly KeyPhrase[]): string[] {
  try {
    check();
    return [];
  } catch (e) {
    const message = (e as Error).message;
    const key = phrases.find(([phrase]) => message.startsWith(phrase))?.[1];
    return [key ? `${key}: ${message}` : message];
  }
}

/**
 * The keys whose values differ between two configurations (compared as JSON), in `a`'s order:
 * what a checkpoint's configuration says that its settings do not.
 */
export function configDifferences<T extends object>(a: T, b: T): string[] {
  const x = a as Readonly<Record<string, unknown>>;
  const y = b as Readonly<Record<string, unknown>>;
  return Object.keys(x).filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k]));
}

/**
 * Throws unless `settings` make `config`, a checkpoint's configuration, through `configOf`. The
 * live settings (learning rates) may have changed since the run began, while the configuration
 * keeps their first values: they are compared at the configuration's (their keys are its keys).
 */
export function checkSettingsMake<C extends object>(
  info: RunKindInfo,
  settings: Settings,
  config: C,
  configOf: (settings: Settings) => C,
): void {
  const c = config as Readonly<Record<string, unknown>>;
  const started = { ...settings };
  for (const f of info.schema.fields) {
    if (f.live && typeof c[f.key] === 'number') started[f.key] = c[f.key] as number;
  }
  const differ = configDifferences(config, configOf(started));
  if (differ.length > 0) {
    throw new Error(
      `the checkpoint's configuration differs from what its settings make in ${differ.join(', ')}: it cannot resume as a ${info.title}`,
    );
  }
}
