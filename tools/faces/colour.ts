/** Colours as linear-ish RGB triples in [0, 1], and the palettes identities draw from. */
import type { Rng } from './random.ts';

export type Rgb = readonly [number, number, number];

export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

export function scale(c: Rgb, k: number): Rgb {
  return [c[0] * k, c[1] * k, c[2] * k];
}

/** Moves a colour towards its own grey by `amount` (1 = fully grey). */
export function desaturate(c: Rgb, amount: number): Rgb {
  const l = 0.3 * c[0] + 0.59 * c[1] + 0.11 * c[2];
  return mix(c, [l, l, l], amount);
}

/** A point on a piecewise-linear ramp through `stops` at t in [0, 1]. */
export function ramp(stops: readonly Rgb[], t: number): Rgb {
  const x = Math.min(Math.max(t, 0), 1) * (stops.length - 1);
  const i = Math.min(Math.floor(x), stops.length - 2);
  return mix(stops[i]!, stops[i + 1]!, x - i);
}

/** Skin from very light to very dark; an identity draws a point on it plus a small undertone shift. */
const SKIN: readonly Rgb[] = [
  [0.98, 0.87, 0.78],
  [0.95, 0.8, 0.68],
  [0.9, 0.72, 0.58],
  [0.82, 0.62, 0.46],
  [0.68, 0.48, 0.33],
  [0.5, 0.34, 0.23],
  [0.34, 0.23, 0.16],
];

export function skinTone(rng: Rng): Rgb {
  const base = ramp(SKIN, rng.next());
  const warm = rng.range(-0.04, 0.04);
  return [base[0] + warm, base[1], base[2] - warm];
}

const HAIR: readonly { colour: Rgb; weight: number }[] = [
  { colour: [0.07, 0.06, 0.06], weight: 5 }, // black
  { colour: [0.2, 0.13, 0.08], weight: 5 }, // dark brown
  { colour: [0.38, 0.25, 0.14], weight: 4 }, // brown
  { colour: [0.58, 0.42, 0.24], weight: 2 }, // light brown
  { colour: [0.85, 0.72, 0.45], weight: 2 }, // blond
  { colour: [0.93, 0.88, 0.74], weight: 0.6 }, // platinum
  { colour: [0.62, 0.24, 0.1], weight: 1.2 }, // red
  { colour: [0.42, 0.14, 0.1], weight: 1 }, // auburn
  { colour: [0.2, 0.35, 0.75], weight: 0.3 }, // dyed blue
  { colour: [0.85, 0.35, 0.6], weight: 0.3 }, // dyed pink
];

export function hairColour(rng: Rng): Rgb {
  const c = rng.pick(
    HAIR.map((h) => h.colour),
    HAIR.map((h) => h.weight),
  );
  const k = rng.range(0.85, 1.15);
  return [Math.min(c[0] * k, 1), Math.min(c[1] * k, 1), Math.min(c[2] * k, 1)];
}

const IRIS: readonly Rgb[] = [
  [0.25, 0.14, 0.07], // dark brown
  [0.42, 0.26, 0.12], // brown
  [0.5, 0.42, 0.18], // hazel
  [0.25, 0.5, 0.3], // green
  [0.3, 0.5, 0.78], // blue
  [0.5, 0.58, 0.64], // grey
];

export function irisColour(rng: Rng): Rgb {
  return mix(rng.pick(IRIS, [5, 4, 2, 1.5, 2, 1]), [0.4, 0.35, 0.3], rng.range(0, 0.2));
}

export function toByte(v: number): number {
  return v <= 0 ? 0 : v >= 1 ? 255 : Math.round(v * 255);
}
