/**
 * An ONNX graph as a differentiable TensorFlow.js function.
 *
 * Load: parse (model.ts), refuse what is not supported with every reason at once, merge Conv → BatchNormalization
 * pairs (fuse.ts), then fold every node whose inputs are all constants (weights and Constant nodes: PyTorch's Identity-shared weights, transposed weights...) into host
 * tensors. Run: walk the remaining nodes in order (ONNX stores them topologically sorted), each inside its own
 * tf.tidy, freeing an intermediate tensor after its last use. Values derived from the input's shape (Shape → Gather
 * → ... → Reshape) fold on the host at each run, from the actual batch size: the batch dimension is symbolic in
 * exported models, so folding it at load would fix the batch size. That host arithmetic costs microseconds and never
 * touches the gradient tape; everything else is tf ops, so tf.grad goes through the whole graph.
 */
import * as tf from '@tensorflow/tfjs';
import { OnnxRunError, OnnxUnsupportedError } from './errors.ts';
import { foldBatchNorms } from './fuse.ts';
import type { HostTensor } from './host.ts';
import { dimsOf, host, logical, tensor, type Value } from './layout.ts';
import { DATA_TYPES, describeNode, type OnnxGraph, type OnnxNode, parseOnnx, type ValueInfo } from './model.ts';
import { Constants, OPS, type OpContext, OpError } from './ops/index.ts';

/** Opsets whose semantics the operator implementations follow (PyTorch exports 11–17 are what the tests cover). */
export const MIN_OPSET = 7;
export const MAX_OPSET = 21;

export interface RunOptions {
  /** Per feed: the tensor is a logical NCHW value given in NHWC layout (saves a transpose in front of a conv). */
  nhwc?: boolean[];
}

export interface OnnxProgram {
  readonly graph: OnnxGraph;
  /** Runs the graph on one tensor per graph input (in graph.inputs order). Returns the outputs in ONNX layout. */
  run(feeds: tf.Tensor[], options?: RunOptions): tf.Tensor[];
  /** Releases the tensors made from the model's weights. */
  dispose(): void;
}

/** Parses and checks an ONNX file and folds its constants. Throws OnnxFormatError or OnnxUnsupportedError. */
export function loadOnnx(bytes: Uint8Array): OnnxProgram {
  const parsed = parseOnnx(bytes);
  const problems = [...parsed.problems, ...graphProblems(parsed.graph)];
  if (problems.length > 0) {
    const hint = problems.some((p) => p.endsWith(UNSUPPORTED_OP)) ? supportedHint() : '';
    throw new OnnxUnsupportedError(problems, hint);
  }
  const graph = foldBatchNorms(parsed.graph);
  const stable = new WeakSet<object>();
  const statics = foldConstants(graph, graph.opset, stable);
  return new Program(graph, { opset: graph.opset, constants: new Constants(stable) }, statics);
}

const UNSUPPORTED_OP = 'operator not supported';

function supportedHint(): string {
  return `Operators supported: ${Object.keys(OPS).sort().join(', ')}.`;
}

