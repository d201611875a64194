/**
 * The collapse monitor's record in a search checkpoint's manifest (`collapse`: the measured
 * eigenvalues by step and the rule that fired), written and read back with every field checked.
 * Optional: a checkpoint written before the monitor existed has none and resumes with an empty
 * series. No tfjs.
 */
import type { ManifestReader } from '../io/manifestFields';
import type { CollapseRecord } from './collapseMonitor';
import { EMPTY_COLLAPSE_RECORD } from './collapseMonitor';

/** The manifest key. */
export const COLLAPSE_KEY = 'collapse';

/** The record as manifest JSON. */
export function collapseToJson(record: CollapseRecord): Record<string, unknown> {
  return {
    eigenvalues: record.eigenvalues.map((e) => ({ step: e.step, value: e.value })),
    fired: record.fired === null ? null : { ...record.fired },
  };
}

/** The record a manifest holds (absent: empty), its steps within the position's `lastStep`. */
export function collapseFromJson(
  reader: ManifestReader,
  value: unknown,
  lastStep: number,
): CollapseRecord {
  if (value === undefined) return EMPTY_COLLAPSE_RECORD;
  const o = reader.record(value, COLLAPSE_KEY, ['eigenvalues', 'fired']);
  if (!Array.isArray(o.eigenvalues)) throw reader.error('collapse.eigenvalues must be a list');
  let before = 0;
  const eigenvalues = o.eigenvalues.map((entry: unknown, i) => {
    const at = `collapse.eigenvalues[${i}]`;
    const e = reader.record(entry, at, ['step', 'value']);
    const step = reader.integer(e.step, `${at}.step`, before + 1, lastStep);
    before = step;
    return { step, value: reader.number(e.value, `${at}.value`) };
  });
  if (o.fired === null) return { eigenvalues, fired: null };
  const f = reader.record(o.fired, 'collapse.fired', ['rule', 'step']);
  if (f.rule !== 'rdarts' && f.rule !== 'skips') {
    throw reader.error('collapse.fired.rule must be "rdarts" or "skips"');
  }
  return {
    eigenvalues,
    fired: { rule: f.rule, step: reader.integer(f.step, 'collapse.fired.step', 1, lastStep) },
  };
}
