/**
 * OpenAPI v3, as kubectl reads it: the root lists one document per group version; each document has the paths
 * (whose PATCH operations advertise the `fieldValidation` parameter, so kubectl validates on the server) and the
 * schemas, tagged with x-kubernetes-group-version-kind, so that `kubectl explain` finds a kind. Custom kinds
 * publish their CRD schema as written, descriptions included; built-in kinds publish the types of their fields.
 */
import { createHash } from 'node:crypto';
import { clone, type Json } from '../core/index.ts';
import type { Registry, ResourceType } from '../registry/index.ts';
import { builtinSchema, type SchemaNode } from '../schema/index.ts';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const PATCH = 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch';
const STATUS = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

export function openApiRoot(registry: Registry): Json {
  const paths: Json = {};
  for (const { group, versions } of registry.groups()) {
    for (const version of versions) {
      const doc = openApiDocument(registry, group, version);
      if (!doc) continue;
      paths[gvPath(group, version)] = {
        serverRelativeURL: `/openapi/v3/${gvPath(group, version)}?hash=${hashOf(doc)}`,
      };
    }
  }
  return { paths };
}

export function hashOf(doc: Json): string {
  return createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 128).toUpperCase();
}

export function openApiDocument(registry: Registry, group: string, version: string): Json | undefined {
  const types = registry.inGroupVersion(group, version);
  if (types.length === 0) return undefined;
  const schemas: Json = {
    [PATCH]: {
      type: 'object',
      description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.',
    },
    [STATUS]: { type: 'object', description: 'Status is a return value for calls that do not return other objects.' },
  };
  const paths: Json = {};
  for (const t of types) {
    schemas[schemaName(t)] = kindSchema(t, schemas);
    Object.assign(paths, pathsFor(t));
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, components: { schemas } };
}

export function schemaName(t: ResourceType): string {
  if (t.custom) return `${t.group.split('.').reverse().join('.')}.${t.version}.${t.kind}`;
  return `io.k8s.api.${t.group ? t.group.split('.')[0] : 'core'}.${t.version}.${t.kind}`;
}

function kindSchema(t: ResourceType, defs: Json): Json {
  const gvk = [{ group: t.group, version: t.version, kind: t.kind }];
  if (t.openApiSchema) {
    const s = clone(t.openApiSchema) as Json;
    ensureMeta(defs);
    s.properties = {
      ...(s.properties as Json),
      metadata: { description: "Standard object's metadata.", allOf: [{ $ref: `#/components/schemas/${META}` }] },
    };
    return { ...s, 'x-kubernetes-group-version-kind': gvk };
  }
  const s = fromNode(t.schema, defs, true);
  return { ...s, 'x-kubernetes-group-version-kind': gvk };
}

function ensureMeta(defs: Json): void {
  const meta = builtinSchema('V1ObjectMeta');
  if (meta && !defs[META]) fromNode(meta, defs, false);
}

function refName(name: string): string {
  return name === 'V1ObjectMeta' ? META : `io.k8s.kube-sim.${name}`;
}

/** A SchemaNode as OpenAPI; named structs become shared components (so recursive types terminate). */
function fromNode(node: SchemaNode, defs: Json, inlineTop: boolean): Json {
  switch (node.type) {
    case 'struct': {
      if (node.name && !inlineTop) {
        const ref = refName(node.name);
        if (!defs[ref]) {
          defs[ref] = {};
          defs[ref] = structSchema(node, defs);
        }
        return { $ref: `#/components/schemas/${ref}` };
      }
      return structSchema(node, defs);
    }
    case 'map':
      return { type: 'object', additionalProperties: fromNode(node.values, defs, false) };
    case 'list': {
      const s: Json = {
        type: 'array',
        items: fromNode(node.items, defs, false),
        'x-kubernetes-list-type': node.listType,
      };
      if (node.keys.length > 0) s['x-kubernetes-list-map-keys'] = node.keys;
      return s;
    }
    case 'scalar':
      if (node.scalar === 'int-or-string' || node.scalar === 'quantity') return { 'x-kubernetes-int-or-string': true };
      if (node.scalar === 'date') return { type: 'string', format: 'date-time' };
      return { type: node.scalar };
    default:
      return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  }
}

function structSchema(node: Extract<SchemaNode, { type: 'struct' }>, defs: Json): Json {
  const properties: Json = {};
  for (const name of node.names()) properties[name] = fromNode(node.field(name)!, defs, false);
  return { type: 'object', properties };
}

const param = (name: string, description: string, type = 'string') => ({
  name,
  in: 'query',
  description,
  schema: { type },
});
const WRITE_PARAMS = [
  param('dryRun', 'When present, indicates that modifications should not be persisted.'),
  param('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
  param(
    'fieldValidation',
    'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict.',
  ),
];
const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];

function operation(t: ResourceType, action: string, extra: Json = {}): Json {
  const kindRef = `#/components/schemas/${schemaName(t)}`;
  return {
    operationId: `${action}${t.kind}`,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: t.group, version: t.version, kind: t.kind },
    responses: { '200': { description: 'OK', content: { 'application/json': { schema: { $ref: kindRef } } } } },
    ...extra,
  };
}

function pathsFor(t: ResourceType): Json {
  const base = `/${gvPath(t.group, t.version)}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.resource}`;
  const patchBody = {
    requestBody: {
      content: Object.fromEntries(PATCH_TYPES.map((c) => [c, { schema: { $ref: `#/components/schemas/${PATCH}` } }])),
    },
    parameters: [...WRITE_PARAMS, param('force', 'Force is going to "force" Apply requests.', 'boolean')],
  };
  const item = {
    get: operation(t, 'get'),
    put: operation(t, 'put', { parameters: WRITE_PARAMS }),
    patch: operation(t, 'patch', patchBody),
    delete: operation(t, 'delete', { parameters: [param('dryRun', 'dry run')] }),
  };
  const paths: Json = {
    [base]: { get: operation(t, 'list'), post: operation(t, 'post', { parameters: WRITE_PARAMS }) },
    [`${base}/{name}`]: item,
  };
  if (t.subresources.includes('status')) {
    paths[`${base}/{name}/status`] = {
      get: operation(t, 'get'),
      put: operation(t, 'put', { parameters: WRITE_PARAMS }),
      patch: operation(t, 'patch', patchBody),
    };
  }
  return paths;
}