/** Everything about the graph that can be refused before running it. */
function graphProblems(graph: OnnxGraph): string[] {
  const problems: string[] = [];
  if (graph.opset < MIN_OPSET || graph.opset > MAX_OPSET) {
    problems.push(`opset ${graph.opset} (supported: ${MIN_OPSET} to ${MAX_OPSET}; re-export with opset_version=17)`);
  }
  for (const input of graph.inputs) {
    if (input.elemType !== 1) {
      problems.push(`graph input '${input.name}' of type ${DATA_TYPES[input.elemType] ?? input.elemType} (not FLOAT)`);
    }
  }
  for (const node of graph.nodes) {
    const where = describeNode(node);
    const def = node.domain && node.domain !== 'ai.onnx' ? undefined : OPS[node.opType];
    if (!def) {
      problems.push(`${where}: ${UNSUPPORTED_OP}`);
      continue;
    }
    try {
      for (const p of def.check?.(node, graph.opset) ?? []) problems.push(`${where}: unsupported ${p}`);
    } catch (err) {
      problems.push(`${where}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return problems;
}

/** Runs one node; a constant data input becomes a tensor for ops that compute on tensors only. */
function runNode(node: OnnxNode, inputs: (Value | undefined)[], ctx: OpContext): Value[] {
  const def = OPS[node.opType]!;
  const first = inputs[0];
  const args =
    !def.foldsHost && first?.kind === 'host' ? [tensor(ctx.constants.tensor(first.host)), ...inputs.slice(1)] : inputs;
  let outputs: Value[] = [];
  tf.tidy(() => {
    outputs = def.run(node, args, ctx);
    return outputs.flatMap((v) => (v.kind === 'tensor' ? [v.t] : []));
  });
  return outputs;
}

function nodeError(node: OnnxNode, err: unknown): Error {
  const where = describeNode(node);
  if (err instanceof OpError)
    return new OnnxUnsupportedError([`${where}: unsupported ${err.message}`], '', { cause: err });
  if (err instanceof OnnxUnsupportedError || err instanceof OnnxRunError) return err;
  return new OnnxRunError(`${where} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

/** Host values of the initializers and of every node computable from constants alone. */
function foldConstants(graph: OnnxGraph, opset: number, stable: WeakSet<object>): Map<string, HostTensor> {
  const statics = new Map(graph.initializers);
  for (const t of statics.values()) stable.add(t);
  // Nothing is cached while folding (an empty stable set): each node's tensors live in its own tidy.
  const ctx: OpContext = { opset, constants: new Constants(new WeakSet()) };
  for (const node of graph.nodes) {
    if (!node.inputs.filter(Boolean).every((n) => statics.has(n))) continue;
    let outputs: HostTensor[] = [];
    try {
      tf.tidy(() => {
        const values = runNode(
          node,
          node.inputs.map((n) => (n ? host(statics.get(n)!) : undefined)),
          ctx,
        );
        outputs = values.map((v) => (v.kind === 'host' ? v.host : toHost(v)));
      });
    } catch (err) {
      throw nodeError(node, err);
    }
    outputs.forEach((h, i) => {
      stable.add(h);
      statics.set(node.outputs[i]!, h);
    });
  }
  return statics;
}

function toHost(v: Value & { kind: 'tensor' }): HostTensor {
  const t = logical(v);
  return { dtype: 'float32', dims: [...t.shape], data: t.dataSync() as Float32Array };
}

class Program implements OnnxProgram {
  /** The nodes left to run (not folded), and how many of them read each value (graph outputs count once more). */
  private readonly nodes: OnnxNode[];
  private readonly uses = new Map<string, number>();

  constructor(
    readonly graph: OnnxGraph,
    private readonly ctx: OpContext,
    private readonly statics: Map<string, HostTensor>,
  ) {
    this.nodes = graph.nodes.filter((n) => !n.outputs.every((o) => !o || statics.has(o)));
    for (const n of this.nodes) for (const i of n.inputs) if (i) this.uses.set(i, (this.uses.get(i) ?? 0) + 1);
    for (const o of graph.outputs) this.uses.set(o.name, (this.uses.get(o.name) ?? 0) + 1);
  }

  run(feeds: tf.Tensor[], options: RunOptions = {}): tf.Tensor[] {
    const env = new Env(this.uses, feeds);
    let outputs: tf.Tensor[] = [];
    try {
      this.graph.inputs.forEach((info, i) => {
        env.set(info.name, feedValue(info, feeds[i], options.nhwc?.[i] ?? false));
      });
      for (const node of this.nodes) this.step(node, env);
      outputs = this.graph.outputs.map((o) => {
        const v = env.get(o.name, this.statics);
        return v.kind === 'tensor' ? logical(v) : tf.tensor(Float32Array.from(v.host.data), v.host.dims);
      });
      return outputs;
    } finally {
      env.release(outputs);
    }
  }

  private step(node: OnnxNode, env: Env): void {
    const inputs = node.inputs.map((n) => (n ? env.get(n, this.statics) : undefined));
    let outputs: Value[];
    try {
      outputs = runNode(node, inputs, this.ctx);
    } catch (err) {
      throw nodeError(node, err);
    }
    outputs.forEach((v, i) => {
      if (node.outputs[i]) env.set(node.outputs[i]!, v);
    });
    for (const n of node.inputs) if (n) env.consumed(n);
  }

  dispose(): void {
    this.ctx.constants.dispose();
  }
}

function feedValue(info: ValueInfo, t: tf.Tensor | undefined, nhwc: boolean): Value {
  if (!t) throw new OnnxRunError(`no tensor given for graph input '${info.name}'`);
  const v = tensor(t, nhwc);
  const dims = dimsOf(v);
  const fits =
    !info.dims || (info.dims.length === dims.length && info.dims.every((d, i) => d === null || d === dims[i]));
  if (!fits) {
    const want = info.dims!.map((d) => d ?? '?').join(', ');
    throw new OnnxRunError(`graph input '${info.name}' takes [${want}], was given [${dims.join(', ')}]`);
  }
  return v;
}

/**
 * The values of one run. A tensor is disposed when the last value holding it has had its last reader (several
 * values can share one tensor: Identity, free transposes); feeds belong to the caller and are never disposed.
 */
class Env {
  private readonly values = new Map<string, Value>();
  private readonly left: Map<string, number>;
  private readonly holders = new Map<tf.Tensor, number>();

  constructor(
    uses: Map<string, number>,
    private readonly feeds: tf.Tensor[],
  ) {
    this.left = new Map(uses);
  }

  get(name: string, statics: Map<string, HostTensor>): Value {
    const v = this.values.get(name);
    if (v) return v;
    const h = statics.get(name);
    if (!h) throw new OnnxRunError(`value '${name}' is read before any node produces it (graph not in order?)`);
    return host(h);
  }

  set(name: string, v: Value): void {
    this.values.set(name, v);
    if (v.kind === 'tensor') this.holders.set(v.t, (this.holders.get(v.t) ?? 0) + 1);
    if ((this.left.get(name) ?? 0) === 0) this.drop(name);
  }

  consumed(name: string): void {
    const n = (this.left.get(name) ?? 0) - 1;
    this.left.set(name, n);
    if (n === 0) this.drop(name);
  }

  private drop(name: string): void {
    const v = this.values.get(name);
    this.values.delete(name);
    if (v?.kind !== 'tensor') return;
    const n = (this.holders.get(v.t) ?? 0) - 1;
    this.holders.set(v.t, n);
    if (n === 0 && !this.feeds.includes(v.t)) v.t.dispose();
  }

  /** After a run (or a failed one): frees every tensor still held but the returned ones. */
  release(keep: readonly tf.Tensor[]): void {
    for (const v of this.values.values()) {
      if (v.kind === 'tensor' && !keep.includes(v.t) && !this.feeds.includes(v.t) && !v.t.isDisposed) v.t.dispose();
    }
    this.values.clear();
  }
}
