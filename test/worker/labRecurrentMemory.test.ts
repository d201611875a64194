/**
 * A recurrent search in the lab is refused before its first tensor when a step cannot fit what
 * the lab can hold (the wasm heap, whatever the backend): the limit the rnn-search kind checks
 * for the lab host (runKind/memoryLimit.ts) passes the lab's defaults and names batch, bptt and
 * nhid of a paper-sized step, with the batch that would fit.
 */
import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../../src/nas/runKind/settingsSchema';
import { rnnSearchMemoryProblem } from '../../src/nas/rnn/search/rnnSearchMemory';
import { memoryLimit } from '../../src/nas/runKind/memoryLimit';
import { RNN_SEARCH_INFO, rnnSearchConfigOf } from '../../src/nas/rnn/search/rnnSearchKindInfo';

describe('lab recurrent settings: memory', () => {
  it('names batch, bptt and nhid of a step too big for the wasm heap, and passes the defaults', () => {
    const limit = memoryLimit('lab', 'webgpu');
    if (!limit) throw new Error('the lab has no memory limit');
    const lab = defaultSettings(RNN_SEARCH_INFO.schema, 'demo');
    const problem = (settings: typeof lab) =>
      rnnSearchMemoryProblem(
        rnnSearchConfigOf(settings),
        settings.maxVocabulary as number,
        limit.bytes,
        limit.name,
      );
    expect(problem(lab)).toBeNull();
    const paperSized = { ...lab, nhid: 300, bptt: 35, batchSize: 256 };
    expect(problem(paperSized)).toMatch(
      /^a search step needs at least \d+ GiB, more than what the lab can hold \(the wasm heap limit\) \(4\.0 GiB\): batch 256 × bptt 35 = 8960 token rows.*nhid 300.*lower the batch size to at most \d+/,
    );
  });
});
