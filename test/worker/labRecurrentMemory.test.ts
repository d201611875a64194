/** The lab's recurrent settings check refuses a search that cannot fit its memory. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LAB_RECURRENT, recurrentSettingsProblem } from '../../src/worker/labRecurrent';

describe('lab recurrent settings: memory', () => {
  it('names batch, bptt and nhid of a step too big for the wasm heap, and passes the defaults', () => {
    expect(recurrentSettingsProblem(DEFAULT_LAB_RECURRENT)).toBeNull();
    const paperSized = { ...DEFAULT_LAB_RECURRENT, nhid: 300, bptt: 35, batchSize: 256 };
    expect(recurrentSettingsProblem(paperSized)).toMatch(
      /^a search step needs at least \d+ GiB, more than what the lab can hold \(the wasm heap limit\) \(4\.0 GiB\): batch 256 × bptt 35 = 8960 token rows.*nhid 300.*lower the batch size to at most \d+/,
    );
  });
});
