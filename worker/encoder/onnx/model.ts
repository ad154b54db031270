/**
 * Reading an ONNX file: protobufjs decodes the bytes against the official onnx.proto (vendored beside this file, see
 * README.md), and this module turns the ModelProto into the plain graph the converter walks: nodes with decoded
 * attributes, initializers as host tensors, the graph's real inputs and outputs, the default-domain opset.
 *
 * Only float32 tensors become weights; int64/int32/bool tensors are kept for shape arithmetic. Anything else (float16,
 * quantised, external data) is collected as a problem, so that a model is refused with every reason at once.
 */
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { OnnxFormatError } from './errors.ts';
import type { HostTensor } from './host.ts';

export type AttrValue = number | string | number[] | string[] | HostTensor | { unsupported: string };

export interface OnnxNode {
  /** The node's name as stored; names are optional in ONNX, so it may be ''. */
  name: string;
  /** Position in the graph. */
  index: number;
  opType: string;
  domain: string;
  /** Input names; '' marks an omitted optional input. */
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
}

export interface ValueInfo {
  name: string;
  elemType: number;
  /** Static sizes as numbers; symbolic or unknown ones as null. Null for a value with no shape at all. */
  dims: (number | null)[] | null;
}

export interface OnnxGraph {
  nodes: OnnxNode[];
  initializers: Map<string, HostTensor>;
  /** The inputs a caller feeds (graph inputs that no initializer provides). */
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  /** Version of the default ('' or 'ai.onnx') operator set. */
  opset: number;
  irVersion: number;
  producer: string;
}

/** TensorProto.DataType values by name, for messages and the few types read. */
export const DATA_TYPES: Record<number, string> = {
  1: 'FLOAT',
  2: 'UINT8',
  3: 'INT8',
  4: 'UINT16',
  5: 'INT16',
  6: 'INT32',
  7: 'INT64',
  8: 'STRING',
  9: 'BOOL',
  10: 'FLOAT16',
  11: 'DOUBLE',
  12: 'UINT32',
  13: 'UINT64',
  16: 'BFLOAT16',
};

// The decoded messages, as protobufjs's toObject writes them (camelCase, longs as numbers, enums as names). Only the
// fields read here are declared.
interface TensorMsg {
  name?: string;
  dims: number[];
  dataType?: number;
  rawData?: Uint8Array;
  floatData: number[];
  int32Data: number[];
  int64Data: number[];
  dataLocation?: string;
  externalData: { key?: string; value?: string }[];
}
interface AttributeMsg {
  name?: string;
  type?: string;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorMsg;
  floats: number[];
  ints: number[];
  strings: Uint8Array[];
}
interface NodeMsg {
  name?: string;
  opType?: string;
  domain?: string;
  input: string[];
  output: string[];
  attribute: AttributeMsg[];
}
interface ValueInfoMsg {
  name?: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim: { dimValue?: number; dimParam?: string }[] } } };
}
interface GraphMsg {
  node: NodeMsg[];
  initializer: TensorMsg[];
  sparseInitializer: unknown[];
  input: ValueInfoMsg[];
  output: ValueInfoMsg[];
}
interface ModelMsg {
  irVersion?: number;
  producerName?: string;
  producerVersion?: string;
  opsetImport: { domain?: string; version?: number }[];
  graph?: GraphMsg;
}

let modelType: protobuf.Type | undefined;

function modelProto(): protobuf.Type {
  modelType ??= protobuf
    .loadSync(fileURLToPath(new URL('./onnx.proto', import.meta.url)))
    .lookupType('onnx.ModelProto');
  return modelType;
}

/** Decodes the bytes; a truncated or foreign file becomes an OnnxFormatError. */
function decodeMessage(bytes: Uint8Array): ModelMsg {
  const type = modelProto();
  let model: ModelMsg;
  try {
    // The one untyped boundary: toObject returns a plain object shaped by onnx.proto, declared above.
    model = type.toObject(type.decode(bytes), { longs: Number, enums: String, arrays: true }) as ModelMsg;
  } catch (err) {
    // torch.save writes a zip archive: say so, it is the likeliest mix-up.
    const zip = bytes[0] === 0x50 && bytes[1] === 0x4b ? ' It is a zip archive, as torch.save writes.' : '';
    throw new OnnxFormatError(
      `not a readable ONNX model (${bytes.length} bytes): protobuf decoding failed (${String(err)}); the file is ` +
        `truncated, corrupt, or not ONNX.${zip} A PyTorch or TensorFlow model must be exported to ONNX first ` +
        '(torch.onnx.export, tf2onnx).',
      { cause: err },
    );
  }
  const graph = model.graph;
  if (!graph || graph.node.length === 0 || graph.output.length === 0 || !model.irVersion) {
    throw new OnnxFormatError(
      `not an ONNX model (${bytes.length} bytes): it decodes, but has no ${!model.irVersion ? 'IR version' : 'graph nodes or outputs'}; ` +
        'the file is corrupt or not ONNX',
    );
  }
  return model;
}

