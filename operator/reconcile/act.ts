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
  for (const child of plan.apply) await client.applyJob(child);
  if (plan.status) await client.patchStatus(job, plan.status);
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
