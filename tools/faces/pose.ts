/**
 * Head pose and picture framing. The head frame has x towards the picture's right, y up and z towards the viewer;
 * R = Rx(pitch)·Ry(yaw) turns it into the view frame (positive yaw turns the nose towards the picture's right,
 * positive pitch lifts it), and roll then rotates the picture plane counter-clockwise about the head. Projection is
 * orthographic. Picture coordinates run over [-1, 1]² with y up.
 */
import type { FaceAttributes } from './attributes.ts';

/** Picture half-widths per head unit, and the picture height of the head frame's origin. */
export const ZOOM = 1.12;
export const HEAD_Y = 0.04;
export const DEG = Math.PI / 180;

export class Pose {
  /** Head-to-view rotation, row-major. */
  readonly r = new Float64Array(9);
  readonly cosRoll: number;
  readonly sinRoll: number;
  readonly sinYaw: number;

  constructor(attrs: FaceAttributes) {
    const yaw = attrs.yaw * DEG;
    const pitch = attrs.pitch * DEG;
    this.cosRoll = Math.cos(attrs.roll * DEG);
    this.sinRoll = Math.sin(attrs.roll * DEG);
    const cy = Math.cos(yaw);
    const sy = Math.sin(yaw);
    const cp = Math.cos(pitch);
    const sp = Math.sin(pitch);
    this.sinYaw = sy;
    this.r.set([cy, 0, sy, -sp * sy, cp, sp * cy, -cp * sy, -sp, cp * cy]);
  }

  /** A view-frame vector in the head frame (Rᵀv). */
  toHead(x: number, y: number, z: number): number[] {
    const r = this.r;
    return [r[0]! * x + r[3]! * y + r[6]! * z, r[1]! * x + r[4]! * y + r[7]! * z, r[2]! * x + r[5]! * y + r[8]! * z];
  }

  /** A picture-frame direction (x, y in the picture plane) in the un-rolled view frame. */
  unroll(x: number, y: number): [number, number] {
    return [this.cosRoll * x + this.sinRoll * y, -this.sinRoll * x + this.cosRoll * y];
  }

  /** Where the head-frame point (x, y, z) lands in the picture, [-1, 1]² with y up. */
  project(x: number, y: number, z: number): [number, number] {
    const r = this.r;
    const vx = ZOOM * (r[0]! * x + r[1]! * y + r[2]! * z);
    const vy = ZOOM * (r[3]! * x + r[4]! * y + r[5]! * z);
    return [this.cosRoll * vx - this.sinRoll * vy, this.sinRoll * vx + this.cosRoll * vy + HEAD_Y];
  }
}
