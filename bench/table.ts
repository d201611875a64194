/**
 * The benchmark table as text (the console) and as Markdown (docs/BENCHMARKS.md): the same
 * columns, figures formatted once.
 */
import { WORKLOAD_LABELS } from './benchTypes';
import type { SummaryRow } from './summary';

export const TABLE_HEADER = [
  'config',
  'workload',
  'impl',
  'backend',
  'ms/step',
  'steps',
  'images/s',
  'vs torch',
  'cpu speed-up',
  'vs ref',
  'kernels',
  'GPU programs',
  'GFLOP/s',
  'peak MiB',
  'GPU MiB',
  'tensors (Δ)',
  'note',
] as const;

const NA = 'n/a';

function grouped(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 3 significant figures below 1,000, whole and grouped above. */
export function formatNumber(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return NA;
  const abs = Math.abs(n);
  if (abs >= 1000) return grouped(n);
  if (abs >= 100) return n.toFixed(0);
  if (abs >= 10) return n.toFixed(1);
  if (abs >= 1) return n.toFixed(2);
  return n === 0 ? '0' : n.toPrecision(3);
}

export function formatRatio(r: number | null): string {
  return r === null || !Number.isFinite(r) ? NA : `${formatNumber(r)}×`;
}

export function formatMiB(bytes: number | null): string {
  return bytes === null ? NA : formatNumber(bytes / 2 ** 20);
}

function formatCount(n: number | null): string {
  return n === null ? NA : grouped(n);
}

function formatTensors(alive: number | null, growth: number | null): string {
  if (alive === null) return NA;
  if (growth === null) return grouped(alive);
  return `${grouped(alive)} (${growth >= 0 ? '+' : '−'}${Math.abs(growth)})`;
}

const NOTE_LIMIT = 160;

/** A note on one line (error messages may carry logs), cut to a readable length. */
export function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > NOTE_LIMIT ? `${flat.slice(0, NOTE_LIMIT - 1)}…` : flat;
}

export function rowCells(row: SummaryRow): string[] {
  const ok = row.status === 'ok';
  return [
    row.config,
    WORKLOAD_LABELS[row.workload],
    row.implementation,
    row.backend,
    ok ? formatNumber(row.medianMs) : `${NA} (${row.status})`,
    ok ? String(row.timedSteps) : NA,
    formatNumber(row.imagesPerSecond),
    formatRatio(row.vsTorch),
    formatRatio(row.cpuSpeedup),
    formatRatio(row.vsReference),
    formatCount(row.kernels),
    formatCount(row.gpuPrograms),
    formatNumber(row.gflops),
    formatMiB(row.peakTensorBytes),
    formatMiB(row.gpuPoolBytes),
    formatTensors(row.tensorsAlive, row.tensorGrowth),
    oneLine(row.note ?? ''),
  ];
}

/** Columns that hold figures are right-aligned. */
const NUMERIC = new Set([4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);

export function renderText(rows: readonly SummaryRow[]): string {
  const body = rows.map(rowCells);
  const all = [[...TABLE_HEADER], ...body];
  const widths = TABLE_HEADER.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) =>
        NUMERIC.has(c) ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0),
      )
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(TABLE_HEADER), rule, ...body.map(line)].join('\n');
}

const escapeCell = (cell: string): string => cell.replace(/\|/g, '\\|');

export function renderMarkdown(rows: readonly SummaryRow[]): string {
  const head = `| ${TABLE_HEADER.join(' | ')} |`;
  const align = `|${TABLE_HEADER.map((_, c) => (NUMERIC.has(c) ? ' ---: ' : ' --- ')).join('|')}|`;
  const body = rows.map((r) => `| ${rowCells(r).map(escapeCell).join(' | ')} |`);
  return [head, align, ...body].join('\n');
}
