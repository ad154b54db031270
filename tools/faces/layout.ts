/**
 * The resolved layout of one picture: an identity's proportions adjusted for age and expression, in head-frame
 * coordinates (x to the subject's left = image right, y up, origin near eye level, z towards the viewer). Everything
 * the tracer needs is computed here once per picture, so the per-sample code only reads numbers.
 */
import type { FaceAttributes, Nuisance } from './attributes.ts';
import { desaturate, mix, type Rgb, scale } from './colour.ts';
import type { FaceIdentity } from './identity.ts';
import { clamp01 } from './sdf.ts';

export interface Ellipsoid {
  cx: number;
  cy: number;
  cz: number;
  rx: number;
  ry: number;
  rz: number;
}

export interface FaceLayout {
  id: FaceIdentity;
  cranium: Ellipsoid;
  jaw: Ellipsoid;
  noseTip: Ellipsoid;
  earLeft: Ellipsoid;
  earRight: Ellipsoid;
  /** The hair volume; null for no hair. */
  hairShell: Ellipsoid | null;
  neckRadius: number;
  eyeY: number;
  eyeWidth: number;
  eyeHeight: number;
  irisRadius: number;
  browY: number;
  browThickness: number;
  noseBottom: number;
  mouthY: number;
  mouthWidth: number;
  upperLip: number;
  lowerLip: number;
  mouthOpen: number;
  hairlineY: number;
  /** 0 for a child's face up to 1 at 80 years: wrinkles and greying follow it. */
  ageing: number;
  /** 1 for an infant down to 0 at 18 years. */
  childhood: number;
  beardAlpha: number;
  skin: Rgb;
  lips: Rgb;
  hair: Rgb;
  brow: Rgb;
  nuisance: Nuisance;
}

export function resolveLayout(id: FaceIdentity, attrs: FaceAttributes, nuisance: Nuisance): FaceLayout {
  const age = Math.min(Math.max(attrs.age, 0), 100);
  const childhood = clamp01((18 - age) / 18);
  const ageing = clamp01((age - 30) / 50);
  const w = id.headWidth;
  const chin = id.chinDepth * (1 - 0.14 * childhood);
  const cranium: Ellipsoid = { cx: 0, cy: 0.05, cz: 0, rx: w, ry: id.headHeight, rz: w * 1.15 };
  const jawRy = 0.42;
  const jaw: Ellipsoid = {
    cx: 0,
    cy: jawRy - chin,
    cz: 0.04,
    rx: w * (id.jawWidth * (1 - 0.08 * childhood)),
    ry: jawRy,
    rz: w * 0.95,
  };
  const eyeY = id.eyeY - 0.03 * childhood;
  const noseLength = id.noseLength * (1 - 0.25 * childhood);
  const noseBottom = eyeY - noseLength;
  const tipRy = 0.03 + noseLength * 0.18;
  const tipY = noseBottom + tipRy * 0.9;
  const noseDepth = id.noseDepth * (1 - 0.45 * childhood);
  const mouthY = noseBottom - id.mouthGap * (1 - 0.2 * childhood);
  const grey = clamp01((age - id.greyOnset) / 30) * 0.9;
  const hair = mix(id.hair, [0.8, 0.8, 0.8], grey);
  const recession = id.recedes ? clamp01((age - 25) / 45) * 0.14 : 0;
  return {
    id,
    cranium,
    jaw,
    noseTip: {
      cx: 0,
      cy: tipY,
      cz: surfaceZ({ cranium, jaw }, 0, tipY) - noseDepth * 0.35,
      rx: id.noseWidth * 0.8,
      ry: tipRy,
      rz: noseDepth,
    },
    earLeft: ear(1, w, eyeY, id.earSize),
    earRight: ear(-1, w, eyeY, id.earSize),
    hairShell: hairShell(id, cranium),
    neckRadius: w * 0.6,
    eyeY,
    eyeWidth: id.eyeWidth * (1 + 0.22 * childhood),
    eyeHeight: id.eyeWidth * (1 + 0.22 * childhood) * id.eyeRoundness * (0.35 + 0.65 * nuisance.eyeOpen),
    irisRadius: id.eyeWidth * (1 + 0.22 * childhood) * 0.5,
    browY: eyeY + id.browGap + 0.02 * nuisance.browRaise,
    browThickness: id.browThickness * (1 - 0.3 * childhood),
    noseBottom,
    mouthY,
    mouthWidth: id.mouthWidth * (1 + 0.15 * Math.max(nuisance.smile, 0)) * (1 - 0.15 * childhood),
    upperLip: id.upperLip * (1 - 0.35 * ageing),
    lowerLip: id.lowerLip * (1 - 0.3 * ageing),
    mouthOpen: clamp01((nuisance.smile - 0.55) / 0.45) * 0.04,
    hairlineY: eyeY + id.hairline + recession,
    ageing,
    childhood,
    beardAlpha: id.beard === 'none' ? 0 : clamp01((age - 15) / 7),
    skin: desaturate(id.skin, 0.15 * ageing),
    lips: id.lips,
    hair,
    brow: mix(scale(id.hair, 0.8), [0.75, 0.75, 0.75], grey * 0.7),
    nuisance,
  };
}

/** z of the face's front surface (cranium or jaw, whichever is in front) above the head-frame point (x, y). */
export function surfaceZ(f: Pick<FaceLayout, 'cranium' | 'jaw'>, x: number, y: number): number {
  const z = (e: Ellipsoid): number => {
    const u = ((x - e.cx) / e.rx) ** 2 + ((y - e.cy) / e.ry) ** 2;
    return u >= 1 ? -Infinity : e.cz + e.rz * Math.sqrt(1 - u);
  };
  return Math.max(z(f.cranium), z(f.jaw));
}

function ear(side: number, w: number, eyeY: number, size: number): Ellipsoid {
  return { cx: side * (w + 0.015), cy: eyeY - 0.07, cz: -0.06, rx: 0.05, ry: size, rz: 0.08 };
}

function hairShell(id: FaceIdentity, c: Ellipsoid): Ellipsoid | null {
  const v = id.hairVolume;
  const top = c.cy + c.ry;
  switch (id.hairStyle) {
    case 'bald':
      return { ...c, rx: c.rx + 0.012, ry: c.ry + 0.012, rz: c.rz + 0.012 };
    case 'buzz':
      return { ...c, rx: c.rx + 0.015, ry: c.ry + 0.02, rz: c.rz + 0.015 };
    case 'long':
      return { cx: 0, cy: -0.2, cz: -0.04, rx: c.rx + v + 0.06, ry: top + v + 0.2, rz: c.rz + v + 0.02 };
    case 'bob':
      return { cx: 0, cy: -0.06, cz: -0.02, rx: c.rx + v + 0.05, ry: top + v + 0.06, rz: c.rz + v + 0.02 };
    case 'curly':
      return { cx: 0, cy: c.cy + 0.03, cz: -0.02, rx: c.rx + v + 0.12, ry: c.ry + v + 0.1, rz: c.rz + v + 0.1 };
    default:
      return { cx: 0, cy: c.cy + 0.01, cz: -0.01, rx: c.rx + v, ry: c.ry + v * 1.4, rz: c.rz + v };
  }
}
