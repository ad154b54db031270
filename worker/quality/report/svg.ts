/** Inline SVG charts for the HTML report: pure string builders, no external assets. */

export interface HistogramSeries {
  label: string;
  values: ArrayLike<number>;
  colour: string;
}

export interface HistogramOptions {
  lo: number;
  hi: number;
  bins: number;
  width?: number;
  height?: number;
  /** A vertical marker (e.g. a threshold) with its label. */
  marker?: { at: number; label: string };
  xLabel: string;
}

export function binCounts(values: ArrayLike<number>, lo: number, hi: number, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * bins)));
    counts[b]!++;
  }
  return counts;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Overlaid histograms, each normalised to its own total, with axis ticks and a legend. */
export function histogramSvg(series: readonly HistogramSeries[], o: HistogramOptions): string {
  const width = o.width ?? 480;
  const height = o.height ?? 180;
  const pad = { left: 36, right: 10, top: 10, bottom: 34 };
  const w = width - pad.left - pad.right;
  const h = height - pad.top - pad.bottom;
  const shares = series.map((s) => {
    const c = binCounts(s.values, o.lo, o.hi, o.bins);
    const total = c.reduce((a, b) => a + b, 0) || 1;
    return c.map((n) => n / total);
  });
  const top = Math.max(1e-9, ...shares.flat());
  const x = (v: number): number => pad.left + ((v - o.lo) / (o.hi - o.lo)) * w;
  const bars = shares
    .map((share, k) =>
      share
        .map((p, b) => {
          const bh = (p / top) * h;
          const bx = pad.left + (b / o.bins) * w;
          return `<rect x="${bx.toFixed(1)}" y="${(pad.top + h - bh).toFixed(1)}" width="${(w / o.bins).toFixed(1)}" height="${bh.toFixed(1)}" fill="${series[k]!.colour}" fill-opacity="0.55"/>`;
        })
        .join(''),
    )
    .join('');
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map((t) => {
      const v = o.lo + t * (o.hi - o.lo);
      return `<text x="${x(v).toFixed(1)}" y="${height - 20}" text-anchor="middle">${+v.toFixed(2)}</text>`;
    })
    .join('');
  const marker = o.marker
    ? `<line x1="${x(o.marker.at).toFixed(1)}" x2="${x(o.marker.at).toFixed(1)}" y1="${pad.top}" y2="${pad.top + h}" stroke="#333" stroke-dasharray="4 3"/><text x="${(x(o.marker.at) + 4).toFixed(1)}" y="${pad.top + 12}">${esc(o.marker.label)}</text>`
    : '';
  const legend = series
    .map(
      (s, k) =>
        `<rect x="${pad.left + 8 + k * 120}" y="${height - 11}" width="10" height="10" fill="${s.colour}" fill-opacity="0.7"/><text x="${pad.left + 22 + k * 120}" y="${height - 2}">${esc(s.label)}</text>`,
    )
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(o.xLabel)}" font-size="10" font-family="sans-serif">`,
    `<line x1="${pad.left}" x2="${pad.left + w}" y1="${pad.top + h}" y2="${pad.top + h}" stroke="#999"/>`,
    bars,
    ticks,
    marker,
    `<text x="${pad.left + w}" y="${height - 20}" text-anchor="end" dy="-12" fill="#555">${esc(o.xLabel)}</text>`,
    legend,
    '</svg>',
  ].join('');
}
