/**
 * The face's surface colour at a point of the head frame (fx, fy): skin with blush, freckles, moles, wrinkles and
 * facial hair, then eyes, brows, nostrils and mouth painted over it. Features are signed-distance shapes with soft
 * edges of width `aa` (the sample footprint on the surface), which anti-aliases them at any size.
 */
import type { FaceLayout } from './layout.ts';
import { hash2 } from './random.ts';
import { capsule, clamp01, cover, ellipse } from './sdf.ts';

/** Writes the albedo at (fx, fy) into out[0..2]. `front` is false on the back of the head (no features there). */
export function skinAlbedo(f: FaceLayout, fx: number, fy: number, aa: number, out: Float64Array): void {
  out[0] = f.skin[0];
  out[1] = f.skin[1];
  out[2] = f.skin[2];
  if (Math.abs(fx) > 0.42 || fy > f.hairlineY + 0.05 || fy < f.mouthY - 0.3) return;
  cheeks(f, fx, fy, out);
  marks(f, fx, fy, aa, out);
  wrinkles(f, fx, fy, aa, out);
  beard(f, fx, fy, aa, out);
  for (let side = -1; side <= 1; side += 2) {
    eye(f, side, fx, fy, aa, out);
    brow(f, side, fx, fy, aa, out);
  }
  nostrils(f, fx, fy, aa, out);
  mouth(f, fx, fy, aa, out);
}

function paint(out: Float64Array, r: number, g: number, b: number, a: number): void {
  if (a <= 0) return;
  out[0] += (r - out[0]) * a;
  out[1] += (g - out[1]) * a;
  out[2] += (b - out[2]) * a;
}

function darken(out: Float64Array, k: number): void {
  out[0] *= 1 - k;
  out[1] *= 1 - k * 1.1;
  out[2] *= 1 - k * 1.15;
}

function cheeks(f: FaceLayout, fx: number, fy: number, out: Float64Array): void {
  const dx = Math.abs(fx) - (f.id.eyeSpacing + 0.03);
  const dy = fy - (f.eyeY - 0.15);
  const a = f.id.blush * 0.35 * Math.max(0, 1 - (dx * dx + dy * dy) / 0.008);
  paint(out, 0.85, 0.4, 0.4, a);
}

function marks(f: FaceLayout, fx: number, fy: number, aa: number, out: Float64Array): void {
  for (const m of f.id.moles) paint(out, 0.3, 0.18, 0.12, 0.85 * cover(ellipse(fx - m.x, fy - m.y, m.r, m.r), aa));
  if (f.id.freckles <= 0 || Math.abs(fx) > 0.3 || fy > f.eyeY - 0.02 || fy < f.noseBottom - 0.06) return;
  // Freckles sit at fixed places of the identity: a jittered lattice of cells, some of which hold a dot.
  const cell = 0.028;
  const ix = Math.floor(fx / cell);
  const iy = Math.floor(fy / cell);
  if (hash2(ix, iy, f.id.seed) > f.id.freckles * 0.5) return;
  const cx = (ix + 0.25 + 0.5 * hash2(iy, ix, f.id.seed ^ 7)) * cell;
  const cy = (iy + 0.25 + 0.5 * hash2(ix + 3, iy, f.id.seed ^ 11)) * cell;
  paint(out, 0.62, 0.38, 0.22, 0.55 * cover(ellipse(fx - cx, fy - cy, 0.0055, 0.0055), aa));
}

