/** From measured cells to table rows and their text and Markdown renderings. */
import { describe, expect, it } from 'vitest';
import type {
  BackendName,
  CellMeasurement,
  CellResult,
  Implementation,
  Workload,
} from '../../bench/benchTypes';
import { summarise } from '../../bench/summary';
import {
  formatNumber,
  formatRatio,
  oneLine,
  renderMarkdown,
  renderText,
  TABLE_HEADER,
} from '../../bench/table';
import { median } from '../../bench/stats';

function measured(stepMs: number[], extra: Partial<CellMeasurement> = {}): CellMeasurement {
  return {
    stepMs,
    warmupMs: 100,
    setupMs: 1,
    imagesPerStep: 4,
    kernelsPerStep: 1000,
    gpuProgramsPerStep: 600,
    macsPerStep: 5e6,
    peakTensorBytes: 3 * 2 ** 20,
    gpuPoolBytes: 2 ** 21,
    tensorsAlive: 696,
    tensorGrowth: 0,
    ...extra,
  };
}

function cell(
  workload: Workload,
  implementation: Implementation,
  backend: BackendName,
  m: CellMeasurement,
): CellResult {
  return { config: 'small', workload, implementation, backend, status: 'ok', measurement: m };
}

describe('median', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 10])).toBe(3.5);
    expect(median([])).toBeNaN();
  });
});

