/** The CLI's memory check before a recurrent search (src/cli/rnnMemoryLimit.ts). */
import { describe, expect, it } from 'vitest';
import { checkRnnSearchFits } from '../../src/cli/rnnMemoryLimit';
import { parseRnnSearchArgs } from '../../src/cli/rnnArgs';
import { SMALL_RNN_SEARCH_CONFIG } from '../../src/nas/rnn/search/rnnSearchConfig';

describe('recurrent search memory check', () => {
  it('refuses --preset paper on wasm before any tensor, naming sizes and what to lower', () => {
    const cmd = parseRnnSearchArgs(['--preset', 'paper', '--backend', 'wasm']);
    if (cmd === 'help') throw new Error('unexpected help');
    expect(() => checkRnnSearchFits(cmd.config, 3000, cmd.backend)).toThrow(
      /^--backend wasm: a search step needs at least \d+ GiB, more than the wasm backend's heap limit \(4\.0 GiB\): batch 256 × bptt 35 .*nhid 300.*lower the batch size to at most \d+/,
    );
  });

  it('lets the small preset run on wasm and cpu, and does not guess for webgpu', () => {
    for (const backend of ['wasm', 'cpu'] as const) {
      expect(() => checkRnnSearchFits(SMALL_RNN_SEARCH_CONFIG, 3000, backend)).not.toThrow();
    }
    const huge = { ...SMALL_RNN_SEARCH_CONFIG, nhid: 4000, bptt: 400 };
    expect(() => checkRnnSearchFits(huge, 3000, 'webgpu')).not.toThrow();
  });
});
