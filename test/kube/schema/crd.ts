/** Schemas of custom resources, from the CRD's structural OpenAPI v3 schema (apiVersion, kind and metadata implied). */
import type { JSONSchemaProps } from '../../../api/index.ts';
import { builtinSchema } from './builtin.ts';
import { ANY, lazyStruct, type SchemaNode } from './node.ts';

export function crdSchema(root: JSONSchemaProps): SchemaNode {
  return fromProps(root, true);
}

function fromProps(s: JSONSchemaProps, isRoot: boolean): SchemaNode {
  const description = s.description;
  if (s['x-kubernetes-int-or-string']) return { type: 'scalar', scalar: 'int-or-string', description };
  if (s.type === 'array') {
    const listType = s['x-kubernetes-list-type'] ?? 'atomic';
    const keys = s['x-kubernetes-list-map-keys'] ?? [];
    return {
      type: 'list',
      items: s.items ? fromProps(s.items, false) : ANY,
      listType,
      keys,
      mergeKey: listType === 'map' ? keys[0] : undefined,
      description,
    };
  }
  if (s.type === 'object' || s.properties || isRoot || s['x-kubernetes-embedded-resource'])
    return objectNode(s, isRoot);
  if (s.type === undefined) return { type: 'any', description };
  return { type: 'scalar', scalar: s.type, description };
}

function objectNode(s: JSONSchemaProps, isRoot: boolean): SchemaNode {
  const open = s['x-kubernetes-preserve-unknown-fields'] === true;
  const atomic = s['x-kubernetes-map-type'] === 'atomic';
  if (typeof s.additionalProperties === 'object') {
    return { type: 'map', values: fromProps(s.additionalProperties, false), atomic, description: s.description };
  }
  if (!s.properties && open && !isRoot && !s['x-kubernetes-embedded-resource']) {
    return { type: 'any', description: s.description };
  }
  const withMeta = isRoot || s['x-kubernetes-embedded-resource'] === true;
  return lazyStruct(
    () => {
      const fields: Record<string, SchemaNode> = {};
      for (const [k, v] of Object.entries(s.properties ?? {})) fields[k] = fromProps(v, false);
      if (withMeta) {
        fields.apiVersion = { type: 'scalar', scalar: 'string', description: s.properties?.apiVersion?.description };
        fields.kind = { type: 'scalar', scalar: 'string', description: s.properties?.kind?.description };
        fields.metadata = builtinSchema('V1ObjectMeta') ?? ANY;
      }
      return fields;
    },
    { open, atomic, description: s.description },
  );
}
