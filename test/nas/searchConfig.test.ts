import { describe, expect, it } from 'vitest';
import { parseOpSet } from '../../src/nas/ops/primitives';
import {
  PAPER_SEARCH_CONFIG,
  SMALL_SEARCH_CONFIG,
  validateSearchConfig,
} from '../../src/nas/darts/searchConfig';

describe('search configuration', () => {
  it('keeps the official DARTS search hyperparameters in the paper preset', () => {
    const c = validateSearchConfig(PAPER_SEARCH_CONFIG);
    expect([c.channels, c.layers, c.nodes, c.batchSize, c.epochs]).toEqual([16, 8, 4, 64, 50]);
    expect([c.weightLr, c.weightLrMin, c.momentum, c.weightDecay, c.gradClip]).toEqual([
      0.025, 0.001, 0.9, 3e-4, 5,
    ]);
    expect([c.alphaLr, c.alphaBeta1, c.alphaBeta2, c.alphaWeightDecay]).toEqual([
      3e-4, 0.5, 0.999, 1e-3,
    ]);
    expect(c.primitives[0]).toBe('none');
  });

  it('rejects an unknown op with its name', () => {
    expect(() =>
      validateSearchConfig({
        ...SMALL_SEARCH_CONFIG,
        primitives: ['sep_conv_3x3', 'conv_9x9'] as never,
      }),
    ).toThrow(/unknown op "conv_9x9"/);
    expect(() => parseOpSet(['skip_connect', 'skip_connect'])).toThrow(/appears twice/);
    expect(() => parseOpSet([])).toThrow(/op set is empty/);
    expect(() => parseOpSet(['none'])).toThrow(/only "none"/);
  });

  it('rejects a node count below 1 and other impossible settings', () => {
    expect(() => validateSearchConfig({ ...SMALL_SEARCH_CONFIG, nodes: 0 })).toThrow(
      /node count \(nodes\) must be an integer of at least 1, got 0/,
    );
    expect(() => validateSearchConfig({ ...SMALL_SEARCH_CONFIG, layers: 2 })).toThrow(
      /layers must be an integer of at least 3/,
    );
    expect(() => validateSearchConfig({ ...SMALL_SEARCH_CONFIG, batchSize: 0 })).toThrow(
      /batch size/,
    );
    expect(() => validateSearchConfig({ ...SMALL_SEARCH_CONFIG, weightLr: -1 })).toThrow(
      /weight learning rate/,
    );
    expect(() => validateSearchConfig({ ...SMALL_SEARCH_CONFIG, order: 3 as never })).toThrow(
      /order must be 1/,
    );
    expect(() => validateSearchConfig({ ...SMALL_SEARCH_CONFIG, multiplier: 5 })).toThrow(
      /multiplier 5 exceeds the node count 4/,
    );
    expect(() =>
      validateSearchConfig({ ...SMALL_SEARCH_CONFIG, primitives: ['sep_conv_7x7'] }),
    ).toThrow(/only in evaluation networks/);
  });

  it('accepts a dropped and reordered op set', () => {
    const c = validateSearchConfig({
      ...SMALL_SEARCH_CONFIG,
      primitives: ['sep_conv_3x3', 'none', 'max_pool_3x3'],
    });
    expect(c.primitives).toEqual(['sep_conv_3x3', 'none', 'max_pool_3x3']);
  });
});

describe('input size', () => {
  it('rejects images the reduction cells cannot halve evenly', async () => {
    const { checkInputSize } = await import('../../src/nas/darts/supernet');
    expect(() => checkInputSize(8, 30, 30)).toThrow(/image size 30x30 must be a multiple of 4/);
    expect(() => checkInputSize(8, 32, 32)).not.toThrow();
  });
});
