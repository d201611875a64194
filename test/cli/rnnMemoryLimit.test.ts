/**
 * The memory check before a recurrent search, as the command line meets it: a search too big
 * for the backend is refused before any tensor, naming the sizes and the batch that fits
 * (src/nas/rnn/search/rnnSearchMemoryLimit.ts, runKind/memoryLimit.ts); one that fits is not.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { useNodeBackend } from '../../src/cli/nodeBackend';
import { SMALL_RNN_SEARCH_CONFIG } from '../../src/nas/rnn/search/rnnSearchConfig';
import { checkRnnSearchFits } from '../../src/nas/rnn/search/rnnSearchMemoryLimit';
import { memoryLimit } from '../../src/nas/runKind/memoryLimit';
import * as tf from '../../src/nas/tensor/tf';

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('recurrent search memory check', () => {
  it('refuses --preset paper on wasm before any tensor, naming sizes and what to lower', async () => {
    let err = '';
    const out = mkdtempSync(join(tmpdir(), 'nas-lab-memory-'));
    const code = await main(
      ['search', '--space', 'rnn', '--preset', 'paper', '--backend', 'wasm', '--out', out],
      { out: () => {}, err: (t) => (err += t) },
    );
    expect(code).toBe(1);
    expect(err).toMatch(
      /^nas-lab: --backend wasm: a search step needs at least \d+ GiB, more than the wasm backend's heap limit \(4\.0 GiB\): batch 256 × bptt 35 .*nhid 300.*lower the batch size to at most \d+/,
    );
  });

  it('lets the small preset run on wasm and cpu, and does not guess for webgpu', async () => {
    for (const backend of ['wasm', 'cpu'] as const) {
      await useNodeBackend(backend);
      expect(() => checkRnnSearchFits(SMALL_RNN_SEARCH_CONFIG, 3000, 'cli')).not.toThrow();
    }
    expect(memoryLimit('cli', 'webgpu')).toBeNull();
  });
});
