/**
 * The line `nas-lab search` prints after its summary (src/cli/costLine.ts): the cost the
 * genotype.json of the last report records, and nothing where there is no such file or cost.
 */
import { describe, expect, it } from 'vitest';
import { costLine } from '../../src/cli/costLine';
import { stringifyGenotype } from '../../src/nas/genotype/genotype';
import { DARTS_V1, DARTS_V2 } from '../../src/nas/genotype/publishedGenotypes';
import type { DoneReport, RunFile } from '../../src/nas/runKind/runKind';
import { genotypeFile } from '../../src/nas/runKind/runReports';

const done = (files?: RunFile[]): DoneReport => ({
  type: 'done',
  step: 8,
  metrics: {},
  ...(files ? { files } : {}),
});

describe('the cost line of a search', () => {
  it("says what the genotype file's cost says, at the sizes it names", () => {
    expect(costLine(done([genotypeFile(DARTS_V2)]))).toBe(
      'evaluation network: 3.35M parameters (3.83M with the auxiliary head), 528M multiply-adds per image at C 36, 20 cells, 32×32×3 images, 10 classes, auxiliary head',
    );
    expect(costLine(done([genotypeFile(DARTS_V1)]))).toMatch(/^evaluation network: 3\.17M /);
  });

  it('is absent without a genotype file, or with one that records no cost', () => {
    expect(costLine(done())).toBeNull();
    expect(costLine(done([{ path: 'toy.txt', data: 'loss 1\n' }]))).toBeNull();
    const plain = { path: 'genotype.json', data: stringifyGenotype(DARTS_V2) };
    expect(costLine(done([plain]))).toBeNull();
    expect(costLine(done([{ path: 'genotype.json', data: '{not json' }]))).toBeNull();
  });
});
