/**
 * Checks on rendered chart objects: validation against the Kubernetes OpenAPI schemas (kubernetes-models, plus the
 * strict unknown-field check `kubectl apply --validate=strict` would make, from the client library's models), the
 * Pod Security Standards "restricted" profile, label selectors, and lookups by kind.
 */

import {
  PodMonitor,
  PrometheusRule,
  ServiceMonitor,
} from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Service, ServiceAccount } from 'kubernetes-models/v1';
import type { KubeManifest } from '../../scripts/chart-render.ts';
import { builtinSchema, unknownFields } from '../kube/schema/index.ts';

type Model = new (data: never) => { validate(): void };

/** Every kind the chart may render, with its schema model. A kind missing here fails validation. */
const MODELS: Record<string, Model> = {
  'v1/ServiceAccount': ServiceAccount,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'apiextensions.k8s.io/v1/CustomResourceDefinition': CustomResourceDefinition,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1/PodMonitor': PodMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
};

/** Schema errors of one object: types, required fields, formats, and fields the schema does not declare. */
export function schemaErrors(obj: KubeManifest): string[] {
  const model = MODELS[`${obj.apiVersion}/${obj.kind}`];
  if (!model) return [`${obj.apiVersion} ${obj.kind} is not a kind this chart is expected to render`];
  const errors: string[] = [];
  try {
    new model(structuredClone(obj) as never).validate();
  } catch (err) {
    errors.push(String(err instanceof Error ? err.message : err));
  }
  // kubernetes-models ignores unknown fields; the API server refuses them under strict field validation.
  const schema = obj.apiVersion.includes('.coreos.com') ? undefined : builtinSchema(`V1${obj.kind}`);
  if (schema) errors.push(...unknownFields(schema, obj).map((path) => `unknown field "${path}"`));
  return errors.map((e) => `${obj.kind}/${obj.metadata.name}: ${e}`);
}

export function byKind(objs: readonly KubeManifest[], kind: string): KubeManifest[] {
  return objs.filter((o) => o.kind === kind);
}

export function one(objs: readonly KubeManifest[], kind: string, name?: string): KubeManifest {
  const found = byKind(objs, kind).filter((o) => name === undefined || o.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0]!;
}

/** Whether a matchLabels selector selects these labels. */
export function selects(matchLabels: Record<string, string>, labels: Record<string, string> = {}): boolean {
  return Object.entries(matchLabels).every(([k, v]) => labels[k] === v);
}

interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type?: string };
}
interface Container {
  name: string;
  securityContext?: SecurityContext;
  ports?: { hostPort?: number }[];
}
interface PodSpec {
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: SecurityContext;
  containers: Container[];
  initContainers?: Container[];
  volumes?: Record<string, unknown>[];
}

const RESTRICTED_VOLUMES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

/** Violations of the Pod Security Standards "restricted" profile (the checks of the upstream admission plugin). */
export function restrictedViolations(spec: PodSpec): string[] {
  const out: string[] = [];
  const pod = spec.securityContext ?? {};
  if (spec.hostNetwork || spec.hostPID || spec.hostIPC) out.push('host namespaces');
  for (const v of spec.volumes ?? []) {
    const type = Object.keys(v).find((k) => k !== 'name');
    if (!type || !RESTRICTED_VOLUMES.has(type)) out.push(`volume type ${type}`);
  }
  for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
    const sc = c.securityContext ?? {};
    const at = `container ${c.name}`;
    if (sc.privileged) out.push(`${at}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) out.push(`${at}: allowPrivilegeEscalation != false`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) out.push(`${at}: capabilities.drop lacks ALL`);
    if ((sc.capabilities?.add ?? []).some((cap) => cap !== 'NET_BIND_SERVICE')) out.push(`${at}: adds capabilities`);
    if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) out.push(`${at}: runAsNonRoot != true`);
    if ((sc.runAsUser ?? pod.runAsUser) === 0) out.push(`${at}: runAsUser 0`);
    const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') out.push(`${at}: seccompProfile ${seccomp}`);
    if ((c.ports ?? []).some((p) => p.hostPort)) out.push(`${at}: hostPort`);
  }
  return out;
}
