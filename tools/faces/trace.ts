/**
 * Orthographic ray casting of one face picture. The head is a union of ellipsoids (cranium, jaw, nose tip, ears)
 * inside an ellipsoidal hair shell, posed by yaw and pitch in 3D; roll rotates the picture plane about the head. The
 * face is a texture projected front-on onto the head, so yaw foreshortens and shifts the features and shows more of
 * one side, and pitch moves them vertically. Neck and shoulders sit behind, then the background.
 */
import type { FaceAttributes } from './attributes.ts';
import type { FaceLayout } from './layout.ts';
import { DEG, HEAD_Y, Pose, ZOOM } from './pose.ts';
import { Prim } from './prim.ts';
import { hash2 } from './random.ts';
import { clamp01, smoothstep } from './sdf.ts';
import { skinAlbedo } from './skin.ts';

/** Rays start this far in front of the head's origin. */
const RAY_Z = 4;

enum Hit {
  None,
  Head,
  Jaw,
  Nose,
  EarLeft,
  EarRight,
  HairFront,
  HairBack,
  Neck,
}

export class FaceTracer {
  private readonly pose: Pose;
  private readonly r: Float64Array;
  /** Ray direction and light direction in the head frame; light also in the view frame for the neck. */
  private readonly dir: number[];
  private readonly light: number[];
  private readonly viewLight: number[];
  private readonly cranium: Prim;
  private readonly jaw: Prim;
  private readonly nose: Prim;
  private readonly earL: Prim;
  private readonly earR: Prim;
  private readonly shell: Prim | null;
  private readonly yawShift: number;
  private readonly n = new Float64Array(3);
  private readonly n2 = new Float64Array(3);
  /** The last sample's cranium and jaw hits, to blend their normals where they meet. */
  private tCranium = Infinity;
  private tJaw = Infinity;
  private readonly albedo = new Float64Array(3);

  constructor(
    private readonly f: FaceLayout,
    attrs: FaceAttributes,
  ) {
    const pose = new Pose(attrs);
    this.pose = pose;
    this.r = pose.r;
    this.dir = pose.toHead(0, 0, -1);
    const nu = f.nuisance;
    const az = nu.lightAzimuth * DEG;
    const el = nu.lightElevation * DEG;
    const lx = Math.cos(el) * Math.cos(az);
    const ly = Math.cos(el) * Math.sin(az);
    const lz = Math.sin(el);
    // The light stays put while the person rolls, so express it in the un-rolled frame.
    this.viewLight = [...pose.unroll(lx, ly), lz];
    this.light = pose.toHead(this.viewLight[0]!, this.viewLight[1]!, this.viewLight[2]!);
    this.cranium = new Prim(f.cranium, this.r, this.dir);
    this.jaw = new Prim(f.jaw, this.r, this.dir);
    this.nose = new Prim(f.noseTip, this.r, this.dir);
    this.earL = new Prim(f.earLeft, this.r, this.dir);
    this.earR = new Prim(f.earRight, this.r, this.dir);
    this.shell = f.hairShell ? new Prim(f.hairShell, this.r, this.dir) : null;
    this.yawShift = 0.12 * pose.sinYaw;
  }

  /** Colour of the picture at (sx, sy) in [-1, 1]² (y up), written into out; `aa` is the sample spacing. */
  sample(sx: number, sy: number, aa: number, out: Float64Array): void {
    const rx = this.pose.cosRoll * sx + this.pose.sinRoll * (sy - HEAD_Y);
    const ry = -this.pose.sinRoll * sx + this.pose.cosRoll * (sy - HEAD_Y);
    const vx = rx / ZOOM;
    const vy = ry / ZOOM;
    const r = this.r;
    const ox = r[0]! * vx + r[3]! * vy + r[6]! * RAY_Z;
    const oy = r[1]! * vx + r[4]! * vy + r[7]! * RAY_Z;
    const oz = r[2]! * vx + r[5]! * vy + r[8]! * RAY_Z;
    // Nearest hit wins; inlined comparisons because this runs for every sample.
    let best = this.cranium.hit(vx, vy, ox, oy, oz, false);
    let kind = best < Infinity ? Hit.Head : Hit.None;
    let t = this.jaw.hit(vx, vy, ox, oy, oz, false);
    this.tCranium = best;
    this.tJaw = t;
    if (t < best) {
      best = t;
      kind = Hit.Jaw;
    }
    t = this.nose.hit(vx, vy, ox, oy, oz, false);
    if (t < best) {
      best = t;
      kind = Hit.Nose;
    }
    t = this.earL.hit(vx, vy, ox, oy, oz, false);
    if (t < best) {
      best = t;
      kind = Hit.EarLeft;
    }
    t = this.earR.hit(vx, vy, ox, oy, oz, false);
    if (t < best) {
      best = t;
      kind = Hit.EarRight;
    }
    if (this.shell) {
      const d = this.dir;
      t = this.shell.hit(vx, vy, ox, oy, oz, false);
      if (t < best && this.hairAt(ox + t * d[0]!, oy + t * d[1]!, oz + t * d[2]!, vx, vy)) {
        best = t;
        kind = Hit.HairFront;
      }
      t = this.shell.hit(vx, vy, ox, oy, oz, true);
      if (t < best && this.hairAt(ox + t * d[0]!, oy + t * d[1]!, oz + t * d[2]!, vx, vy)) {
        best = t;
        kind = Hit.HairBack;
      }
    }
    t = this.neckHit(vx, vy);
    if (t < best) {
      best = t;
      kind = Hit.Neck;
    }
    if (kind === Hit.None) {
      this.backdrop(sx, sy, vx, vy, out);
    } else {
      this.shade(kind, best, ox, oy, oz, vx, vy, aa / ZOOM, out);
    }
    const tint = this.f.nuisance.tint;
    out[0] *= tint[0];
    out[1] *= tint[1];
    out[2] *= tint[2];
  }

