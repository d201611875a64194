/**
 * `nas-lab experiment --space rnn` end to end on the cpu backend with tiny settings: the
 * recurrent search and retrain kinds, random recurrent cells and the poor control, compared by
 * test perplexity (lower is better), each retrain with its parameter count.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';

const TINY = [
  ...['--backend', 'cpu', '--quiet', '--preset', 'demo'],
  ...['--search.train-tokens', '300', '--search.valid-tokens', '200', '--search.nodes', '2'],
  ...['--search.nhid', '8', '--search.bptt', '5', '--search.epochs', '1'],
  ...[
    '--retrain.train-tokens',
    '300',
    '--retrain.valid-tokens',
    '200',
    '--retrain.test-tokens',
    '200',
  ],
  ...['--retrain.nhid', '8', '--retrain.bptt', '5', '--retrain.epochs', '1'],
];

interface Report {
  complete: boolean;
  metric: { key: string; better: string };
  cells: { id: string; kind: string; mean: number; parameters: number }[];
  runs: {
    id: string;
    kind: string;
    genotype: { recurrent: [string, number][] };
    value: number | null;
  }[];
}

describe('nas-lab experiment --space rnn (cpu, tiny)', () => {
  it('compares recurrent cells by test perplexity', async () => {
    const out = mkdtempSync(join(tmpdir(), 'nas-lab-experiment-rnn-'));
    let stdout = '';
    const io = { out: (t: string) => (stdout += t), err: () => {} };
    const args = [
      'experiment',
      '--space',
      'rnn',
      '--searches',
      '1',
      '--random',
      '2',
      '--seeds',
      '1',
    ];
    expect(await main([...args, '--controls', 'poor', ...TINY, '--out', out], io)).toBe(0);
    expect(stdout).toMatch(
      /searched − random test perplexity: [+−±][\d.]+, 95 % bootstrap interval/,
    );
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    expect(report.complete).toBe(true);
    expect(report.metric).toMatchObject({ key: 'testPerplexity', better: 'lower' });
    expect(report.cells.map((c) => `${c.id} ${c.kind}`)).toEqual([
      'searched-0 searched',
      'random-0 random',
      'random-1 random',
      'control-poor control',
    ]);
    for (const cell of report.cells) {
      // Above 1, below the uniform perplexity of the 3,000-word vocabulary by a margin.
      expect(cell.mean).toBeGreaterThan(1);
      expect(cell.mean).toBeLessThan(3000);
      // Two nodes each: the same weights whatever the cell, the embedding tied to the decoder.
      expect(cell.parameters).toBe(report.cells[0]?.parameters);
      expect(cell.parameters).toBeGreaterThan(3000 * 8);
    }
    const poor = report.runs.find((r) => r.id === 'retrain/control-poor/seed-0');
    expect(poor?.genotype.recurrent).toEqual([
      ['identity', 0],
      ['identity', 0],
    ]);
    expect(report.runs.find((r) => r.id === 'search/seed-0')?.genotype.recurrent).toHaveLength(2);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toMatch(/\| cell \| kind \| test perplexity \(mean ± std\) \|/);
    expect(md).toMatch(
      /With a single cell in a group, the bootstrap cannot see that group's spread/,
    );
  }, 120_000);
});
