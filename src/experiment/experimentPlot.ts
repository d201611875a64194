/**
 * The experiment's plot as a small hand-written SVG (no charting dependency, readable in any
 * browser or Markdown viewer): one column per kind of cell (searched, random, control), a dot per
 * cell at its mean with a bar of ± one standard deviation, each retrain seed a faint dot beside
 * it, and a dashed line at each kind's mean. No tfjs, no DOM: text out.
 */
import type { CellKind } from './experimentPlan';

export interface PlotCell {
  readonly id: string;
  readonly kind: CellKind;
  /** The metric per finished retrain seed. */
  readonly values: readonly number[];
  readonly mean: number | null;
  readonly std: number | null;
}

export interface PlotAxis {
  /** The y axis' title: `test accuracy (%)`. */
  readonly label: string;
  /** How a value is written on the axis. */
  readonly format: (value: number) => string;
  readonly better: 'higher' | 'lower';
}

const KINDS: readonly CellKind[] = ['searched', 'random', 'control'];
const COLORS: Readonly<Record<CellKind, string>> = {
  searched: '#1f6fb4',
  random: '#7a7a7a',
  control: '#c0392b',
};

/** The picture's size and the plot's margins in it, in pixels. */
const BOX = { width: 640, height: 360, left: 70, right: 20, top: 30, bottom: 50 } as const;

const escapeXml = (text: string): string =>
  text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

const px = (v: number): string => String(Math.round(v * 10) / 10);

/** About five round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number): number[] {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
    out.push(Math.round(t / step) * step);
  }
  return out;
}

/** The plot of the cells' metric, grouped by kind. */
export function experimentSvg(cells: readonly PlotCell[], axis: PlotAxis): string {
  const all = cells.flatMap((c) => c.values).filter((v) => Number.isFinite(v));
  const spread = cells.flatMap((c) =>
    c.mean !== null && c.std !== null ? [c.mean - c.std, c.mean + c.std] : [],
  );
  const range = [...all, ...spread];
  let lo = range.length > 0 ? Math.min(...range) : 0;
  let hi = range.length > 0 ? Math.max(...range) : 1;
  if (hi - lo < 1e-9) {
    lo -= 0.5;
    hi += 0.5;
  }
  const pad = (hi - lo) * 0.08;
  lo -= pad;
  hi += pad;
  const { width: W, height: H, left: LEFT, right: RIGHT, top: TOP, bottom: BOTTOM } = BOX;
  const plotW = W - LEFT - RIGHT;
  const plotH = H - TOP - BOTTOM;
  const y = (v: number) => TOP + plotH * (1 - (v - lo) / (hi - lo));
  const column = plotW / KINDS.length;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${LEFT}" y="18" font-weight="bold">${escapeXml(axis.label)} per cell (${axis.better} is better)</text>`,
    `<line x1="${LEFT}" y1="${TOP}" x2="${LEFT}" y2="${TOP + plotH}" stroke="#333"/>`,
    `<line x1="${LEFT}" y1="${TOP + plotH}" x2="${W - RIGHT}" y2="${TOP + plotH}" stroke="#333"/>`,
  ];
  for (const t of ticks(lo, hi)) {
    const ty = px(y(t));
    parts.push(
      `<line x1="${LEFT - 4}" y1="${ty}" x2="${W - RIGHT}" y2="${ty}" stroke="#eee"/>`,
      `<text x="${LEFT - 6}" y="${ty}" text-anchor="end" dominant-baseline="middle">${escapeXml(axis.format(t))}</text>`,
    );
  }
  parts.push(
    `<text transform="translate(16 ${px(TOP + plotH / 2)}) rotate(-90)" text-anchor="middle">${escapeXml(axis.label)}</text>`,
  );
  KINDS.forEach((kind, g) => {
    const group = cells.filter((c) => c.kind === kind);
    const x0 = LEFT + column * g;
    parts.push(
      `<text x="${px(x0 + column / 2)}" y="${H - BOTTOM + 20}" text-anchor="middle" fill="${COLORS[kind]}">${kind} (${group.length})</text>`,
    );
    const means = group.flatMap((c) => (c.mean === null ? [] : [c.mean]));
    if (means.length > 0) {
      const gy = px(y(means.reduce((a, b) => a + b, 0) / means.length));
      parts.push(
        `<line x1="${px(x0 + 8)}" y1="${gy}" x2="${px(x0 + column - 8)}" y2="${gy}" stroke="${COLORS[kind]}" stroke-dasharray="4 3"/>`,
      );
    }
    group.forEach((cell, i) => {
      const cx = x0 + (column * (i + 1)) / (group.length + 1);
      const title = `<title>${escapeXml(cell.id)}${cell.mean === null ? '' : `: ${escapeXml(axis.format(cell.mean))}`}</title>`;
      for (const v of cell.values.filter((value) => Number.isFinite(value))) {
        parts.push(
          `<circle cx="${px(cx + 6)}" cy="${px(y(v))}" r="2" fill="${COLORS[kind]}" fill-opacity="0.35"/>`,
        );
      }
      if (cell.mean === null) return;
      if (cell.std !== null) {
        parts.push(
          `<line x1="${px(cx)}" y1="${px(y(cell.mean - cell.std))}" x2="${px(cx)}" y2="${px(y(cell.mean + cell.std))}" stroke="${COLORS[kind]}"/>`,
        );
      }
      parts.push(
        `<circle cx="${px(cx)}" cy="${px(y(cell.mean))}" r="4.5" fill="${COLORS[kind]}">${title}</circle>`,
      );
      // Controls are few and named: their name beside the dot.
      if (kind === 'control') {
        parts.push(
          `<text x="${px(cx + 10)}" y="${px(y(cell.mean))}" dominant-baseline="middle" font-size="10" fill="${COLORS[kind]}">${escapeXml(cell.id.replace(/^control-/, ''))}</text>`,
        );
      }
    });
  });
  parts.push('</svg>', '');
  return parts.join('\n');
}
