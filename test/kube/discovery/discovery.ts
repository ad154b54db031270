/**
 * Discovery documents (the legacy format kubectl falls back to when aggregated discovery is not offered): /api,
 * /apis, /apis/<group> and the APIResourceList of each group version, with short names, categories, verbs and
 * subresources.
 */
import type { Json } from '../core/index.ts';
import type { Registry, ResourceType } from '../registry/index.ts';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const SUBRESOURCE_VERBS: Record<string, string[]> = {
  status: ['get', 'patch', 'update'],
  finalize: ['update'],
  log: ['get'],
  token: ['create'],
};

export function apiVersions(serverAddress: string): Json {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupDoc(group: string, versions: string[]): Json {
  const gv = (v: string) => ({ groupVersion: `${group}/${v}`, version: v });
  return { name: group, versions: versions.map(gv), preferredVersion: gv(versions[0]!) };
}

export function apiGroupList(registry: Registry): Json {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: registry
      .groups()
      .filter((g) => g.group !== '')
      .map((g) => groupDoc(g.group, g.versions)),
  };
}

export function apiGroup(registry: Registry, group: string): Json | undefined {
  const g = registry.groups().find((x) => x.group === group);
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(g.group, g.versions) } : undefined;
}

function resourceEntries(t: ResourceType): Json[] {
  const main: Json = {
    name: t.resource,
    singularName: t.singular,
    namespaced: t.namespaced,
    kind: t.kind,
    verbs: VERBS,
  };
  if (t.shortNames.length > 0) main.shortNames = t.shortNames;
  if (t.categories.length > 0) main.categories = t.categories;
  const subs = t.subresources.map((s) => ({
    name: `${t.resource}/${s}`,
    singularName: '',
    namespaced: t.namespaced,
    kind: s === 'token' ? 'TokenRequest' : t.kind,
    verbs: SUBRESOURCE_VERBS[s] ?? ['get'],
    ...(s === 'token' ? { group: 'authentication.k8s.io', version: 'v1' } : {}),
  }));
  return [main, ...subs];
}

export function apiResourceList(registry: Registry, group: string, version: string): Json | undefined {
  const types = registry.inGroupVersion(group, version);
  if (types.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: types.flatMap(resourceEntries),
  };
}

export function versionInfo(): Json {
  return {
    major: '1',
    minor: '32',
    gitVersion: 'v1.32.0-kube-sim',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.23',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}
