/**
 * The browser's backend order and what follows a lost device (the choice is in DECISIONS.md);
 * e2e/wasmBackend.e2e.test.ts runs the selection itself in Chromium.
 */
import { describe, expect, it } from 'vitest';
import { BACKEND_ORDER, backendsAfter } from '../../src/worker/backendChoice';

describe('backend order', () => {
  it('is WebGPU, then wasm (measured faster than WebGL without a GPU), then WebGL, then cpu', () => {
    expect(BACKEND_ORDER).toEqual(['webgpu', 'wasm', 'webgl', 'cpu']);
  });

  it('goes on after a lost backend with the ones below it', () => {
    expect(backendsAfter('webgpu')).toEqual(['wasm', 'webgl', 'cpu']);
    expect(backendsAfter('webgl')).toEqual(['cpu']);
    expect(backendsAfter('cpu')).toEqual([]);
  });
});
