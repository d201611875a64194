/**
 * What the lab's session needs from where it runs (the worker's entry, or a test in-thread):
 * a way to post messages, the embedded data's files, autosave storage and a clock.
 */
import { urlSource } from '../data/browserSources';
import type { FileSource } from '../data/catalog';
import type { AutosaveStore } from './autosaveStore';
import type { FromWorker } from './protocol';

export interface SessionHost {
  post(message: FromWorker): void;
  /** The embedded dataset's files, given the URL the page sent. */
  readonly dataSource: (dataUrl: string) => FileSource;
  /** Where autosaves go; null turns autosave off (no storage). */
  readonly autosaves?: AutosaveStore | null;
  /** Clock for autosave times; injectable for tests. */
  readonly now?: () => number;
}

/** The embedded data served by the page's origin, as the worker reads it. */
export const fetchDataSource = (dataUrl: string): FileSource => urlSource(dataUrl);
