/**
 * One small type system for every kind the emulator serves, built either from the client library's model classes
 * (built-in kinds) or from a CRD's structural schema. Admission (unknown fields, types), patches (list merge keys)
 * and server-side apply (field sets) all read it, so built-in and custom kinds behave the same way.
 */

export type ScalarType = 'string' | 'integer' | 'number' | 'boolean' | 'int-or-string' | 'quantity' | 'date';

export interface StructNode {
  type: 'struct';
  /** The schema of a declared field, or undefined for a field the schema does not know. */
  field(name: string): SchemaNode | undefined;
  names(): string[];
  /** x-kubernetes-preserve-unknown-fields: undeclared fields are kept, not pruned. */
  open: boolean;
  atomic: boolean;
  description?: string;
  /** A named type (a built-in model class), published as a shared OpenAPI component. */
  name?: string;
}

export interface MapNode {
  type: 'map';
  values: SchemaNode;
  atomic: boolean;
  description?: string;
}

export type ListType = 'atomic' | 'set' | 'map';

export interface ListNode {
  type: 'list';
  items: SchemaNode;
  listType: ListType;
  /** Keys of a list map (x-kubernetes-list-map-keys / patchMergeKey). */
  keys: string[];
  /** Strategic merge patch: the merge key, when the list merges rather than being replaced. */
  mergeKey?: string;
  description?: string;
}

export interface ScalarNode {
  type: 'scalar';
  scalar: ScalarType;
  description?: string;
}

/** Anything goes and nothing is pruned (RawExtension, x-kubernetes-preserve-unknown-fields without properties). */
export interface AnyNode {
  type: 'any';
  description?: string;
}

export type SchemaNode = StructNode | MapNode | ListNode | ScalarNode | AnyNode;

export const ANY: AnyNode = { type: 'any' };

/** A struct whose fields are resolved lazily, so that recursive types (JSONSchemaProps) terminate. */
export function lazyStruct(
  build: () => Record<string, SchemaNode>,
  options: { open?: boolean; atomic?: boolean; description?: string; name?: string } = {},
): StructNode {
  let fields: Record<string, SchemaNode> | undefined;
  const get = () => {
    fields ??= build();
    return fields;
  };
  return {
    type: 'struct',
    field: (name) => (Object.hasOwn(get(), name) ? get()[name] : undefined),
    names: () => Object.keys(get()),
    open: options.open ?? false,
    atomic: options.atomic ?? false,
    description: options.description,
    name: options.name,
  };
}

/** The child schema under a key (struct field or map value); list items for a number. */
export function childOf(node: SchemaNode | undefined, key: string | number): SchemaNode | undefined {
  if (!node) return undefined;
  if (node.type === 'any') return ANY;
  if (node.type === 'list') return typeof key === 'number' ? node.items : undefined;
  if (node.type === 'map') return node.values;
  if (node.type === 'struct') return node.field(String(key)) ?? (node.open ? ANY : undefined);
  return undefined;
}
