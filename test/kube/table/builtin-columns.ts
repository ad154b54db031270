/** Table columns of the built-in kinds, after kubectl's printers (pkg/printers/internalversion), abridged. */
import { getPath, type Json, type KubeObject } from '../core/index.ts';
import { age, humanDuration } from './duration.ts';
import { AGE_COLUMN, NAME_COLUMN, type TableColumn } from './table.ts';

const col = (
  name: string,
  cell: TableColumn['cell'],
  extra: Partial<Omit<TableColumn, 'name' | 'cell'>> = {},
): TableColumn => ({ name, type: 'string', cell, ...extra });

const str = (path: string[]) => (o: KubeObject) => (getPath(o, path) as string | undefined) ?? '';
const count = (path: string[]) => (o: KubeObject) => Object.keys((getPath(o, path) as Json | undefined) ?? {}).length;

function conditions(o: KubeObject): { type: string; status: string }[] {
  return (getPath(o, ['status', 'conditions']) as { type: string; status: string }[] | undefined) ?? [];
}
const hasCondition = (o: KubeObject, type: string) => conditions(o).some((c) => c.type === type && c.status === 'True');

export function podStatusText(o: KubeObject): string {
  const status = (o.status ?? {}) as Json;
  let reason = (status.reason as string | undefined) ?? (status.phase as string | undefined) ?? 'Pending';
  for (const cs of (status.containerStatuses as Json[] | undefined) ?? []) {
    const state = (cs.state ?? {}) as Json;
    const waiting = state.waiting as Json | undefined;
    const terminated = state.terminated as Json | undefined;
    if (waiting?.reason) reason = waiting.reason as string;
    else if (terminated) reason = (terminated.reason as string | undefined) ?? `ExitCode:${terminated.exitCode}`;
  }
  if (o.metadata.deletionTimestamp) return 'Terminating';
  return reason;
}

function podReady(o: KubeObject): string {
  const statuses = (getPath(o, ['status', 'containerStatuses']) as Json[] | undefined) ?? [];
  const total = ((getPath(o, ['spec', 'containers']) as unknown[] | undefined) ?? []).length;
  return `${statuses.filter((s) => s.ready === true).length}/${total}`;
}

function podRestarts(o: KubeObject): number {
  const statuses = (getPath(o, ['status', 'containerStatuses']) as Json[] | undefined) ?? [];
  return statuses.reduce((n, s) => n + ((s.restartCount as number | undefined) ?? 0), 0);
}

