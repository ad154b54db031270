/**
 * RBAC authorisation (rbac.authorization.k8s.io/v1) over the stored Roles, ClusterRoles and their bindings: a
 * request is allowed when some binding that names the user, one of its groups or its ServiceAccount grants a rule
 * matching the verb, API group, resource (with subresource) and resource name.
 */
import type { Json, KubeObject } from '../core/index.ts';
import type { Store } from '../store/index.ts';
import type { UserInfo } from './authn.ts';

export interface Attributes {
  verb: string;
  apiGroup: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

const RBAC = 'rbac.authorization.k8s.io';

export function authorize(store: Store, user: UserInfo, a: Attributes): boolean {
  if (user.groups.includes('system:masters')) return true;
  const bindings = [
    ...store.list(`${RBAC}/clusterrolebindings`),
    ...(a.namespace ? store.list(`${RBAC}/rolebindings`, a.namespace) : []),
  ];
  return bindings.some((b) => bindsUser(b, user) && rulesOf(store, b).some((r) => ruleAllows(r, a)));
}

function bindsUser(binding: KubeObject, user: UserInfo): boolean {
  const subjects = (binding.subjects as Subject[] | undefined) ?? [];
  return subjects.some((s) => {
    if (s.kind === 'User') return s.name === user.name;
    if (s.kind === 'Group') return user.groups.includes(s.name);
    if (s.kind === 'ServiceAccount')
      return user.name === `system:serviceaccount:${s.namespace ?? binding.metadata.namespace}:${s.name}`;
    return false;
  });
}

function rulesOf(store: Store, binding: KubeObject): PolicyRule[] {
  const ref = (binding.roleRef ?? {}) as Json;
  const role =
    ref.kind === 'ClusterRole'
      ? store.get(`${RBAC}/clusterroles`, '', String(ref.name))
      : store.get(`${RBAC}/roles`, binding.metadata.namespace ?? '', String(ref.name));
  return (role?.rules as PolicyRule[] | undefined) ?? [];
}

function ruleAllows(r: PolicyRule, a: Attributes): boolean {
  const has = (list: string[] | undefined, v: string) => (list ?? []).includes('*') || (list ?? []).includes(v);
  if (!has(r.verbs, a.verb) || !has(r.apiGroups, a.apiGroup)) return false;
  const full = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resources = r.resources ?? [];
  const resourceOk =
    resources.includes('*') ||
    resources.includes(full) ||
    (a.subresource !== undefined && resources.includes(`*/${a.subresource}`));
  if (!resourceOk) return false;
  return !r.resourceNames || r.resourceNames.length === 0 || (a.name !== undefined && r.resourceNames.includes(a.name));
}

/** The API server's words for a refusal. */
export function forbiddenMessage(user: UserInfo, a: Attributes): string {
  const full = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const where = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return `User "${user.name}" cannot ${a.verb} resource "${full}" in API group "${a.apiGroup}" ${where}`;
}