  private shade(
    kind: Hit,
    t: number,
    ox: number,
    oy: number,
    oz: number,
    vx: number,
    vy: number,
    aa: number,
    out: Float64Array,
  ): void {
    const d = this.dir;
    const qx = ox + t * d[0]!;
    const qy = oy + t * d[1]!;
    const qz = oz + t * d[2]!;
    const n = this.n;
    const c = this.albedo;
    const f = this.f;
    let light = 1;
    switch (kind) {
      case Hit.Head:
      case Hit.Jaw:
      case Hit.Nose: {
        if (kind === Hit.Nose) this.nose.normal(qx, qy, qz, n);
        else this.headNormal(ox, oy, oz, n);
        // A feature's footprint on the surface grows as the surface turns away from the viewer.
        const facing = Math.max(-(n[0]! * d[0]! + n[1]! * d[1]! + n[2]! * d[2]!), 0.3);
        if (qz > -0.05) skinAlbedo(f, qx, qy, aa / facing, c);
        else this.fill(c, f.skin);
        if (kind === Hit.Nose) {
          c[0] *= 1.02;
          c[2] *= 0.97;
        }
        break;
      }
      case Hit.EarLeft:
      case Hit.EarRight: {
        const ear = kind === Hit.EarLeft ? this.earL : this.earR;
        ear.normal(qx, qy, qz, n);
        const ly = (qy - ear.e.cy) / ear.e.ry;
        const lz = (qz - ear.e.cz) / ear.e.rz;
        const inner = 1 - 0.3 * smoothstep(0.75, 0.45, Math.hypot(ly, lz));
        this.fill(c, f.skin, inner);
        c[0] *= 1.03;
        break;
      }
      case Hit.HairFront:
      case Hit.HairBack: {
        this.shell!.normal(qx, qy, qz, n);
        if (kind === Hit.HairBack) {
          n[0] = -n[0]!;
          n[1] = -n[1]!;
          n[2] = -n[2]!;
          light = 0.55;
        }
        this.hairColour(qx, qy, qz, c);
        break;
      }
      case Hit.Neck: {
        const rn = f.neckRadius;
        const x = vx - this.yawShift * 0.5;
        n[0] = x / rn;
        n[1] = 0;
        n[2] = Math.sqrt(Math.max(rn * rn - x * x, 0)) / rn;
        // The chin shades the top of the neck.
        light = 0.6 + 0.3 * clamp01((-0.45 - vy) / 0.3);
        this.fill(c, f.skin, 0.95);
        this.lightView(c, n, light, out);
        return;
      }
    }
    this.lightHead(c, n, light, out);
  }

  /**
   * The head's normal, blended between cranium and jaw where their surfaces are close, so the union reads as one
   * smooth head instead of two balls with a crease.
   */
  private headNormal(ox: number, oy: number, oz: number, n: Float64Array): void {
    const d = this.dir;
    const tc = this.tCranium;
    const tj = this.tJaw;
    const w = tc === Infinity ? 0 : tj === Infinity ? 1 : smoothstep(-0.08, 0.08, tj - tc);
    const n2 = this.n2;
    if (w > 0) this.cranium.normal(ox + tc * d[0]!, oy + tc * d[1]!, oz + tc * d[2]!, n);
    if (w >= 1) return;
    this.jaw.normal(ox + tj * d[0]!, oy + tj * d[1]!, oz + tj * d[2]!, n2);
    if (w <= 0) {
      n.set(n2);
      return;
    }
    const x = w * n[0]! + (1 - w) * n2[0]!;
    const y = w * n[1]! + (1 - w) * n2[1]!;
    const z = w * n[2]! + (1 - w) * n2[2]!;
    const l = Math.sqrt(x * x + y * y + z * z) || 1;
    n[0] = x / l;
    n[1] = y / l;
    n[2] = z / l;
  }

  private fill(c: Float64Array, rgb: readonly number[], k = 1): void {
    c[0] = rgb[0]! * k;
    c[1] = rgb[1]! * k;
    c[2] = rgb[2]! * k;
  }

