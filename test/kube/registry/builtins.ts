/** The built-in resources the emulator serves, with their discovery names, schemas, columns and strategies. */
import { getPath, type KubeObject } from '../core/index.ts';
import {
  bindingStrategy,
  crdStrategy,
  eventStrategy,
  jobStrategy,
  namespaceStrategy,
  podStrategy,
  secretStrategy,
  serviceStrategy,
} from '../kinds/index.ts';
import { ANY, builtinSchema } from '../schema/index.ts';
import { BUILTIN_COLUMNS, DEFAULT_COLUMNS } from '../table/index.ts';
import type { NameRule, ResourceType, Strategy } from './types.ts';

interface Def {
  group: string;
  version: string;
  resource: string;
  kind: string;
  model: string;
  namespaced?: boolean;
  shortNames?: string[];
  categories?: string[];
  subresources?: string[];
  nameRule?: NameRule;
  fields?: string[];
  strategy?: Strategy;
  defaultPropagation?: 'Background' | 'Orphan';
  generation?: boolean;
}

const EVENT_FIELDS = [
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
  'reason',
  'reportingComponent',
  'source',
  'type',
];
const POD_FIELDS = [
  'spec.nodeName',
  'spec.restartPolicy',
  'spec.schedulerName',
  'spec.serviceAccountName',
  'status.phase',
  'status.podIP',
  'status.nominatedNodeName',
];

