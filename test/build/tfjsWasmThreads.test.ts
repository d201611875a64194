/** The build's edit of tfjs-backend-wasm's threaded factory (build/tfjsWasmThreads.ts). */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { withoutScriptDirReads } from '../../build/tfjsWasmThreads';

const FACTORY = createRequire(import.meta.url).resolve(
  '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js',
);

/** The source of the function tfjs hands to its pthread workers (`factory.toString()`). */
function innerFactory(code: string): string {
  const start = code.indexOf('function(WasmBackendModuleThreadedSimd)');
  const end = code.lastIndexOf('return WasmBackendModuleThreadedSimd.ready');
  if (start < 0 || end < start) throw new Error('the factory function was not found');
  return code.slice(start, end);
}

describe('tfjs-backend-wasm threaded factory edit', () => {
  const code = readFileSync(FACTORY, 'utf8');

  it("leaves the function tfjs sends to its workers no read of its closure's _scriptDir", () => {
    expect(innerFactory(code)).toContain('_scriptDir');
    const edited = withoutScriptDirReads(code);
    expect(innerFactory(edited)).not.toContain('_scriptDir');
    // The workers still get their script from tfjs, and the closure itself is kept.
    expect(edited).toContain('"urlOrBlob":Module["mainScriptUrlOrBlob"],');
    expect(edited).toContain('var _scriptDir = typeof document');
    expect(edited.length).toBeLessThan(code.length);
  });

  it('fails the build when tfjs changed the text it edits', () => {
    const edited = withoutScriptDirReads(code);
    expect(() => withoutScriptDirReads(edited)).toThrow(
      /tfjs-backend-wasm's threaded factory changed: expected "if\(typeof _scriptDir/,
    );
  });
});
