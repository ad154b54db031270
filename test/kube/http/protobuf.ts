/**
 * Decoding of the Kubernetes protobuf encoding for the few kinds kubectl's typed commands send that way
 * (`kubectl create namespace|secret|configmap|serviceaccount|role|rolebinding|clusterrole|clusterrolebinding|token`):
 * the `k8s\0` envelope (runtime.Unknown), the wire format, and field tables after the upstream generated.proto
 * files. Anything else is answered with 415.
 */
import type { Json } from '../core/index.ts';

type Field =
  | { name: string; type: 'string' | 'bytes' | 'int' | 'bool' | 'time'; repeated?: boolean }
  | { name: string; type: 'message'; message: string; repeated?: boolean }
  | { name: string; type: 'map'; value: 'string' | 'bytes' };

type MessageDef = Record<number, Field>;

const s = (name: string, repeated = false): Field => ({ name, type: 'string', repeated });
const m = (name: string, message: string, repeated = false): Field => ({ name, type: 'message', message, repeated });

const MESSAGES: Record<string, MessageDef> = {
  Unknown: {
    1: m('typeMeta', 'TypeMeta'),
    2: { name: 'raw', type: 'bytes' },
    3: s('contentEncoding'),
    4: s('contentType'),
  },
  TypeMeta: { 1: s('apiVersion'), 2: s('kind') },
  ObjectMeta: {
    1: s('name'),
    2: s('generateName'),
    3: s('namespace'),
    5: s('uid'),
    6: s('resourceVersion'),
    7: { name: 'generation', type: 'int' },
    8: { name: 'creationTimestamp', type: 'time' },
    11: { name: 'labels', type: 'map', value: 'string' },
    12: { name: 'annotations', type: 'map', value: 'string' },
    13: m('ownerReferences', 'OwnerReference', true),
    14: s('finalizers', true),
  },
  OwnerReference: {
    1: s('kind'),
    3: s('name'),
    4: s('uid'),
    5: s('apiVersion'),
    6: { name: 'controller', type: 'bool' },
    7: { name: 'blockOwnerDeletion', type: 'bool' },
  },
  Namespace: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'NamespaceSpec') },
  NamespaceSpec: { 1: s('finalizers', true) },
  Secret: {
    1: m('metadata', 'ObjectMeta'),
    2: { name: 'data', type: 'map', value: 'bytes' },
    3: s('type'),
    4: { name: 'stringData', type: 'map', value: 'string' },
    5: { name: 'immutable', type: 'bool' },
  },
  ConfigMap: {
    1: m('metadata', 'ObjectMeta'),
    2: { name: 'data', type: 'map', value: 'string' },
    3: { name: 'binaryData', type: 'map', value: 'bytes' },
    4: { name: 'immutable', type: 'bool' },
  },
  ServiceAccount: {
    1: m('metadata', 'ObjectMeta'),
    3: m('imagePullSecrets', 'LocalObjectReference', true),
    4: { name: 'automountServiceAccountToken', type: 'bool' },
  },
  LocalObjectReference: { 1: s('name') },
  PolicyRule: {
    1: s('verbs', true),
    2: s('apiGroups', true),
    3: s('resources', true),
    4: s('resourceNames', true),
    5: s('nonResourceURLs', true),
  },
  Role: { 1: m('metadata', 'ObjectMeta'), 2: m('rules', 'PolicyRule', true) },
  ClusterRole: { 1: m('metadata', 'ObjectMeta'), 2: m('rules', 'PolicyRule', true) },
  Subject: { 1: s('kind'), 2: s('apiGroup'), 3: s('name'), 4: s('namespace') },
  RoleRef: { 1: s('apiGroup'), 2: s('kind'), 3: s('name') },
  RoleBinding: { 1: m('metadata', 'ObjectMeta'), 2: m('subjects', 'Subject', true), 3: m('roleRef', 'RoleRef') },
  ClusterRoleBinding: { 1: m('metadata', 'ObjectMeta'), 2: m('subjects', 'Subject', true), 3: m('roleRef', 'RoleRef') },
  TokenRequest: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'TokenRequestSpec') },
  TokenRequestSpec: { 1: s('audiences', true), 4: { name: 'expirationSeconds', type: 'int' } },
  SelfSubjectAccessReview: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'SelfSubjectAccessReviewSpec') },
  SelfSubjectAccessReviewSpec: {
    1: m('resourceAttributes', 'ResourceAttributes'),
    2: m('nonResourceAttributes', 'NonResourceAttributes'),
  },
  ResourceAttributes: {
    1: s('namespace'),
    2: s('verb'),
    3: s('group'),
    4: s('version'),
    5: s('resource'),
    6: s('subresource'),
    7: s('name'),
  },
  NonResourceAttributes: { 1: s('path'), 2: s('verb') },
  Timestamp: { 1: { name: 'seconds', type: 'int' }, 2: { name: 'nanos', type: 'int' } },
  MapEntry: { 1: { name: 'key', type: 'bytes' }, 2: { name: 'value', type: 'bytes' } },
};

