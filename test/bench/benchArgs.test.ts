/** The command line of `npm run bench` and the runners' cell lists and event lines. */
import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../../bench/benchArgs';
import { benchCells } from '../../bench/benchCells';
import {
  decodeCells,
  encodeCells,
  formatEventLine,
  parseEventLine,
} from '../../bench/runnerProtocol';

describe('parseBenchArgs', () => {
  it('defaults to the small configuration on every backend, 5 steps, docs and PyTorch on', () => {
    expect(parseBenchArgs([])).toEqual({
      only: null,
      steps: 5,
      configs: ['small'],
      workloads: ['weight', 'alpha1', 'alpha2', 'cdarts', 'retrain'],
      implementations: ['reference', 'fused'],
      backends: [
        'webgpu-chromium',
        'webgpu-node',
        'webgl-chromium',
        'wasm-chromium',
        'wasm-node',
        'cpu-node',
        'torch-cpu',
      ],
      jsonPath: null,
      budgetSeconds: 180,
      cellSeconds: 15,
      docs: true,
      section: null,
      torch: true,
      verbose: false,
      help: false,
    });
  });

  it('reads every flag', () => {
    const o = parseBenchArgs([
      '--only',
      'browser',
      '--steps',
      '3',
      '--config',
      'all',
      '--json',
      'out/b.json',
      '--budget',
      '60',
      '--cell-seconds',
      '2.5',
      '--no-docs',
      '--section',
      'cpu',
      '--no-torch',
      '--verbose',
      '--workload',
      'weight,alpha1',
      '--impl',
      'fused',
      '--backend',
      'wasm-chromium,torch-cpu',
    ]);
    expect(o).toEqual({
      only: 'browser',
      steps: 3,
      configs: ['small', 'medium', 'paper'],
      workloads: ['weight', 'alpha1'],
      implementations: ['fused'],
      backends: ['wasm-chromium', 'torch-cpu'],
      jsonPath: 'out/b.json',
      budgetSeconds: 60,
      cellSeconds: 2.5,
      docs: false,
      section: 'cpu',
      torch: false,
      verbose: true,
      help: false,
    });
    expect(parseBenchArgs(['--paper']).configs).toEqual(['small', 'medium', 'paper']);
    expect(parseBenchArgs(['--config', 'medium']).configs).toEqual(['medium']);
    expect(parseBenchArgs(['--config', 'paper']).configs).toEqual(['paper']);
  });

  it('refuses bad values and unknown flags with the flag named', () => {
    expect(() => parseBenchArgs(['--only', 'gpu'])).toThrow(
      '--only must be node or browser, got "gpu"',
    );
    expect(() => parseBenchArgs(['--steps', '2.5'])).toThrow(
      '--steps must be a positive integer, got "2.5"',
    );
    expect(() => parseBenchArgs(['--steps', '0'])).toThrow('--steps must be a positive integer');
    expect(() => parseBenchArgs(['--budget', 'soon'])).toThrow(
      '--budget must be a positive number',
    );
    expect(() => parseBenchArgs(['--config', 'huge'])).toThrow(
      '--config must be one of small, medium, paper or all, got "huge"',
    );
    expect(() => parseBenchArgs(['--workload', 'weight,sgd'])).toThrow(
      '--workload takes a comma-separated list of weight, alpha1, alpha2, cdarts, retrain, got "sgd"',
    );
    expect(() => parseBenchArgs(['--backend', 'tpu'])).toThrow(/--backend takes .* got "tpu"/);
    expect(() => parseBenchArgs(['--impl', 'fast'])).toThrow(/--impl takes .* got "fast"/);
    expect(() => parseBenchArgs(['--json', ' '])).toThrow('--json needs a file path');
    expect(() => parseBenchArgs(['--section', 'a b'])).toThrow(
      '--section must be lower-case letters, digits and -, got "a b"',
    );
    expect(() => parseBenchArgs(['--fast'])).toThrow(/--fast.*\(see --help\)/);
  });
});

describe('runner protocol', () => {
  it('sends cells as config:workload:implementation and reads them back', () => {
    const cells = [
      { config: 'small', workload: 'weight', implementation: 'fused' },
      { config: 'paper', workload: 'retrain', implementation: 'reference' },
    ] as const;
    expect(encodeCells(cells)).toBe('small:weight:fused,paper:retrain:reference');
    expect(decodeCells(encodeCells(cells))).toEqual(cells);
    expect(() => decodeCells('small:weight')).toThrow(
      'cell "small:weight" is not config:workload:implementation',
    );
    expect(() => decodeCells('small:sgd:fused')).toThrow('unknown workload "sgd"');
    expect(() => decodeCells('tiny:weight:fused')).toThrow('unknown configuration "tiny"');
  });

  it('tells event lines from log lines', () => {
    const event = { type: 'done', backend: 'cpu-node' } as const;
    expect(parseEventLine(formatEventLine(event))).toEqual(event);
    expect(parseEventLine('Hi, looks like you are running TensorFlow.js in Node.js.')).toBeNull();
    expect(() => parseEventLine('BENCH {"type":"oops"}')).toThrow('runner event of unknown type');
  });
});

describe('benchCells', () => {
  it('runs the supernet workloads in both implementations and the rest in the reference one', () => {
    expect(encodeCells(benchCells(['small']))).toBe(
      'small:weight:reference,small:weight:fused,small:alpha1:reference,small:alpha1:fused,' +
        'small:alpha2:reference,small:alpha2:fused,small:cdarts:reference,small:retrain:reference',
    );
    expect(benchCells(['small', 'paper']).map((c) => c.config)).toEqual([
      ...Array<string>(8).fill('small'),
      ...Array<string>(8).fill('paper'),
    ]);
  });

  it('narrows to the workloads and implementations asked for', () => {
    expect(encodeCells(benchCells(['medium'], ['weight'], ['fused']))).toBe('medium:weight:fused');
    expect(encodeCells(benchCells(['small'], ['retrain', 'alpha1'], ['reference']))).toBe(
      'small:alpha1:reference,small:retrain:reference',
    );
    expect(benchCells(['small'], ['retrain'], ['fused'])).toEqual([]);
    expect(encodeCells(benchCells(['small'], ['cdarts']))).toBe('small:cdarts:reference');
  });
});
