/**
 * @module
 * A small line chart as a hand-written SVG 1.1 string: linear x axis, base-10 logarithmic y axis
 * (decade ticks), a title, axis labels, a legend, optional horizontal reference lines ("1 year"),
 * solid or dashed series with optional markers. Points that a log axis cannot show (y ≤ 0, NaN,
 * ∞) break the line instead of distorting it. Text is XML-escaped. No dependencies.
 */
import { ArgumentValueError } from '../core/errors.ts';

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface Series {
  readonly name: string;
  readonly points: readonly Point[];
  readonly dashed?: boolean;
  readonly markers?: boolean;
  /** Markers only, no line (e.g. measured samples next to a model curve). */
  readonly line?: boolean;
}

export interface ChartSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  /** Horizontal reference lines, drawn when inside the y range. */
  readonly refs?: readonly { readonly y: number; readonly label: string }[];
  readonly xTicks?: readonly number[];
  /** Label of the y tick 10^k (default "1e{k}", plain numbers for 10^-3..10^6). */
  readonly yTick?: (k: number) => string;
  readonly width?: number;
  readonly height?: number;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const M = { left: 84, right: 24, top: 48, bottom: 64 };

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${String(c.charCodeAt(0))};`);
}

const fmt = (v: number): string => String(Math.round(v * 10) / 10);

/** Maps a value to a pixel: linear, or by its base-10 logarithm. */
export function scale(lo: number, hi: number, from: number, to: number, log = false): (v: number) => number {
  const f = log ? Math.log10 : (v: number): number => v;
  const a = f(lo);
  const span = f(hi) - a || 1;
  return (v) => from + ((f(v) - a) / span) * (to - from);
}

export function defaultYTick(k: number): string {
  return k >= -3 && k <= 6 ? String(Number((10 ** k).toPrecision(1))) : `1e${String(k)}`;
}

function niceTicks(lo: number, hi: number): number[] {
  const raw = (hi - lo) / 8 || 1;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

const plottable = (p: Point): boolean => Number.isFinite(p.x) && Number.isFinite(p.y) && p.y > 0;

/** Renders `spec` as a standalone SVG document. */
export function logLineChart(spec: ChartSpec): string {
  const W = spec.width ?? 720;
  const H = spec.height ?? 440 + 18 * spec.series.length;
  const pts = spec.series.flatMap((s) => s.points.filter(plottable));
  if (pts.length === 0) throw new ArgumentValueError('series', 'no point with a finite positive y to plot');
  const xs = pts.map((p) => p.x);
  const ys = pts.map((p) => p.y);
  const xLo = Math.min(...xs, ...(spec.xTicks ?? []));
  const xHi = Math.max(...xs, ...(spec.xTicks ?? []));
  let kLo = Math.floor(Math.log10(Math.min(...ys)));
  let kHi = Math.ceil(Math.log10(Math.max(...ys)));
  if (kHi === kLo) kHi++;
  // At most ~10 decade ticks: every stepK-th decade, the axis ending on ticks.
  const stepK = Math.max(1, Math.ceil((kHi - kLo) / 10));
  kLo = Math.floor(kLo / stepK) * stepK;
  kHi = Math.ceil(kHi / stepK) * stepK;
  const legendRows = spec.series.length;
  const plotBottom = H - M.bottom - 18 * legendRows;
  // The x range starts a little right of the y axis, so the first labels of both axes never meet.
  const x = scale(xLo, xHi === xLo ? xLo + 1 : xHi, M.left + 14, W - M.right);
  const y = scale(10 ** kLo, 10 ** kHi, plotBottom, M.top, true);
  const tick = spec.yTick ?? defaultYTick;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${String(W)}" height="${String(H)}" viewBox="0 0 ${String(W)} ${String(H)}" role="img" aria-labelledby="chart-title" font-family="system-ui, sans-serif" font-size="12">`,
    `<title id="chart-title">${escapeXml(spec.title)}</title>`,
    `<rect width="${String(W)}" height="${String(H)}" fill="#ffffff"/>`,
    `<text x="${String(W / 2)}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(spec.title)}</text>`,
  ];
  for (let k = kLo; k <= kHi; k += stepK) {
    const py = fmt(y(10 ** k));
    out.push(
      `<line x1="${String(M.left)}" y1="${py}" x2="${String(W - M.right)}" y2="${py}" stroke="#e5e5e5"/>`,
      `<text x="${String(M.left - 6)}" y="${py}" text-anchor="end" dominant-baseline="middle">${escapeXml(tick(k))}</text>`,
    );
  }
  for (const t of spec.xTicks ?? niceTicks(xLo, xHi)) {
    const px = fmt(x(t));
    out.push(
      `<line x1="${px}" y1="${fmt(plotBottom)}" x2="${px}" y2="${fmt(plotBottom + 5)}" stroke="#333"/>`,
      `<text x="${px}" y="${fmt(plotBottom + 18)}" text-anchor="middle">${escapeXml(String(t))}</text>`,
    );
  }
  for (const r of spec.refs ?? []) {
    if (!(r.y >= 10 ** kLo && r.y <= 10 ** kHi)) continue;
    const py = fmt(y(r.y));
    out.push(
      `<line x1="${String(M.left)}" y1="${py}" x2="${String(W - M.right)}" y2="${py}" stroke="#888" stroke-dasharray="2 3"/>`,
      `<text x="${String(W - M.right - 4)}" y="${py}" dy="-3" text-anchor="end" fill="#555" font-size="11">${escapeXml(r.label)}</text>`,
    );
  }
  out.push(
    `<line x1="${String(M.left)}" y1="${fmt(plotBottom)}" x2="${String(W - M.right)}" y2="${fmt(plotBottom)}" stroke="#333"/>`,
    `<line x1="${String(M.left)}" y1="${String(M.top)}" x2="${String(M.left)}" y2="${fmt(plotBottom)}" stroke="#333"/>`,
    `<text x="${fmt((M.left + W - M.right) / 2)}" y="${fmt(plotBottom + 40)}" text-anchor="middle">${escapeXml(spec.xLabel)}</text>`,
    `<text transform="translate(18 ${fmt((M.top + plotBottom) / 2)}) rotate(-90)" text-anchor="middle">${escapeXml(spec.yLabel)}</text>`,
  );
  spec.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    if (s.line !== false) {
      let d = '';
      let pen = 'M';
      for (const p of s.points) {
        if (!plottable(p)) {
          pen = 'M';
          continue;
        }
        d += `${pen}${fmt(x(p.x))} ${fmt(y(p.y))} `;
        pen = 'L';
      }
      if (d) out.push(`<path d="${d.trim()}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
    }
    if (s.markers)
      for (const p of s.points.filter(plottable))
        out.push(`<circle cx="${fmt(x(p.x))}" cy="${fmt(y(p.y))}" r="3" fill="${color}"/>`);
    const lx = M.left;
    const ly = H - 18 * legendRows + 18 * i - 4;
    out.push(
      s.line === false
        ? `<circle cx="${fmt(lx + 12)}" cy="${fmt(ly)}" r="3" fill="${color}"/>`
        : `<line x1="${fmt(lx)}" y1="${fmt(ly)}" x2="${fmt(lx + 24)}" y2="${fmt(ly)}" stroke="${color}" stroke-width="2"${dash}/>`,
      `<text x="${fmt(lx + 30)}" y="${fmt(ly)}" dominant-baseline="middle">${escapeXml(s.name)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