  private lightHead(c: Float64Array, n: Float64Array, k: number, out: Float64Array): void {
    const l = this.light;
    this.applyLight(c, n[0]! * l[0]! + n[1]! * l[1]! + n[2]! * l[2]!, k, out);
  }

  private lightView(c: Float64Array, n: Float64Array, k: number, out: Float64Array): void {
    const l = this.viewLight;
    this.applyLight(c, n[0]! * l[0]! + n[1]! * l[1]! + n[2]! * l[2]!, k, out);
  }

  private applyLight(c: Float64Array, dot: number, k: number, out: Float64Array): void {
    const nu = this.f.nuisance;
    // Wrapped diffuse keeps the shadow side soft, as in a cartoon.
    const diffuse = Math.max((dot + 0.35) / 1.35, 0);
    const s = k * (nu.ambient + nu.lightIntensity * diffuse);
    out[0] = c[0]! * s;
    out[1] = c[1]! * s;
    out[2] = c[2]! * s;
  }

  /** Whether the hair shell carries hair at head-frame point (x, y, z). */
  private hairAt(x: number, y: number, z: number, vx: number, vy: number): boolean {
    const f = this.f;
    const id = f.id;
    const w = id.headWidth;
    if (id.hairStyle === 'curly' && this.scalloped(vx, vy)) return false;
    const ax = Math.abs(x);
    const side = smoothstep(0.55 * w, 0.95 * w, ax);
    // The hairline arches and dips at the temples into sideburns above the ears.
    let line = f.hairlineY + 0.3 * x * x - side * (f.hairlineY - f.eyeY - 0.02);
    switch (id.hairStyle) {
      case 'bald':
        return (z < 0.05 || ax > 0.85 * w) && y < f.eyeY + 0.22 && y > f.eyeY - 0.12;
      case 'buzz':
        return z < -0.1 ? y > f.eyeY - 0.15 : y > line;
      case 'bangs':
        line = Math.min(line, f.browY + 0.05 + 0.25 * x * x);
        break;
      case 'sidePart':
        line -= 0.17 * clamp01((id.partSide * x) / w + 0.3);
        break;
      case 'long':
      case 'bob': {
        if (id.hairStyle === 'bob') line = Math.min(line, f.browY + 0.05 + 0.25 * x * x);
        if (z < 0) return true;
        return y > line || ax > w * (0.82 + 0.1 * clamp01((f.eyeY - y) / 0.3));
      }
    }
    if (z < -0.05) return y > f.eyeY - (id.hairStyle === 'curly' ? 0.3 : 0.18);
    return y > line;
  }

  /** Curly hair's bumpy outline: near the shell's rim, hair thins out between regular tufts. */
  private scalloped(vx: number, vy: number): boolean {
    const shell = this.shell!;
    const cx = (shell.x0 + shell.x1) / 2;
    const cy = (shell.y0 + shell.y1) / 2;
    const ex = (vx - cx) / ((shell.x1 - shell.x0) / 2);
    const ey = (vy - cy) / ((shell.y1 - shell.y0) / 2);
    const rim = Math.sqrt(ex * ex + ey * ey);
    if (rim < 0.88) return false;
    const bump = 0.5 + 0.5 * Math.sin(Math.atan2(ey, ex) * 16 + this.f.id.seed);
    return rim > 1 - 0.1 * bump;
  }

  private hairColour(x: number, y: number, z: number, c: Float64Array): void {
    const h = this.f.hair;
    const theta = Math.atan2(x, y - 0.3) + 0.4 * Math.atan2(z, 0.5);
    const cell = Math.floor(theta * 40);
    const strand = 0.84 + 0.06 * Math.sin(theta * 70) + 0.12 * hash2(cell, 0, this.f.id.seed);
    c[0] = h[0] * strand;
    c[1] = h[1] * strand;
    c[2] = h[2] * strand;
  }

  private neckHit(vx: number, vy: number): number {
    const rn = this.f.neckRadius;
    const x = vx - this.yawShift * 0.5;
    if (vy > -0.2 || Math.abs(x) >= rn) return Infinity;
    return RAY_Z - (Math.sqrt(rn * rn - x * x) - 0.12);
  }

  /** Shoulders in a shirt, then the background gradient. */
  private backdrop(sx: number, sy: number, vx: number, vy: number, out: Float64Array): void {
    const nu = this.f.nuisance;
    const tx = (vx - this.yawShift) / 1.15;
    const ty = (vy + 1.38) / 0.64;
    if (tx * tx + ty * ty < 1) {
      const s = 0.75 + 0.25 * clamp01(ty + 0.5) - 0.1 * Math.abs(tx);
      out[0] = nu.shirt[0] * s;
      out[1] = nu.shirt[1] * s;
      out[2] = nu.shirt[2] * s;
      return;
    }
    const t = clamp01((1 - sy) / 2 + 0.08 * sx);
    const a = nu.backgroundTop;
    const b = nu.backgroundBottom;
    out[0] = a[0] + (b[0] - a[0]) * t;
    out[1] = a[1] + (b[1] - a[1]) * t;
    out[2] = a[2] + (b[2] - a[2]) * t;
  }
}
