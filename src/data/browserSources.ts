/**
 * File sources for the browser (and anything with `fetch` or File objects): files the user
 * picked or dropped, and files served from the app's own origin (the embedded default).
 */
import type { FileSource } from './catalog';

/** The part of a DOM `File` this needs; Node's `File` has it too. */
export interface NamedBlob {
  readonly name: string;
  readonly size: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** Picked or dropped files, matched by name. */
export function pickedFilesSource(files: readonly NamedBlob[]): FileSource {
  const byName = new Map(files.map((f) => [f.name, f]));
  return {
    async read(candidates) {
      for (const name of candidates) {
        const file = byName.get(name);
        if (file) return { name, bytes: new Uint8Array(await file.arrayBuffer()) };
      }
      const have = files.length > 0 ? files.map((f) => f.name).join(', ') : 'no files';
      throw new Error(`cannot find ${candidates.join(' or ')} among the chosen files (${have})`);
    },
  };
}

/**
 * Files under a URL of the app's own origin, e.g. `data/fashion-mnist/`. An HTML answer counts
 * as missing: servers with a single-page fallback (Vite's dev server, many hosts) answer 200
 * with index.html for a file they do not have, and no dataset file is HTML.
 */
export function urlSource(baseUrl: string, fetchFn: typeof fetch = fetch): FileSource {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  return {
    async read(candidates) {
      const tried: string[] = [];
      for (const name of candidates) {
        const response = await fetchFn(`${base}${name}`);
        const html = response.headers.get('Content-Type')?.startsWith('text/html') === true;
        if (response.ok && !html) {
          return { name, bytes: new Uint8Array(await response.arrayBuffer()) };
        }
        tried.push(`${name} (${html ? 'an HTML page' : `HTTP ${response.status}`})`);
      }
      throw new Error(`cannot load ${tried.join(' or ')} from ${base}`);
    },
  };
}
