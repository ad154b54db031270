/**
 * Parameters as plain named tensors. A network declares its parameters once (name, shape, initialiser) while it is
 * constructed; the same declaration then initialises, counts, saves and loads them. Training replaces the tensors
 * functionally (new Params each step), so there are no tf.Variables and no hidden optimizer slots.
 *
 * Initialisation follows DDPM (Ho et al. 2020): weights uniform with variance scaling over fan_avg, biases zero, and the
 * layers that close a residual branch (and the final convolution) zero, so every block starts as the identity.
 */
import * as tf from '@tensorflow/tfjs';
import { fillUniform, PURPOSE } from '../../random/index.ts';

export type Params = Record<string, tf.Tensor>;

export type Init =
  | { kind: 'fanAvgUniform'; fanIn: number; fanOut: number; scale: number }
  | { kind: 'zeros' }
  | { kind: 'ones' };

export interface ParamSpec {
  name: string;
  shape: number[];
  init: Init;
}

/** Collects parameter declarations in construction order, which is also their order on disk. */
export class ParamRegistry {
  readonly specs: ParamSpec[] = [];
  private readonly names = new Set<string>();

  add(name: string, shape: number[], init: Init): string {
    if (this.names.has(name)) throw new Error(`duplicate parameter ${name}`);
    this.names.add(name);
    this.specs.push({ name, shape, init });
    return name;
  }
}

export interface InitOptions {
  seed: number;
  /**
   * Zero the layers that close residual branches and the output convolution (DDPM). Turn off only to get non-trivial
   * gradients everywhere from step 0 (gradient checks).
   */
  zeroResidualOutputs?: boolean;
}

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The initial values of one parameter: a pure function of (seed, its index in the declaration, its spec). */
export function initialValues(spec: ParamSpec, index: number, opts: InitOptions): Float32Array {
  const out = new Float32Array(size(spec.shape));
  const init = spec.init;
  if (init.kind === 'ones') return out.fill(1);
  if (init.kind === 'zeros') return out;
  const scale = init.scale === 0 && opts.zeroResidualOutputs === false ? 1 : init.scale;
  if (scale === 0) return out;
  const limit = Math.sqrt((3 * scale) / ((init.fanIn + init.fanOut) / 2));
  fillUniform({ seed: opts.seed, a: index, b: 0, purpose: PURPOSE.weightInit }, out);
  for (let i = 0; i < out.length; i++) out[i] = (2 * out[i]! - 1) * limit;
  return out;
}

export function initParams(specs: readonly ParamSpec[], opts: InitOptions): Params {
  const params: Params = {};
  specs.forEach((spec, i) => {
    params[spec.name] = tf.tensor(initialValues(spec, i, opts), spec.shape, 'float32');
  });
  return params;
}

/** Every parameter's initial values, concatenated in declaration order: the flat vector θ. */
export function initFlat(specs: readonly ParamSpec[], opts: InitOptions): tf.Tensor1D {
  const flat = new Float32Array(countParams(specs));
  let offset = 0;
  specs.forEach((spec, i) => {
    const values = initialValues(spec, i, opts);
    flat.set(values, offset);
    offset += values.length;
  });
  return tf.tensor1d(flat);
}

/** θ → named tensors: one split and a reshape per parameter; differentiable (the gradient is one concat). */
export function unflattenParams(specs: readonly ParamSpec[], flat: tf.Tensor1D): Params {
  return tf.tidy(() => {
    const parts = tf.split(
      flat,
      specs.map((s) => size(s.shape)),
    );
    const params: Params = {};
    specs.forEach((s, i) => {
      params[s.name] = parts[i]!.reshape(s.shape);
    });
    return params;
  });
}

/** Named tensors → θ (declaration order). */
export function flattenParams(specs: readonly ParamSpec[], params: Params): tf.Tensor1D {
  return tf.tidy(() => tf.concat(paramList(specs, params).map((t) => t.reshape([-1]))) as tf.Tensor1D);
}

/** Where each parameter sits in θ: [offset, offset + size). */
export function paramOffsets(specs: readonly ParamSpec[]): { name: string; offset: number; size: number }[] {
  let offset = 0;
  return specs.map((s) => {
    const n = size(s.shape);
    const entry = { name: s.name, offset, size: n };
    offset += n;
    return entry;
  });
}

export function countParams(specs: readonly ParamSpec[]): number {
  return specs.reduce((n, s) => n + size(s.shape), 0);
}

/** Parameter count per top-level part of the network (the name's first segment): where the weights are. */
export function countParamsByPart(specs: readonly ParamSpec[]): Record<string, number> {
  const parts: Record<string, number> = {};
  for (const s of specs) {
    const part = s.name.split('.')[0]!;
    parts[part] = (parts[part] ?? 0) + size(s.shape);
  }
  return parts;
}

/** Tensors in declaration order (the order gradients and optimizer state use). */
export function paramList(specs: readonly ParamSpec[], params: Params): tf.Tensor[] {
  return specs.map((s) => {
    const t = params[s.name];
    if (!t) throw new Error(`missing parameter ${s.name}`);
    return t;
  });
}

export function fromList(specs: readonly ParamSpec[], tensors: readonly tf.Tensor[]): Params {
  const params: Params = {};
  specs.forEach((s, i) => {
    params[s.name] = tensors[i]!;
  });
  return params;
}

/** Independent copies (for EMA and optimizer slots that must not alias the weights). */
export function cloneParams(params: Params): Params {
  const out: Params = {};
  for (const [k, v] of Object.entries(params)) out[k] = v.clone();
  return out;
}

export function zerosLikeParams(params: Params): Params {
  const out: Params = {};
  for (const [k, v] of Object.entries(params)) out[k] = tf.zerosLike(v);
  return out;
}

export function disposeParams(params: Params | undefined): void {
  if (params) tf.dispose(Object.values(params));
}
