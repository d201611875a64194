/**
 * A Vite plugin that lets tfjs-backend-wasm 4.22's threaded SIMD binary start from a minified
 * bundle. tfjs starts its pthread workers with the source of the Emscripten factory function
 * (`factory.toString()` in a Blob); that function reads `_scriptDir`, a variable of the closure
 * around it, behind a `typeof` guard. A minifier sees the variable in scope and drops the guard,
 * so in the worker, where the closure is gone, the factory throws "ReferenceError: e is not
 * defined" and the backend never starts. The two reads are removed at their source: in a
 * browser build `_scriptDir` is undefined anyway (no `document.currentScript` in a worker or an
 * ES module) and tfjs gives the worker its script as `mainScriptUrlOrBlob`. The build fails if
 * tfjs's text changes, rather than shipping a backend that hangs.
 */
import type { Plugin } from 'vite';

const FACTORY = /tfjs-backend-wasm\/wasm-out\/tfjs-backend-wasm-threaded-simd\.js$/;

const EDITS: readonly (readonly [string, string])[] = [
  ['if(typeof _scriptDir !== "undefined" && _scriptDir){scriptDirectory=_scriptDir}', ''],
  [
    '"urlOrBlob":Module["mainScriptUrlOrBlob"]||_scriptDir,',
    '"urlOrBlob":Module["mainScriptUrlOrBlob"],',
  ],
];

/** The factory's source with the closure reads removed; throws if one is not found once. */
export function withoutScriptDirReads(code: string): string {
  let out = code;
  for (const [from, to] of EDITS) {
    const at = out.indexOf(from);
    if (at < 0 || out.indexOf(from, at + 1) >= 0) {
      throw new Error(
        `tfjs-backend-wasm's threaded factory changed: expected "${from}" once; review tfjsWasmThreads.ts`,
      );
    }
    out = out.replace(from, to);
  }
  return out;
}

export function tfjsWasmThreads(): Plugin {
  return {
    name: 'nas-lab-tfjs-wasm-threads',
    apply: 'build',
    transform(code, id) {
      return FACTORY.test(id.split('?')[0] ?? id)
        ? { code: withoutScriptDirReads(code), map: null }
        : null;
    },
  };
}