export class ProtobufError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufError';
  }
}

interface WireField {
  number: number;
  wireType: number;
  value: bigint | Buffer;
}

function readVarint(buf: Buffer, at: { pos: number }): bigint {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (at.pos >= buf.length) throw new ProtobufError('truncated varint');
    const b = buf[at.pos++]!;
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return result;
    shift += 7n;
  }
}

function readFields(buf: Buffer): WireField[] {
  const at = { pos: 0 };
  const out: WireField[] = [];
  while (at.pos < buf.length) {
    const key = Number(readVarint(buf, at));
    const wireType = key & 7;
    const number = key >> 3;
    if (wireType === 0) out.push({ number, wireType, value: readVarint(buf, at) });
    else if (wireType === 2) {
      const len = Number(readVarint(buf, at));
      out.push({ number, wireType, value: buf.subarray(at.pos, at.pos + len) });
      at.pos += len;
    } else if (wireType === 1) at.pos += 8;
    else if (wireType === 5) at.pos += 4;
    else throw new ProtobufError(`unsupported wire type ${wireType}`);
  }
  return out;
}

function decodeMessage(buf: Buffer, name: string): Json {
  const def = MESSAGES[name];
  if (!def) throw new ProtobufError(`no protobuf definition for ${name}`);
  const out: Json = {};
  for (const f of readFields(buf)) {
    const field = def[f.number];
    if (!field) continue;
    const value = decodeValue(field, f);
    // proto2 sends zero values that Go's JSON encoding would omit.
    if ((value === '' || value === 0) && !('repeated' in field && field.repeated)) continue;
    if (field.type === 'map') {
      const map = (out[field.name] ?? {}) as Json;
      Object.assign(map, value as Json);
      out[field.name] = map;
    } else if (field.repeated) out[field.name] = [...((out[field.name] as unknown[] | undefined) ?? []), value];
    else out[field.name] = value;
  }
  return out;
}

function decodeValue(field: Field, f: WireField): unknown {
  const bytes = () => f.value as Buffer;
  switch (field.type) {
    case 'string':
      return bytes().toString('utf8');
    case 'bytes':
      return bytes().toString('base64');
    case 'int':
      return Number(f.value as bigint);
    case 'bool':
      return (f.value as bigint) !== 0n;
    case 'time': {
      const t = decodeMessage(bytes(), 'Timestamp');
      return new Date(Number(t.seconds ?? 0) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    }
    case 'message':
      return decodeMessage(bytes(), field.message);
    case 'map': {
      const e = decodeMessage(bytes(), 'MapEntry');
      const key = Buffer.from(String(e.key ?? ''), 'base64').toString('utf8');
      const raw = Buffer.from(String(e.value ?? ''), 'base64');
      return { [key]: field.value === 'bytes' ? raw.toString('base64') : raw.toString('utf8') };
    }
  }
}

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** A protobuf-encoded request body as JSON; throws ProtobufError for kinds it does not know. */
export function decodeKubernetesProtobuf(body: Buffer): Json {
  if (!body.subarray(0, 4).equals(MAGIC)) throw new ProtobufError('missing the k8s protobuf envelope');
  const unknown = decodeMessage(body.subarray(4), 'Unknown');
  const typeMeta = (unknown.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const kind = typeMeta.kind ?? '';
  if (!MESSAGES[kind] || kind === 'Unknown' || kind === 'TypeMeta')
    throw new ProtobufError(`kind ${kind} is not decoded by kube-sim`);
  const obj = decodeMessage(Buffer.from(String(unknown.raw ?? ''), 'base64'), kind);
  return { apiVersion: typeMeta.apiVersion, kind, ...obj };
}
