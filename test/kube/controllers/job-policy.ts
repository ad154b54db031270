/** podFailurePolicy: the first rule matching a failed pod (on exit codes or on pod conditions) gives the action. */
import type { Json, KubeObject } from '../core/index.ts';

export type FailureAction = 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';

export interface PolicyMatch {
  action: FailureAction;
  message: string;
}

interface Rule {
  action: FailureAction;
  onExitCodes?: { containerName?: string; operator: 'In' | 'NotIn'; values: number[] };
  onPodConditions?: { type: string; status?: string }[];
}

function exitCodes(pod: KubeObject, containerName?: string): { name: string; code: number }[] {
  const statuses = ((pod.status as Json | undefined)?.containerStatuses as Json[] | undefined) ?? [];
  return statuses
    .filter((s) => !containerName || s.name === containerName)
    .map((s) => ({
      name: String(s.name),
      code: ((s.state as Json | undefined)?.terminated as Json | undefined)?.exitCode,
    }))
    .filter((c): c is { name: string; code: number } => typeof c.code === 'number' && c.code !== 0);
}

export function matchFailurePolicy(job: KubeObject, pod: KubeObject): PolicyMatch | undefined {
  const rules = (((job.spec as Json).podFailurePolicy as Json | undefined)?.rules as Rule[] | undefined) ?? [];
  const where = `${pod.metadata.namespace}/${pod.metadata.name}`;
  for (const [i, rule] of rules.entries()) {
    if (rule.onExitCodes) {
      const { operator, values, containerName } = rule.onExitCodes;
      const hit = exitCodes(pod, containerName).find((c) => values.includes(c.code) === (operator === 'In'));
      if (hit)
        return {
          action: rule.action,
          message: `Container ${hit.name} for pod ${where} failed with exit code ${hit.code} matching ${rule.action} rule at index ${i}`,
        };
    }
    for (const pattern of rule.onPodConditions ?? []) {
      const conditions = ((pod.status as Json | undefined)?.conditions as Json[] | undefined) ?? [];
      if (conditions.some((c) => c.type === pattern.type && c.status === (pattern.status ?? 'True')))
        return {
          action: rule.action,
          message: `Pod ${where} has condition ${pattern.type} matching ${rule.action} rule at index ${i}`,
        };
    }
  }
  return undefined;
}