function jobStatusText(o: KubeObject): string {
  if (hasCondition(o, 'Complete')) return 'Complete';
  if (hasCondition(o, 'Failed')) return 'Failed';
  if (o.metadata.deletionTimestamp) return 'Terminating';
  if (hasCondition(o, 'Suspended')) return 'Suspended';
  if (hasCondition(o, 'FailureTarget')) return 'FailureTarget';
  if (hasCondition(o, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

function jobCompletions(o: KubeObject): string {
  const spec = (o.spec ?? {}) as Json;
  const succeeded = (getPath(o, ['status', 'succeeded']) as number | undefined) ?? 0;
  if (typeof spec.completions === 'number') return `${succeeded}/${spec.completions}`;
  const parallelism = (spec.parallelism as number | undefined) ?? 1;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(o: KubeObject, now: Date): string {
  const start = getPath(o, ['status', 'startTime']) as string | undefined;
  if (!start) return '';
  const end = getPath(o, ['status', 'completionTime']) as string | undefined;
  return humanDuration((end ? Date.parse(end) : now.getTime()) - Date.parse(start));
}

function templateContainers(o: KubeObject): Json[] {
  return (getPath(o, ['spec', 'template', 'spec', 'containers']) as Json[] | undefined) ?? [];
}

function eventObject(o: KubeObject): string {
  const ref = (o.involvedObject ?? {}) as Json;
  return `${String(ref.kind ?? '').toLowerCase()}/${ref.name ?? ''}`;
}

const wide = { priority: 1 };

export const BUILTIN_COLUMNS: Record<string, TableColumn[]> = {
  pods: [
    NAME_COLUMN,
    col('Ready', podReady),
    col('Status', podStatusText),
    col('Restarts', podRestarts, { type: 'integer' }),
    AGE_COLUMN,
    col('IP', str(['status', 'podIP']), wide),
    col('Node', str(['spec', 'nodeName']), wide),
  ],
  'batch/jobs': [
    NAME_COLUMN,
    col('Status', jobStatusText),
    col('Completions', jobCompletions),
    col('Duration', jobDuration),
    AGE_COLUMN,
    col(
      'Containers',
      (o) =>
        templateContainers(o)
          .map((c) => c.name)
          .join(','),
      wide,
    ),
    col(
      'Images',
      (o) =>
        templateContainers(o)
          .map((c) => c.image)
          .join(','),
      wide,
    ),
    col(
      'Selector',
      (o) =>
        Object.entries((getPath(o, ['spec', 'selector', 'matchLabels']) as Json | undefined) ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
      wide,
    ),
  ],
  namespaces: [NAME_COLUMN, col('Status', str(['status', 'phase'])), AGE_COLUMN],
  nodes: [
    NAME_COLUMN,
    col('Status', (o) => (hasCondition(o, 'Ready') ? 'Ready' : 'NotReady')),
    col('Roles', () => '<none>'),
    AGE_COLUMN,
    col('Version', str(['status', 'nodeInfo', 'kubeletVersion'])),
  ],
  'apps/deployments': [
    NAME_COLUMN,
    col('Ready', (o) => `${getPath(o, ['status', 'readyReplicas']) ?? 0}/${getPath(o, ['spec', 'replicas']) ?? 1}`),
    col('Up-to-date', (o) => Number(getPath(o, ['status', 'updatedReplicas']) ?? 0), { type: 'integer' }),
    col('Available', (o) => Number(getPath(o, ['status', 'availableReplicas']) ?? 0), { type: 'integer' }),
    AGE_COLUMN,
  ],
  events: [
    col('Last Seen', (o, now) => age(o.lastTimestamp ?? o.eventTime ?? o.metadata.creationTimestamp, now)),
    col('Type', str(['type'])),
    col('Reason', str(['reason'])),
    col('Object', eventObject),
    col('Message', str(['message'])),
  ],
  secrets: [NAME_COLUMN, col('Type', str(['type'])), col('Data', count(['data']), { type: 'integer' }), AGE_COLUMN],
  configmaps: [NAME_COLUMN, col('Data', count(['data']), { type: 'integer' }), AGE_COLUMN],
  'coordination.k8s.io/leases': [NAME_COLUMN, col('Holder', str(['spec', 'holderIdentity'])), AGE_COLUMN],
  serviceaccounts: [NAME_COLUMN, col('Secrets', count(['secrets']), { type: 'integer' }), AGE_COLUMN],
  services: [
    NAME_COLUMN,
    col('Type', str(['spec', 'type'])),
    col('Cluster-IP', str(['spec', 'clusterIP'])),
    AGE_COLUMN,
  ],
  'rbac.authorization.k8s.io/rolebindings': [
    NAME_COLUMN,
    col('Role', (o) => `${getPath(o, ['roleRef', 'kind'])}/${getPath(o, ['roleRef', 'name'])}`),
    AGE_COLUMN,
  ],
  'rbac.authorization.k8s.io/clusterrolebindings': [
    NAME_COLUMN,
    col('Role', (o) => `${getPath(o, ['roleRef', 'kind'])}/${getPath(o, ['roleRef', 'name'])}`),
    AGE_COLUMN,
  ],
  'apiextensions.k8s.io/customresourcedefinitions': [
    NAME_COLUMN,
    col('Created At', (o) => o.metadata.creationTimestamp ?? '', { type: 'date' }),
  ],
};

export const DEFAULT_COLUMNS: TableColumn[] = [NAME_COLUMN, AGE_COLUMN];
