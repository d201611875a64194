import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../src/ui/labPresets';
import { labConfigProblem } from '../../src/ui/validateLabConfig';

const demo = PRESETS['quick demo'];

describe('lab configuration check', () => {
  it('accepts the presets', () => {
    for (const preset of Object.values(PRESETS)) expect(labConfigProblem(preset)).toBeNull();
  });

  it('names the problem', () => {
    expect(labConfigProblem({ ...demo, search: { ...demo.search, nodes: 0 } })).toMatch(
      /node count \(nodes\)/,
    );
    expect(labConfigProblem({ ...demo, data: { ...demo.data, imageSize: 10 } })).toMatch(
      /image size 10x10/,
    );
    expect(labConfigProblem({ ...demo, data: { ...demo.data, images: 9000 } })).toMatch(
      /8,000 search images/,
    );
    expect(labConfigProblem({ ...demo, search: { ...demo.search, batchSize: 32 } })).toMatch(
      /batch size 32 is larger/,
    );
  });
});