function wrinkles(f: FaceLayout, fx: number, fy: number, aa: number, out: Float64Array): void {
  const k = f.ageing * f.ageing;
  if (k <= 0.02) return;
  let d = Infinity;
  if (fy > f.browY + 0.03 && Math.abs(fx) < 0.2) {
    for (let i = 0; i < 3; i++) {
      const y = f.browY + 0.06 + i * 0.04 + 0.006 * Math.sin(fx * 25 + i);
      d = Math.min(d, Math.abs(fy - y) - 0.0035 + 0.01 * (Math.abs(fx) / 0.2) ** 2);
    }
  }
  const ax = Math.abs(fx);
  const nx = f.id.noseWidth + 0.025;
  d = Math.min(d, capsule(ax, fy, nx, f.noseBottom + 0.02, f.mouthWidth + 0.03, f.mouthY - 0.04, 0.0035));
  const ex = f.id.eyeSpacing + f.eyeWidth + 0.012;
  for (let i = -1; i <= 1; i++)
    d = Math.min(d, capsule(ax, fy, ex, f.eyeY + i * 0.01, ex + 0.04, f.eyeY + i * 0.028, 0.003));
  if (fy < f.eyeY - f.eyeHeight) {
    const under = Math.abs(ellipse(ax - f.id.eyeSpacing, fy - f.eyeY + 0.012, f.eyeWidth, f.eyeHeight + 0.03));
    d = Math.min(d, under - 0.003);
  }
  darken(out, 0.35 * k * cover(d, aa));
}

function beard(f: FaceLayout, fx: number, fy: number, aa: number, out: Float64Array): void {
  if (f.beardAlpha <= 0) return;
  const style = f.id.beard;
  const ax = Math.abs(fx);
  const lipTop = f.mouthY + f.upperLip;
  const moustache = capsule(ax, fy, 0, lipTop + 0.022, f.mouthWidth + 0.01, lipTop + 0.004, 0.016);
  const goatee = ellipse(fx, fy - (f.mouthY - 0.12), 0.07, 0.085);
  const fullTop = f.mouthY + 0.05 + 0.22 * ax;
  const full = Math.max(fy - fullTop, -(fy - (f.mouthY - 0.4)));
  let d: number;
  if (style === 'moustache') d = moustache;
  else if (style === 'goatee') d = Math.min(moustache, goatee);
  else d = Math.min(moustache, full);
  // Keep the lips clear of a full beard.
  const lips = ellipse(fx, fy - f.mouthY, f.mouthWidth * 0.95, f.lowerLip + 0.01);
  const a = cover(Math.max(d, -lips), aa * 2) * f.beardAlpha;
  const grain = 0.75 + 0.5 * hash2(Math.floor(fx * 300), Math.floor(fy * 120), f.id.seed);
  const density = style === 'stubble' ? 0.35 : 0.9;
  const h = f.hair;
  paint(out, h[0] * grain, h[1] * grain, h[2] * grain, a * density);
}

/** Scratch for the eye's own colour before it is laid over the skin; rendering is single-threaded. */
const eyeColour = new Float64Array(3);

function eye(f: FaceLayout, side: number, fx: number, fy: number, aa: number, out: Float64Array): void {
  const w = f.eyeWidth;
  const ex = (fx - side * f.id.eyeSpacing) * side;
  const ey0 = fy - f.eyeY;
  if (Math.abs(ex) > w * 1.4 || Math.abs(ey0) > w * 1.3) return;
  const ey = ey0 - f.id.eyeTilt * ex;
  const u = clamp01(1 - (ex / w) ** 2);
  const up = f.eyeHeight * u ** 0.7 * (1 + 0.2 * (ex / w));
  const lo = -f.eyeHeight * 0.8 * u ** 0.8;
  const inside = Math.max(ey - up, lo - ey, Math.abs(ex) - w);
  const lash = Math.max(ey - up - 0.01 - 0.006 * clamp01(ex / w), up - ey - 0.002, Math.abs(ex) - w * 1.05);
  const crease = Math.abs(ey - up - 0.028 * u) - 0.0025;
  darken(out, 0.18 * cover(crease, aa) * u);
  const sclera = cover(inside, aa);
  if (sclera > 0) {
    const ix = ex * side - f.nuisance.gazeX * w * 0.35 * side * side;
    const iy = ey - f.nuisance.gazeY * f.eyeHeight * 0.3 - f.eyeHeight * 0.05;
    const rr = Math.sqrt(ix * ix + iy * iy);
    const r = f.irisRadius;
    const iris = f.id.iris;
    const ring = 0.55 + 0.45 * clamp01(1.2 - rr / r);
    const tone = 0.92 - 0.1 * (ex / w) ** 2;
    const c = eyeColour;
    c[0] = tone;
    c[1] = tone * 0.98;
    c[2] = tone * 0.96;
    paint(c, iris[0] * ring, iris[1] * ring, iris[2] * ring, cover(rr - r, aa));
    paint(c, 0.04, 0.03, 0.03, cover(rr - r * 0.45, aa));
    paint(c, 1, 1, 1, 0.9 * cover(ellipse(ix + r * 0.3, iy - r * 0.35, r * 0.2, r * 0.2), aa));
    paint(out, c[0]!, c[1]!, c[2]!, sclera);
  }
  paint(out, 0.08, 0.06, 0.06, 0.9 * cover(lash, aa));
}