describe('summarise', () => {
  const results: CellResult[] = [
    cell('weight', 'fused', 'cpu-node', measured([50, 40, 60], { kernelsPerStep: 400 })),
    cell('weight', 'reference', 'torch-cpu', measured([10, 12, 8], { kernelsPerStep: null })),
    cell('weight', 'reference', 'cpu-node', measured([200, 100, 300])),
    cell('weight', 'fused', 'wasm-node', measured([4, 5, 6], { gpuProgramsPerStep: null })),
    cell('alpha1', 'reference', 'cpu-node', measured([30])),
    cell('alpha1', 'fused', 'cpu-node', measured([20], { tensorGrowth: 3 })),
    cell('cdarts', 'reference', 'wasm-node', measured([90, 70, 80])),
    {
      ...cell('cdarts', 'reference', 'torch-cpu', measured([20], { kernelsPerStep: null })),
      note: 'parameters: search network 1, evaluation network 2',
    },
    {
      config: 'small',
      workload: 'retrain',
      implementation: 'reference',
      backend: 'webgpu-node',
      status: 'failed',
      note: 'device lost',
    },
  ];
  const rows = summarise(results);
  const find = (w: Workload, i: Implementation, b: string) =>
    rows.find((r) => r.workload === w && r.implementation === i && r.backend === b);

  it('orders rows by workload, then backend, reference before fused, PyTorch last', () => {
    expect(rows.map((r) => `${r.workload}/${r.backend}/${r.implementation}`)).toEqual([
      'weight/wasm-node/fused',
      'weight/cpu-node/reference',
      'weight/cpu-node/fused',
      'weight/torch-cpu/reference',
      'alpha1/cpu-node/reference',
      'alpha1/cpu-node/fused',
      'cdarts/wasm-node/reference',
      'cdarts/torch-cpu/reference',
      'retrain/webgpu-node/reference',
    ]);
  });

  it('puts the median, images/s and the ratios to PyTorch and to the reference next to each figure', () => {
    const fused = find('weight', 'fused', 'cpu-node');
    expect(fused?.medianMs).toBe(50);
    expect(fused?.imagesPerSecond).toBe(80);
    expect(fused?.vsTorch).toBe(5);
    expect(fused?.vsReference).toBe(0.25);
    expect(fused?.gflops).toBeCloseTo(0.2, 12); // 2 · 5e6 FLOPs in 50 ms
    const reference = find('weight', 'reference', 'cpu-node');
    expect(reference?.vsTorch).toBe(20);
    expect(reference?.vsReference).toBeNull();
    expect(find('weight', 'reference', 'torch-cpu')?.vsTorch).toBe(1);
    expect(find('alpha1', 'reference', 'cpu-node')?.vsTorch).toBeNull();
  });

  it("gives each row its speed-up over the cpu backend's same cell, none to PyTorch's", () => {
    const wasm = find('weight', 'fused', 'wasm-node');
    expect(wasm?.cpuSpeedup).toBe(10); // cpu-node fused 50 ms over wasm-node fused 5 ms
    expect(wasm?.vsTorch).toBe(0.5);
    expect(find('weight', 'fused', 'cpu-node')?.cpuSpeedup).toBe(1);
    expect(find('weight', 'reference', 'torch-cpu')?.cpuSpeedup).toBeNull();
    expect(find('retrain', 'reference', 'webgpu-node')?.cpuSpeedup).toBeNull();
  });

  it('flags a fused row with the reference kernel count, and tensor leaks', () => {
    expect(find('alpha1', 'fused', 'cpu-node')?.note).toBe(
      'same kernel count as the reference: is the fused path wired in?; leak: 3 tensors over the timed steps',
    );
    expect(find('weight', 'fused', 'cpu-node')?.note).toBeNull();
  });

  it('measures the CDARTS joint step against PyTorch and keeps failures with their reason', () => {
    const cdarts = find('cdarts', 'reference', 'wasm-node');
    expect(cdarts?.status).toBe('ok');
    expect(cdarts?.medianMs).toBe(80);
    expect(cdarts?.vsTorch).toBe(4);
    expect(find('cdarts', 'reference', 'torch-cpu')?.note).toBe(
      'parameters: search network 1, evaluation network 2',
    );
    const failed = find('retrain', 'reference', 'webgpu-node');
    expect(failed?.status).toBe('failed');
    expect(failed?.note).toBe('device lost');
    expect(failed?.medianMs).toBeNull();
  });

  it('renders one aligned text table and a Markdown table with the same cells', () => {
    const text = renderText(rows).split('\n');
    expect(text).toHaveLength(rows.length + 2);
    expect(text[0]?.startsWith('config  workload')).toBe(true);
    const fusedLine = text.find(
      (l) => l.includes('supernet weight step') && l.includes('fused') && l.includes('cpu-node'),
    );
    expect(fusedLine).toMatch(
      /cpu-node\s+50\.0\s+3\s+80\.0\s+5\.00×\s+1\.00×\s+0\.250×\s+400\s+600\s+0\.200\s+3\.00\s+2\.00\s+696 \(\+0\)$/,
    );
    expect(text.find((l) => l.includes('CDARTS') && l.includes('wasm-node'))).toMatch(
      /CDARTS joint step\s+reference\s+wasm-node\s+80\.0\s+3\s+50\.0\s+4\.00×/,
    );
    const md = renderMarkdown(rows).split('\n');
    expect(md).toHaveLength(rows.length + 2);
    expect(md[0]).toBe(`| ${TABLE_HEADER.join(' | ')} |`);
    expect(md[1]?.split('|')).toHaveLength(TABLE_HEADER.length + 2);
    expect(md.find((l) => l.includes('failed'))).toContain('| device lost |');
  });
});

describe('number formats', () => {
  it('keeps three significant figures and groups thousands', () => {
    expect(formatNumber(12174.4)).toBe('12,174');
    expect(formatNumber(123.46)).toBe('123');
    expect(formatNumber(20.84)).toBe('20.8');
    expect(formatNumber(1.234)).toBe('1.23');
    expect(formatNumber(0.000501234)).toBe('0.000501');
    expect(formatNumber(null)).toBe('n/a');
    expect(formatRatio(0.229)).toBe('0.229×');
    expect(formatRatio(null)).toBe('n/a');
  });
});

describe('notes', () => {
  it('are kept to one line of readable length, so that a table row stays one row', () => {
    expect(oneLine('page.evaluate: browser closed\nBrowser logs:\n\n<launching>  x')).toBe(
      'page.evaluate: browser closed Browser logs: <launching> x',
    );
    const long = oneLine('x'.repeat(500));
    expect(long).toHaveLength(160);
    expect(long.endsWith('…')).toBe(true);
  });
});
