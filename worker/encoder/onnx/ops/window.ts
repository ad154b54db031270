/** The window geometry of Conv and the pools: kernel, strides, dilations, and ONNX's padding as tfjs explicit pads. */
import type { OnnxNode } from '../model.ts';
import { intsAttr, OpError, stringAttr } from './op.ts';

export type Pads = [[0, 0], [number, number], [number, number], [0, 0]];

export interface Window {
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
  pads: Pads;
}

const AUTO_PADS = ['NOTSET', 'VALID', 'SAME_UPPER', 'SAME_LOWER'];

export function pair(values: number[] | undefined, fallback: number, what: string): [number, number] {
  if (!values) return [fallback, fallback];
  if (values.length !== 2) throw new OpError(`${what} has ${values.length} values: only 2-D windows are supported`);
  return [values[0]!, values[1]!];
}

/** ONNX pads [top, left, bottom, right] or an auto_pad mode, as tfjs explicit NHWC padding. */
function explicitPads(node: OnnxNode, input: readonly number[], w: Omit<Window, 'pads'>): Pads {
  const mode = stringAttr(node, 'auto_pad', 'NOTSET');
  if (mode === 'NOTSET') {
    const p = intsAttr(node, 'pads') ?? [0, 0, 0, 0];
    if (p.length !== 4) throw new OpError(`pads has ${p.length} values: only 2-D windows are supported`);
    return [
      [0, 0],
      [p[0]!, p[2]!],
      [p[1]!, p[3]!],
      [0, 0],
    ];
  }
  if (mode === 'VALID')
    return [
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
    ];
  const axis = (i: 0 | 1): [number, number] => {
    const out = Math.ceil(input[i]! / w.strides[i]);
    const total = Math.max(0, (out - 1) * w.strides[i] + (w.kernel[i] - 1) * w.dilations[i] + 1 - input[i]!);
    const small = Math.floor(total / 2);
    return mode === 'SAME_UPPER' ? [small, total - small] : [total - small, small];
  };
  return [[0, 0], axis(0), axis(1), [0, 0]];
}

export function windowOf(node: OnnxNode, spatial: readonly number[], kernel: [number, number]): Window {
  const w = {
    kernel,
    strides: pair(intsAttr(node, 'strides'), 1, 'strides'),
    dilations: pair(intsAttr(node, 'dilations'), 1, 'dilations'),
  };
  return { ...w, pads: explicitPads(node, spatial, w) };
}

export function checkWindow(node: OnnxNode): string[] {
  const problems: string[] = [];
  const mode = stringAttr(node, 'auto_pad', 'NOTSET');
  if (!AUTO_PADS.includes(mode)) problems.push(`auto_pad ${mode}`);
  const kernel = intsAttr(node, 'kernel_shape');
  if (kernel && kernel.length !== 2) problems.push(`a ${kernel.length}-D window (only 2-D is supported)`);
  return problems;
}