function brow(f: FaceLayout, side: number, fx: number, fy: number, aa: number, out: Float64Array): void {
  const len = f.id.browLength;
  const bx = (fx - side * (f.id.eyeSpacing + 0.012)) * side;
  if (Math.abs(bx) > len + 0.03 || Math.abs(fy - f.browY) > 0.09) return;
  const u = bx / len;
  const yc = f.browY + f.id.browArch * (1 - u * u) + f.id.browTilt * 0.1 * u;
  const th = f.browThickness * (1 - 0.45 * clamp01(u)) * 0.5;
  const d = Math.max(Math.abs(fy - yc) - th, (Math.abs(u) - 1) * len);
  const b = f.brow;
  paint(out, b[0], b[1], b[2], 0.92 * cover(d, aa));
}

function nostrils(f: FaceLayout, fx: number, fy: number, aa: number, out: Float64Array): void {
  const ax = Math.abs(fx);
  const w = f.id.noseWidth;
  if (ax > w * 1.6 || fy > f.eyeY || fy < f.noseBottom - 0.02) return;
  // The bridge's sides, a soft shade down from between the eyes, and the wings around the nostrils.
  const bridge = Math.abs(ax - w * 0.5) - 0.004 - 0.012 * clamp01((f.eyeY - 0.04 - fy) / 0.1);
  const fade = clamp01((f.eyeY - 0.03 - fy) / 0.05) * clamp01((fy - f.noseBottom - 0.03) / 0.03);
  darken(out, 0.1 * cover(bridge, aa * 4) * fade);
  const wing = Math.abs(ellipse(ax - w * 0.62, fy - f.noseBottom - 0.028, w * 0.42, 0.034)) - 0.0025;
  if (ax > w * 0.65) darken(out, 0.3 * cover(wing, aa));
  const d = ellipse(ax - w * 0.5, fy - (f.noseBottom + 0.014), 0.017, 0.009);
  darken(out, 0.55 * cover(d, aa));
}

function mouth(f: FaceLayout, fx: number, fy: number, aa: number, out: Float64Array): void {
  const w = f.mouthWidth;
  const u = fx / w;
  if (Math.abs(u) > 1.15 || Math.abs(fy - f.mouthY) > 0.09) return;
  const smile = f.nuisance.smile;
  const v = clamp01(1 - u * u);
  const line = f.mouthY + 0.035 * smile * (u * u - 0.3);
  const open = f.mouthOpen * v ** 0.6;
  const bow = 0.006 * Math.exp(-((u / 0.16) ** 2));
  const top = line + open * 0.5 + f.upperLip * v ** 0.6 - bow;
  const bottom = line - open * 0.5 - f.lowerLip * v ** 0.6;
  const lipsD = Math.max(fy - top, bottom - fy, Math.abs(u) - 1);
  const l = f.lips;
  paint(out, l[0], l[1], l[2], cover(lipsD, aa));
  if (open > 0) {
    const gap = Math.max(fy - (line + open * 0.5), line - open * 0.5 - fy, Math.abs(u) - 0.92);
    const teeth = fy > line - open * 0.05 ? 0.92 : 0.25;
    paint(out, teeth, teeth * 0.95, teeth * 0.9, cover(gap, aa));
  }
  darken(out, 0.5 * cover(Math.abs(fy - line) - 0.0025 - open * 0.5 * v, aa) * clamp01(1.1 - Math.abs(u)));
}
