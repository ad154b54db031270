/**
 * Graph rewrites done once at load, on constants only. Conv → BatchNormalization (every conv of MobileFaceNet, two per
 * IR block) becomes one Conv: W'[o] = W[o]·s[o], b'[o] = b[o]·s[o] + t[o], with s = γ/√(σ² + ε) and t = β − μ·s. That
 * saves two passes over each activation, forward and backward (ONNX Runtime does the same). A batch norm before a
 * conv (IR blocks start BN → Conv) does not fold exactly when the conv pads, and is left alone.
 */
import { type HostTensor, hostFloats } from './host.ts';
import type { OnnxGraph, OnnxNode } from './model.ts';
import { floatAttr, intAttr } from './ops/op.ts';

function consumers(graph: OnnxGraph): Map<string, number> {
  const count = new Map<string, number>();
  for (const n of graph.nodes) for (const i of n.inputs) if (i) count.set(i, (count.get(i) ?? 0) + 1);
  for (const o of graph.outputs) count.set(o.name, (count.get(o.name) ?? 0) + 1);
  return count;
}

/** The folded weight and bias, or undefined when the pair does not qualify. */
function folded(conv: OnnxNode, bn: OnnxNode, inits: Map<string, HostTensor>): [HostTensor, HostTensor] | undefined {
  const [w, b] = [inits.get(conv.inputs[1] ?? ''), conv.inputs[2] ? inits.get(conv.inputs[2]) : undefined];
  const params = bn.inputs.slice(1, 5).map((name) => inits.get(name));
  if (w?.dtype !== 'float32' || (conv.inputs[2] && !b) || params.some((p) => p?.dtype !== 'float32')) return;
  if (bn.outputs.slice(1).some(Boolean) || intAttr(bn, 'training_mode', 0) !== 0) return;
  const [gamma, beta, mean, variance] = params as HostTensor[];
  const co = w.dims[0]!;
  if ([gamma, beta, mean, variance].some((p) => p!.data.length !== co)) return;
  const eps = floatAttr(bn, 'epsilon', 1e-5);
  const s = Array.from({ length: co }, (_, o) => gamma!.data[o]! / Math.sqrt(variance!.data[o]! + eps));
  const per = w.data.length / co;
  const weight = hostFloats(
    w.dims,
    Array.from(w.data, (v, i) => v * s[Math.floor(i / per)]!),
  );
  const bias = hostFloats(
    [co],
    s.map((so, o) => (b?.data[o] ?? 0) * so + beta!.data[o]! - mean!.data[o]! * so),
  );
  return [weight, bias];
}

/** The graph with every foldable Conv → BatchNormalization pair merged. Returns a new graph; the input is unchanged. */
export function foldBatchNorms(graph: OnnxGraph): OnnxGraph {
  const uses = consumers(graph);
  const producer = new Map<string, OnnxNode>();
  for (const n of graph.nodes) for (const o of n.outputs) producer.set(o, n);
  const initializers = new Map(graph.initializers);
  const replaced = new Map<OnnxNode, OnnxNode>();
  const dropped = new Set<OnnxNode>();
  for (const bn of graph.nodes) {
    if (bn.opType !== 'BatchNormalization' || bn.domain) continue;
    const conv = producer.get(bn.inputs[0] ?? '');
    if (conv?.opType !== 'Conv' || conv.domain || replaced.has(conv) || uses.get(bn.inputs[0]!) !== 1) continue;
    const result = folded(conv, bn, initializers);
    if (!result) continue;
    const [wName, bName] = [`${bn.outputs[0]}::folded-weight`, `${bn.outputs[0]}::folded-bias`];
    initializers.set(wName, result[0]);
    initializers.set(bName, result[1]);
    replaced.set(conv, { ...conv, inputs: [conv.inputs[0]!, wName, bName], outputs: [bn.outputs[0]!] });
    dropped.add(bn);
  }
  const nodes = graph.nodes.filter((n) => !dropped.has(n)).map((n) => replaced.get(n) ?? n);
  return { ...graph, nodes, initializers };
}
