/**
 * Where the worker keeps autosaved checkpoints: IndexedDB in the browser (the worker has it),
 * memory in tests. The newest `keep` autosaves are kept; when storage is full the oldest go
 * first, and if it is still full the error says so.
 */

/**
 * What an autosave resumes: a run kind's id ('darts', 'toy', …), or what the per-kind jobs
 * wrote: 'search' (a DARTS search), 'retrain', 'cdarts'. The bytes' format picks the kind.
 */
export type AutosaveKind = string;

export interface AutosaveEntry {
  readonly id: string;
  /** What it resumes; its id is the kind too, so that a search and a retrain keep one each. */
  readonly kind: AutosaveKind;
  readonly step: number;
  /** ms since the epoch. */
  readonly savedAt: number;
  readonly bytes: Uint8Array;
}

export type AutosaveInfo = Omit<AutosaveEntry, 'bytes'> & { readonly sizeBytes: number };

export interface AutosaveStore {
  put(entry: AutosaveEntry): Promise<void>;
  /** Newest first, without the bytes. */
  list(): Promise<AutosaveInfo[]>;
  get(id: string): Promise<AutosaveEntry | null>;
  delete(id: string): Promise<void>;
}

export const KEEP_AUTOSAVES = 2;

function isQuotaError(e: unknown): boolean {
  return e instanceof Error && /quota/i.test(`${e.name} ${e.message}`);
}

/**
 * Stores an autosave and prunes older ones down to `keep`. On a quota error the oldest entries
 * are removed first and the write is tried again; a write that still fails throws a message
 * naming the storage problem.
 */
export async function saveAndPrune(
  store: AutosaveStore,
  entry: AutosaveEntry,
  keep = KEEP_AUTOSAVES,
): Promise<void> {
  const pruneTo = async (n: number) => {
    const older = (await store.list()).filter((e) => e.id !== entry.id);
    for (const old of older.slice(Math.max(n, 0))) await store.delete(old.id);
  };
  try {
    await store.put(entry);
  } catch (e) {
    if (!isQuotaError(e)) throw e;
    await pruneTo(0);
    try {
      await store.put(entry);
    } catch (again) {
      throw new Error(
        `autosave failed: the browser's storage is full even after removing older autosaves (${(again as Error).message})`,
      );
    }
  }
  await pruneTo(keep - 1);
}

export function memoryAutosaveStore(options: { quotaBytes?: number } = {}): AutosaveStore {
  const entries = new Map<string, AutosaveEntry>();
  const used = () => [...entries.values()].reduce((n, e) => n + e.bytes.length, 0);
  const info = (e: AutosaveEntry): AutosaveInfo => ({
    id: e.id,
    kind: e.kind,
    step: e.step,
    savedAt: e.savedAt,
    sizeBytes: e.bytes.length,
  });
  return {
    async put(entry) {
      const other = entries.get(entry.id)?.bytes.length ?? 0;
      if (
        options.quotaBytes !== undefined &&
        used() - other + entry.bytes.length > options.quotaBytes
      ) {
        const e = new Error('The quota has been exceeded.');
        e.name = 'QuotaExceededError';
        throw e;
      }
      entries.set(entry.id, { ...entry, bytes: entry.bytes.slice() });
    },
    async list() {
      return [...entries.values()].sort((a, b) => b.savedAt - a.savedAt).map(info);
    },
    async get(id) {
      return entries.get(id) ?? null;
    },
    async delete(id) {
      entries.delete(id);
    },
  };
}

const DB = 'nas-lab';
const STORE = 'autosaves';

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });
}

function openDb(): Promise<IDBDatabase> {
  const open = indexedDB.open(DB, 1);
  open.onupgradeneeded = () => {
    if (!open.result.objectStoreNames.contains(STORE)) {
      open.result.createObjectStore(STORE, { keyPath: 'id' });
    }
  };
  return request(open);
}

/** Autosaves in IndexedDB; null where there is none (Node). */
export function indexedDbAutosaveStore(): AutosaveStore | null {
  if (typeof indexedDB === 'undefined') return null;
  let db: Promise<IDBDatabase> | null = null;
  const tx = async (mode: IDBTransactionMode) =>
    (await (db ??= openDb())).transaction(STORE, mode).objectStore(STORE);
  return {
    async put(entry) {
      const store = await tx('readwrite');
      await request(store.put(entry));
      await new Promise<void>((resolve, reject) => {
        store.transaction.oncomplete = () => resolve();
        store.transaction.onerror = () => reject(store.transaction.error);
        store.transaction.onabort = () =>
          reject(store.transaction.error ?? new Error('the autosave write was aborted'));
      });
    },
    async list() {
      const all = (await request((await tx('readonly')).getAll())) as AutosaveEntry[];
      return all
        .sort((a, b) => b.savedAt - a.savedAt)
        .map((e) => ({
          id: e.id,
          kind: e.kind,
          step: e.step,
          savedAt: e.savedAt,
          sizeBytes: e.bytes.length,
        }));
    },
    async get(id) {
      return ((await request((await tx('readonly')).get(id))) as AutosaveEntry | undefined) ?? null;
    },
    async delete(id) {
      await request((await tx('readwrite')).delete(id));
    },
  };
}