function defs(now: () => string): Def[] {
  const rbac = 'rbac.authorization.k8s.io';
  return [
    {
      group: '',
      version: 'v1',
      resource: 'namespaces',
      kind: 'Namespace',
      model: 'V1Namespace',
      namespaced: false,
      shortNames: ['ns'],
      subresources: ['status', 'finalize'],
      nameRule: 'label',
      fields: ['status.phase'],
      strategy: namespaceStrategy,
    },
    {
      group: '',
      version: 'v1',
      resource: 'pods',
      kind: 'Pod',
      model: 'V1Pod',
      shortNames: ['po'],
      categories: ['all'],
      subresources: ['status', 'log'],
      fields: POD_FIELDS,
      strategy: podStrategy,
    },
    {
      group: '',
      version: 'v1',
      resource: 'events',
      kind: 'Event',
      model: 'CoreV1Event',
      shortNames: ['ev'],
      fields: EVENT_FIELDS,
      nameRule: 'subdomain',
      strategy: eventStrategy,
    },
    {
      group: '',
      version: 'v1',
      resource: 'secrets',
      kind: 'Secret',
      model: 'V1Secret',
      fields: ['type'],
      strategy: secretStrategy,
    },
    { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', model: 'V1ConfigMap', shortNames: ['cm'] },
    {
      group: '',
      version: 'v1',
      resource: 'nodes',
      kind: 'Node',
      model: 'V1Node',
      namespaced: false,
      shortNames: ['no'],
      subresources: ['status'],
    },
    // Stored and served so that a Helm chart applies whole; no controller acts on them (the operator runs as a test process).
    {
      group: 'apps',
      version: 'v1',
      resource: 'deployments',
      kind: 'Deployment',
      model: 'V1Deployment',
      shortNames: ['deploy'],
      categories: ['all'],
      subresources: ['status'],
      generation: true,
    },
    // Not stored: answered from RBAC for `kubectl auth can-i` (see http/resources.ts).
    {
      group: 'authorization.k8s.io',
      version: 'v1',
      resource: 'selfsubjectaccessreviews',
      kind: 'SelfSubjectAccessReview',
      model: 'V1SelfSubjectAccessReview',
      namespaced: false,
    },
    {
      group: 'policy',
      version: 'v1',
      resource: 'poddisruptionbudgets',
      kind: 'PodDisruptionBudget',
      model: 'V1PodDisruptionBudget',
      shortNames: ['pdb'],
      subresources: ['status'],
      generation: true,
    },
    {
      group: 'scheduling.k8s.io',
      version: 'v1',
      resource: 'priorityclasses',
      kind: 'PriorityClass',
      model: 'V1PriorityClass',
      namespaced: false,
      shortNames: ['pc'],
    },
    {
      group: '',
      version: 'v1',
      resource: 'services',
      kind: 'Service',
      model: 'V1Service',
      shortNames: ['svc'],
      categories: ['all'],
      subresources: ['status'],
      nameRule: 'label',
      strategy: serviceStrategy,
    },
    {
      group: '',
      version: 'v1',
      resource: 'serviceaccounts',
      kind: 'ServiceAccount',
      model: 'V1ServiceAccount',
      shortNames: ['sa'],
      subresources: ['token'],
    },
    {
      group: 'batch',
      version: 'v1',
      resource: 'jobs',
      kind: 'Job',
      model: 'V1Job',
      categories: ['all'],
      subresources: ['status'],
      fields: ['status.successful'],
      strategy: jobStrategy,
      generation: true,
      defaultPropagation: 'Orphan',
    },
    { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', kind: 'Lease', model: 'V1Lease' },
    { group: rbac, version: 'v1', resource: 'roles', kind: 'Role', model: 'V1Role', nameRule: 'path-segment' },
    {
      group: rbac,
      version: 'v1',
      resource: 'rolebindings',
      kind: 'RoleBinding',
      model: 'V1RoleBinding',
      nameRule: 'path-segment',
      strategy: bindingStrategy,
    },
    {
      group: rbac,
      version: 'v1',
      resource: 'clusterroles',
      kind: 'ClusterRole',
      model: 'V1ClusterRole',
      namespaced: false,
      nameRule: 'path-segment',
    },
    {
      group: rbac,
      version: 'v1',
      resource: 'clusterrolebindings',
      kind: 'ClusterRoleBinding',
      model: 'V1ClusterRoleBinding',
      namespaced: false,
      nameRule: 'path-segment',
      strategy: bindingStrategy,
    },
    {
      group: 'apiextensions.k8s.io',
      version: 'v1',
      resource: 'customresourcedefinitions',
      kind: 'CustomResourceDefinition',
      model: 'V1CustomResourceDefinition',
      namespaced: false,
      shortNames: ['crd', 'crds'],
      categories: ['api-extensions'],
      subresources: ['status'],
      strategy: crdStrategy(now),
      generation: true,
    },
  ];
}

export function fieldValuesAt(paths: readonly string[]) {
  return (obj: KubeObject): Record<string, string | undefined> => {
    const out: Record<string, string | undefined> = {
      'metadata.name': obj.metadata.name,
      'metadata.namespace': obj.metadata.namespace,
    };
    for (const p of paths) {
      const v = p === 'source' ? getPath(obj, ['source', 'component']) : getPath(obj, p.split('.'));
      out[p] = v === undefined || v === null ? undefined : String(v);
    }
    if (paths.includes('status.successful'))
      out['status.successful'] = String(getPath(obj, ['status', 'succeeded']) ?? 0);
    return out;
  };
}

export function builtinTypes(now: () => string): ResourceType[] {
  return defs(now).map((d) => {
    const storage = `${d.group}/${d.resource}`;
    const fields = d.fields ?? [];
    return {
      group: d.group,
      version: d.version,
      resource: d.resource,
      kind: d.kind,
      listKind: `${d.kind}List`,
      singular: d.kind.toLowerCase(),
      namespaced: d.namespaced ?? true,
      shortNames: d.shortNames ?? [],
      categories: d.categories ?? [],
      subresources: d.subresources ?? [],
      storage,
      schema: builtinSchema(d.model) ?? ANY,
      custom: false,
      generation: d.generation ?? false,
      nameRule: d.nameRule ?? 'subdomain',
      columns: BUILTIN_COLUMNS[d.group ? storage : d.resource] ?? DEFAULT_COLUMNS,
      selectableFields: fields,
      fieldValues: fieldValuesAt(fields),
      defaultPropagation: d.defaultPropagation ?? 'Background',
      strategy: d.strategy ?? {},
    };
  });
}
