/**
 * The operator's least-privilege RBAC, written out once: what operator/kube/client.ts and the informers call, and
 * nothing else. The chart's rendered rules must equal these (render.test.ts), and the operator must run a job to
 * completion with exactly these on the API emulator with RBAC enforced (install.test.ts).
 */
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

const KINDS = ['id3trainingjobs', 'syntheticdatasetjobs'];

/** Cluster-wide by default (a ClusterRole), or a Role in the watched namespace. */
export const CLUSTER_RULES: PolicyRule[] = [
  // informers (list, watch; reads come from their cache), the cleanup finalizer (patch), ttlSecondsAfterFinished (delete)
  { apiGroups: ['id3.sfr.dev'], resources: KINDS, verbs: ['list', 'watch', 'patch', 'delete'] },
  { apiGroups: ['id3.sfr.dev'], resources: KINDS.map((k) => `${k}/status`), verbs: ['patch'] },
  // blockOwnerDeletion on the stage Jobs' ownerReferences (OwnerReferencesPermissionEnforcement)
  { apiGroups: ['id3.sfr.dev'], resources: KINDS.map((k) => `${k}/finalizers`), verbs: ['update'] },
  // server-side apply creates a stage Job the first time; the garbage collector, not the operator, deletes them
  { apiGroups: ['batch'], resources: ['jobs'], verbs: ['list', 'watch', 'create', 'patch'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
  // a repeated Event counts on the first one (patch), as client-go's recorder does
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  { apiGroups: [''], resources: ['secrets'], verbs: ['get'] },
];

/** In the release namespace only: create the Lease, then read and renew that one Lease by name. */
export function LEASE_RULES(leaseName: string): PolicyRule[] {
  return [
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [leaseName], verbs: ['get', 'update'] },
  ];
}

/** Rules as a comparable value: every list sorted, rules sorted, so order and layout do not matter. */
export function normalizeRules(rules: unknown): string[] {
  return (rules as PolicyRule[])
    .map((r) =>
      JSON.stringify({
        apiGroups: [...r.apiGroups].sort(),
        resources: [...r.resources].sort(),
        verbs: [...r.verbs].sort(),
        resourceNames: [...(r.resourceNames ?? [])].sort(),
      }),
    )
    .sort();
}
