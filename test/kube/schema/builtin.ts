/**
 * Schemas of the built-in kinds, read from @kubernetes/client-node's generated model classes (their
 * attributeTypeMap mirrors the upstream OpenAPI), plus the list strategies (patchMergeKey, listType, listMapKeys)
 * that the model classes do not carry, for the list fields kubectl and an operator patch.
 */
import * as k8s from '@kubernetes/client-node';
import { ANY, type ListNode, lazyStruct, type SchemaNode } from './node.ts';

interface Attribute {
  baseName: string;
  type: string;
  format: string;
}
type ModelClass = { attributeTypeMap?: Attribute[] };

const MODELS = k8s as unknown as Record<string, ModelClass | undefined>;

interface ListStrategy {
  listType: ListNode['listType'];
  keys?: string[];
  mergeKey?: string;
}

const byName: ListStrategy = { listType: 'map', keys: ['name'], mergeKey: 'name' };
const byType: ListStrategy = { listType: 'map', keys: ['type'], mergeKey: 'type' };

/** `Class.field` → how the list merges. Lists not named here are atomic, as upstream. */
const LIST_STRATEGIES: Record<string, ListStrategy> = {
  'V1ObjectMeta.finalizers': { listType: 'set', mergeKey: '' },
  'V1ObjectMeta.ownerReferences': { listType: 'map', keys: ['uid'], mergeKey: 'uid' },
  'V1PodSpec.containers': byName,
  'V1PodSpec.initContainers': byName,
  'V1PodSpec.ephemeralContainers': byName,
  'V1PodSpec.volumes': byName,
  'V1PodSpec.imagePullSecrets': byName,
  'V1PodSpec.resourceClaims': byName,
  'V1PodSpec.schedulingGates': byName,
  'V1PodSpec.hostAliases': { listType: 'map', keys: ['ip'], mergeKey: 'ip' },
  'V1PodSpec.topologySpreadConstraints': {
    listType: 'map',
    keys: ['topologyKey', 'whenUnsatisfiable'],
    mergeKey: 'topologyKey',
  },
  'V1Container.env': byName,
  'V1Container.ports': { listType: 'map', keys: ['containerPort', 'protocol'], mergeKey: 'containerPort' },
  'V1Container.volumeMounts': { listType: 'map', keys: ['mountPath'], mergeKey: 'mountPath' },
  'V1Container.volumeDevices': { listType: 'map', keys: ['devicePath'], mergeKey: 'devicePath' },
  'V1EphemeralContainer.env': byName,
  'V1EphemeralContainer.volumeMounts': { listType: 'map', keys: ['mountPath'], mergeKey: 'mountPath' },
  'V1PodStatus.conditions': byType,
  'V1JobStatus.conditions': byType,
  'V1NamespaceStatus.conditions': byType,
  'V1CustomResourceDefinitionStatus.conditions': byType,
  'V1ServiceSpec.ports': { listType: 'map', keys: ['port', 'protocol'], mergeKey: 'port' },
  'V1ServiceAccount.secrets': byName,
};

/** Resource quantities are written as numbers or strings (cpu: 4, memory: 32Gi). */
const QUANTITY_MAPS = new Set(['limits', 'requests', 'capacity', 'allocatable', 'hard', 'used', 'overhead']);

const cache = new Map<string, SchemaNode>();

/** The schema of a client-library model class, e.g. 'V1Job'; undefined when the library has no such class. */
export function builtinSchema(className: string): SchemaNode | undefined {
  const cached = cache.get(className);
  if (cached) return cached;
  const cls = MODELS[className];
  if (!cls?.attributeTypeMap) return undefined;
  const attrs = cls.attributeTypeMap;
  const node = lazyStruct(
    () =>
      Object.fromEntries(attrs.map((a) => [a.baseName, nodeForType(a.type, a.format, `${className}.${a.baseName}`)])),
    { name: className },
  );
  cache.set(className, node);
  return node;
}

function nodeForType(type: string, format: string, at: string): SchemaNode {
  const list = /^Array<(.+)>$/.exec(type);
  if (list) {
    const strategy = LIST_STRATEGIES[at] ?? { listType: 'atomic' };
    return {
      type: 'list',
      items: nodeForType(list[1]!, '', `${at}[]`),
      listType: strategy.listType,
      keys: strategy.keys ?? [],
      mergeKey: strategy.mergeKey,
    };
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    const quantity = QUANTITY_MAPS.has(at.split('.').at(-1) ?? '') && map[1] === 'string';
    return {
      type: 'map',
      values: quantity ? { type: 'scalar', scalar: 'quantity' } : nodeForType(map[1]!, '', `${at}{}`),
      atomic: false,
    };
  }
  switch (type) {
    case 'string':
      return { type: 'scalar', scalar: 'string' };
    case 'number':
      return { type: 'scalar', scalar: format === 'double' || format === 'float' ? 'number' : 'integer' };
    case 'boolean':
      return { type: 'scalar', scalar: 'boolean' };
    case 'Date':
      return { type: 'scalar', scalar: 'date' };
    case 'IntOrString':
      return { type: 'scalar', scalar: 'int-or-string' };
    case 'any':
      return ANY;
    default:
      return builtinSchema(type) ?? ANY;
  }
}
