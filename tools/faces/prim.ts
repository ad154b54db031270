/** Ray tests against one posed ellipsoid, with everything that is constant for a picture computed once. */
import type { Ellipsoid } from './layout.ts';

/** An ellipsoid with the per-picture constants of its ray test precomputed. */
export class Prim {
  readonly irx: number;
  readonly iry: number;
  readonly irz: number;
  readonly a: number;
  readonly vx: number;
  readonly vy: number;
  readonly vz: number;
  /** Bounding box of the projection in view coordinates (head units). */
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;

  constructor(
    readonly e: Ellipsoid,
    r: Float64Array,
    dir: readonly number[],
  ) {
    this.irx = 1 / e.rx;
    this.iry = 1 / e.ry;
    this.irz = 1 / e.rz;
    this.vx = dir[0]! * this.irx;
    this.vy = dir[1]! * this.iry;
    this.vz = dir[2]! * this.irz;
    this.a = this.vx * this.vx + this.vy * this.vy + this.vz * this.vz;
    const px = r[0]! * e.cx + r[1]! * e.cy + r[2]! * e.cz;
    const py = r[3]! * e.cx + r[4]! * e.cy + r[5]! * e.cz;
    const ex = Math.hypot(r[0]! * e.rx, r[1]! * e.ry, r[2]! * e.rz);
    const ey = Math.hypot(r[3]! * e.rx, r[4]! * e.ry, r[5]! * e.rz);
    this.x0 = px - ex;
    this.x1 = px + ex;
    this.y0 = py - ey;
    this.y1 = py + ey;
  }

  /** Ray parameter of the near (far = false) or far intersection, Infinity on a miss. */
  hit(vx: number, vy: number, ox: number, oy: number, oz: number, far: boolean): number {
    if (vx < this.x0 || vx > this.x1 || vy < this.y0 || vy > this.y1) return Infinity;
    const ux = (ox - this.e.cx) * this.irx;
    const uy = (oy - this.e.cy) * this.iry;
    const uz = (oz - this.e.cz) * this.irz;
    const b = 2 * (ux * this.vx + uy * this.vy + uz * this.vz);
    const c = ux * ux + uy * uy + uz * uz - 1;
    const disc = b * b - 4 * this.a * c;
    if (disc < 0) return Infinity;
    const s = Math.sqrt(disc);
    return (far ? -b + s : -b - s) / (2 * this.a);
  }

  /** Unit surface normal at head-frame point q, written into n. */
  normal(qx: number, qy: number, qz: number, n: Float64Array): void {
    const x = (qx - this.e.cx) * this.irx * this.irx;
    const y = (qy - this.e.cy) * this.iry * this.iry;
    const z = (qz - this.e.cz) * this.irz * this.irz;
    const l = Math.sqrt(x * x + y * y + z * z) || 1;
    n[0] = x / l;
    n[1] = y / l;
    n[2] = z / l;
  }
}
