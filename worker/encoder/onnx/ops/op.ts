/**
 * What an operator implementation is: a static check of its attributes (run once at load, over every node, so all
 * problems are reported together) and a run function from input values to output values. Also the attribute
 * readers and the constant cache the implementations share.
 */
import * as tf from '@tensorflow/tfjs';
import { type HostTensor, valuesOf } from '../host.ts';
import type { Value } from '../layout.ts';
import type { AttrValue, OnnxNode } from '../model.ts';

/** An op refuses a node it cannot convert (the program adds the node's name and type). */
export class OpError extends Error {
  override readonly name = 'OpError';
}

/**
 * Tensors made from graph constants (filters in tfjs layout, folded batch-norm factors). Made once and kept across
 * runs when every source is stable (an initializer or a constant folded at load); made per run, inside the caller's
 * tidy, when a source changes between runs (a value computed from the input's shape).
 */
export class Constants {
  private readonly cache = new Map<object, Map<string, tf.Tensor>>();
  constructor(private readonly stable: WeakSet<object>) {}

  get(key: object, variant: string, sources: readonly HostTensor[], make: () => tf.Tensor): tf.Tensor {
    if (!sources.every((s) => this.stable.has(s))) return make();
    const byVariant = this.cache.get(key) ?? new Map<string, tf.Tensor>();
    this.cache.set(key, byVariant);
    let t = byVariant.get(variant);
    if (!t) {
      t = tf.keep(tf.tidy(make));
      byVariant.set(variant, t);
    }
    return t;
  }

  /** A host tensor as a float32 tfjs tensor of its own shape. */
  tensor(h: HostTensor): tf.Tensor {
    return this.get(h, 'plain', [h], () => tf.tensor(Float32Array.from(h.data), h.dims, 'float32'));
  }

  dispose(): void {
    for (const byVariant of this.cache.values()) for (const t of byVariant.values()) t.dispose();
    this.cache.clear();
  }
}

export interface OpContext {
  opset: number;
  constants: Constants;
}

export interface OpDef {
  /**
   * Whether run() takes constant (host) values for its data input and returns host values for them (shape
   * arithmetic). For the other ops the program turns a constant data input (input 0) into a tensor first.
   */
  foldsHost?: boolean;
  /** Problems with the node's attributes, found without running it (unsupported modes, values). */
  check?(node: OnnxNode, opset: number): string[];
  /** inputs[i] is undefined for an omitted optional input. */
  run(node: OnnxNode, inputs: (Value | undefined)[], ctx: OpContext): Value[];
}

function attr(node: OnnxNode, name: string): AttrValue | undefined {
  const a = node.attrs[name];
  if (a !== undefined && typeof a === 'object' && 'unsupported' in a) {
    throw new OpError(`attribute ${name}: ${a.unsupported}`);
  }
  return a;
}

export function intAttr(node: OnnxNode, name: string, fallback: number): number {
  const a = attr(node, name);
  return typeof a === 'number' ? a : fallback;
}

export function floatAttr(node: OnnxNode, name: string, fallback: number): number {
  return intAttr(node, name, fallback);
}

export function intsAttr(node: OnnxNode, name: string): number[] | undefined {
  const a = attr(node, name);
  return Array.isArray(a) ? (a as number[]) : undefined;
}

export function stringAttr(node: OnnxNode, name: string, fallback: string): string {
  const a = attr(node, name);
  return typeof a === 'string' ? a : fallback;
}

export function tensorAttr(node: OnnxNode, name: string): HostTensor | undefined {
  const a = attr(node, name);
  return a !== undefined && typeof a === 'object' && 'dims' in a ? a : undefined;
}

/** The input, which must be given. */
export function required(inputs: (Value | undefined)[], i: number, what: string): Value {
  const v = inputs[i];
  if (!v) throw new OpError(`missing input ${i} (${what})`);
  return v;
}

/** A tensor input (the program has turned a constant data input into a tensor already). */
export function tensorInput(inputs: (Value | undefined)[], i: number, what: string): Value & { kind: 'tensor' } {
  const v = required(inputs, i, what);
  if (v.kind !== 'tensor') throw new OpError(`input ${i} (${what}) must be a tensor, not a constant`);
  return v;
}

/** A constant input (a weight, axes, pads...): refused when it is computed from the graph's input at run time. */
export function constant(inputs: (Value | undefined)[], i: number, what: string): HostTensor {
  const v = required(inputs, i, what);
  if (v.kind !== 'host') throw new OpError(`input ${i} (${what}) must be a constant, but is computed at run time`);
  return v.host;
}

/** Integers from an input (opsets that moved an attribute to an input) or from the attribute of older opsets. */
export function intsFrom(node: OnnxNode, inputs: (Value | undefined)[], i: number, name: string): number[] | undefined {
  if (inputs[i]) return valuesOf(constant(inputs, i, name));
  return intsAttr(node, name);
}
