/**
 * Five facial landmarks (eye centres, nose tip, mouth corners) where a picture shows them: the ground truth an
 * aligner would estimate, and a check that the renderer's geometry follows the pose it was given.
 */
import type { FaceAttributes, Nuisance } from './attributes.ts';
import type { FaceIdentity } from './identity.ts';
import { resolveLayout, surfaceZ } from './layout.ts';
import { Pose } from './pose.ts';

export interface Landmarks {
  /** The subject's right eye, on the picture's left. */
  rightEye: [number, number];
  leftEye: [number, number];
  nose: [number, number];
  mouthRight: [number, number];
  mouthLeft: [number, number];
}

/** Landmarks in pixel coordinates of a size × size picture (x right, y down, pixel centres at .5). */
export function faceLandmarks(id: FaceIdentity, attrs: FaceAttributes, nuisance: Nuisance, size: number): Landmarks {
  const f = resolveLayout(id, attrs, nuisance);
  const pose = new Pose(attrs);
  const toPixels = (x: number, y: number, z: number): [number, number] => {
    const [sx, sy] = pose.project(x, y, z);
    return [((sx + 1) / 2) * size, ((1 - sy) / 2) * size];
  };
  const onFace = (x: number, y: number): [number, number] => toPixels(x, y, surfaceZ(f, x, y));
  const tip = f.noseTip;
  return {
    rightEye: onFace(-f.id.eyeSpacing, f.eyeY),
    leftEye: onFace(f.id.eyeSpacing, f.eyeY),
    nose: toPixels(tip.cx, tip.cy, tip.cz + tip.rz),
    mouthRight: onFace(-f.mouthWidth, f.mouthY),
    mouthLeft: onFace(f.mouthWidth, f.mouthY),
  };
}
