import type { Logger } from 'pino';
import type { Id3Job } from '../../api/index.ts';
import type { KubeClient } from '../kube/client.ts';
import type { Plan } from './decide.ts';

/**
 * Carries out a plan: children first (so the status never claims a stage that was not created), then the one status
 * write, then events — only after the status write succeeded, so a failed reconcile records nothing twice.
 */
export async function act(
  client: Pick<KubeClient, 'applyJob' | 'patchStatus' | 'recordEvent' | 'deleteJob'>,
  job: Id3Job,
  plan: Plan,
  now: Date,
  logger: Logger,
): Promise<void> {
  for (const child of plan.apply) {
    await client.applyJob(child, { force: !plan.unforced?.includes(child.metadata?.name ?? '') });
  }
  if (plan.status) await client.patchStatus(job, mergePatchFor(job.status ?? {}, plan.status));
  for (const e of plan.events) {
    await client
      .recordEvent(job, e, now)
      .catch((err: unknown) => logger.warn({ err: String(err), reason: e.reason }, 'could not record an event'));
  }
  if (plan.deleteJob) {
    logger.info('ttlSecondsAfterFinished has passed; deleting the job');
    await client.deleteJob(job);
  }
}

/**
 * The JSON merge patch (RFC 7386) that turns `prev` into `next`: a merge patch only adds and replaces, so a field the
 * new status no longer has (the stage of a finished job, say) must be sent as null to be removed.
 */
export function mergePatchFor(prev: object, next: object): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(next as Record<string, unknown>) };
  for (const [k, old] of Object.entries(prev)) {
    const now = (next as Record<string, unknown>)[k];
    if (now === undefined) out[k] = null;
    else if (isObject(old) && isObject(now)) out[k] = mergePatchFor(old, now);
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
