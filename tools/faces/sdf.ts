/** Small 2D distance helpers. Distances are approximate where noted; coverage turns them into anti-aliased alpha. */

/** Coverage of a shape at signed distance d (negative inside) for a sample footprint of width w. */
export function cover(d: number, w: number): number {
  const t = 0.5 - d / w;
  return t <= 0 ? 0 : t >= 1 ? 1 : t * t * (3 - 2 * t);
}

export function smoothstep(e0: number, e1: number, x: number): number {
  const t = Math.min(Math.max((x - e0) / (e1 - e0), 0), 1);
  return t * t * (3 - 2 * t);
}

export function clamp01(v: number): number {
  return Math.min(Math.max(v, 0), 1);
}

/** Approximate signed distance to an axis-aligned ellipse (exact for circles; good enough for anti-aliasing). */
export function ellipse(x: number, y: number, rx: number, ry: number): number {
  const k = Math.sqrt((x * x) / (rx * rx) + (y * y) / (ry * ry));
  return (k - 1) * Math.min(rx, ry);
}

/** Distance from (px, py) to the segment (ax, ay)–(bx, by), minus a half-thickness: a capsule. */
export function capsule(px: number, py: number, ax: number, ay: number, bx: number, by: number, r: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const h = Math.min(Math.max(((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy), 0), 1);
  const ex = px - ax - dx * h;
  const ey = py - ay - dy * h;
  return Math.sqrt(ex * ex + ey * ey) - r;
}
