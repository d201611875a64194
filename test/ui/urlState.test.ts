import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../src/ui/labPresets';
import { configFromQuery, configToQuery } from '../../src/ui/urlState';

describe('configuration in the URL', () => {
  it('writes only what differs from the default and reads it back', () => {
    const base = PRESETS['quick demo'];
    expect(configToQuery(base)).toBe('');
    const changed = {
      ...base,
      search: {
        ...base.search,
        nodes: 3,
        multiplier: 3,
        order: 2 as const,
        primitives: ['sep_conv_3x3', 'none'] as const,
      },
      data: { ...base.data, images: 64 },
      backend: 'cpu' as const,
    };
    const query = configToQuery(changed);
    expect(query).toBe('order=2&nodes=3&ops=sep_conv_3x3%2Cnone&images=64&backend=cpu');
    const back = configFromQuery(query);
    expect(back.ignored).toEqual([]);
    expect(back.config).toEqual({
      ...changed,
      search: { ...changed.search, primitives: ['sep_conv_3x3', 'none'] },
    });
  });

  it('ignores and reports values it cannot use', () => {
    const r = configFromQuery(
      'nodes=abc&ops=sep_conv_3x3,evil_op&backend=tpu&dataset=imagenet&images=1.5',
    );
    expect(r.config).toEqual(PRESETS['quick demo']);
    expect(r.ignored).toEqual([
      'nodes=abc (not a number)',
      'ops=sep_conv_3x3,evil_op (unknown op evil_op)',
      'dataset=imagenet (use default or synthetic)',
      'images=1.5 (not an integer)',
      'backend=tpu (use auto, webgpu, wasm, webgl or cpu)',
    ]);
  });
});