/** Parses an ONNX file. Tensors that cannot be read are reported in `problems`, not thrown. */
export function parseOnnx(bytes: Uint8Array): { graph: OnnxGraph; problems: string[] } {
  const model = decodeMessage(bytes);
  const g = model.graph!;
  const problems: string[] = [];
  const initializers = new Map<string, HostTensor>();
  for (const t of g.initializer) {
    const host = readTensor(t, `initializer '${t.name ?? ''}'`, problems);
    if (host) initializers.set(t.name ?? '', host);
  }
  if (g.sparseInitializer.length > 0) problems.push(`${g.sparseInitializer.length} sparse initializer(s)`);
  const nodes = g.node.map((n, i) => readNode(n, i, problems));
  const opset = model.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx')?.version ?? 0;
  return {
    graph: {
      nodes,
      initializers,
      inputs: g.input.filter((v) => !initializers.has(v.name ?? '')).map(readValueInfo),
      outputs: g.output.map(readValueInfo),
      opset,
      irVersion: model.irVersion ?? 0,
      producer: [model.producerName, model.producerVersion].filter(Boolean).join(' '),
    },
    problems,
  };
}

function readValueInfo(v: ValueInfoMsg): ValueInfo {
  const tensor = v.type?.tensorType;
  const dims = tensor?.shape ? tensor.shape.dim.map((d) => (d.dimValue !== undefined ? d.dimValue : null)) : null;
  return { name: v.name ?? '', elemType: tensor?.elemType ?? 0, dims };
}

function readNode(n: NodeMsg, index: number, problems: string[]): OnnxNode {
  const node: OnnxNode = {
    name: n.name ?? '',
    index,
    opType: n.opType ?? '',
    domain: n.domain ?? '',
    inputs: n.input,
    outputs: n.output,
    attrs: {},
  };
  for (const a of n.attribute) {
    node.attrs[a.name ?? ''] = readAttribute(a, `attribute '${a.name}' of ${describeNode(node)}`, problems);
  }
  return node;
}

/** How messages name a node: its name (or position, when it has none) and its operator. */
export function describeNode(node: OnnxNode): string {
  const op = node.domain && node.domain !== 'ai.onnx' ? `${node.domain}.${node.opType}` : node.opType;
  return `node '${node.name || `#${node.index}`}' (${op})`;
}

const utf8 = new TextDecoder();

function readAttribute(a: AttributeMsg, where: string, problems: string[]): AttrValue {
  switch (a.type) {
    case 'FLOAT':
      return a.f ?? 0;
    case 'INT':
      return a.i ?? 0;
    case 'STRING':
      return utf8.decode(a.s ?? new Uint8Array());
    case 'FLOATS':
      return a.floats;
    case 'INTS':
      return a.ints;
    case 'STRINGS':
      return a.strings.map((s) => utf8.decode(s));
    case 'TENSOR': {
      const t = a.t ? readTensor(a.t, `tensor of ${where}`, problems) : undefined;
      return t ?? { unsupported: `unreadable tensor` };
    }
    default:
      return { unsupported: `attribute type ${a.type}` };
  }
}

/** A TensorProto as a host tensor: float32 for weights, int64/int32/bool as plain numbers. */
export function readTensor(t: TensorMsg, where: string, problems: string[]): HostTensor | undefined {
  const dims = t.dims;
  const size = dims.reduce((a, b) => a * b, 1);
  const type = DATA_TYPES[t.dataType ?? 0] ?? `data type ${t.dataType}`;
  if (t.dataLocation === 'EXTERNAL') {
    const file = t.externalData.find((e) => e.key === 'location')?.value ?? '?';
    problems.push(
      `${where} keeps its data in an external file (${file}); re-save the model with the weights inside it ` +
        '(onnx.save_model(onnx.load(path), out, save_as_external_data=False), possible below 2 GB)',
    );
    return undefined;
  }
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
  let data: Float32Array | number[];
  if (type === 'FLOAT') data = raw ? littleEndianFloats(raw) : Float32Array.from(t.floatData);
  else if (type === 'INT64') data = raw ? littleEndianInt64s(raw) : t.int64Data;
  else if (type === 'INT32')
    data = raw ? Array.from(new Int32Array(aligned(raw).buffer, 0, raw.length >> 2)) : t.int32Data;
  else if (type === 'BOOL') data = raw ? Array.from(raw) : t.int32Data;
  else {
    problems.push(
      `${where} is ${type}; only FLOAT (float32) weights and INT64/INT32/BOOL constants are supported: export the ` +
        'model in float32 (e.g. model.float() before torch.onnx.export)',
    );
    return undefined;
  }
  if (data.length !== size) {
    problems.push(`${where} holds ${data.length} values but its dims [${dims.join(', ')}] need ${size}`);
    return undefined;
  }
  return data instanceof Float32Array ? { dtype: 'float32', dims, data } : { dtype: 'int', dims, data };
}

/**
 * A copy at offset 0: raw_data is a view into the file's buffer at any byte offset, and typed arrays need alignment.
 * raw_data is little-endian, as is every platform Node runs on, so the copy's bytes are the values.
 */
function aligned(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

function littleEndianFloats(bytes: Uint8Array): Float32Array {
  return new Float32Array(aligned(bytes).buffer, 0, bytes.byteLength >> 2);
}

function littleEndianInt64s(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Shape arithmetic only: values beyond 2^53 (INT64_MAX as "to the end" in Slice) stay huge, which is all they mean.
  return Array.from({ length: bytes.byteLength >> 3 }, (_, i) => Number(view.getBigInt64(i * 8, true)));
}
