/**
 * One Ceph RADOS Gateway for the whole test run, started through the same code as `npm run s3 -- start`. Its
 * endpoint and keys are chosen up front and provided at once as `inject('s3')`; the gateway boots in the background
 * (about 15 s) while the test files that do not need it run, and the S3 tests wait for it with
 * `waitForGateway(inject('s3'))`. A gateway that cannot start fails the run — the S3 tests with its error, and the
 * teardown in any case: the S3 tests never skip.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { type GatewayInfo, planGateway, START_ERROR_FILE, startGateway, stopGateway } from '../../../scripts/s3.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    s3: GatewayInfo;
  }
}

const PREFIX = 'id3-s3-test-';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await sweepAbandoned();
  const dir = mkdtempSync(join(tmpdir(), PREFIX));
  const plan = await planGateway({ dir, bucket: 'id3-test' });
  const abort = new AbortController();
  const starting = startGateway({ plan, owner: process.pid, signal: abort.signal }).then(
    () => undefined,
    (err: Error) => {
      if (abort.signal.aborted) return undefined; // the run ended first; nothing needed the gateway
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, START_ERROR_FILE), err.message);
      return err;
    },
  );
  project.provide('s3', plan);
  return async () => {
    abort.abort();
    const failure = await starting;
    await stopGateway(dir);
    if (failure) throw failure;
  };
}

/** Gateways of earlier runs that were killed before their teardown (Ctrl-C twice): their owner process is gone. */
async function sweepAbandoned(): Promise<void> {
  for (const name of readdirSync(tmpdir()).filter((n) => n.startsWith(PREFIX))) {
    const owner = join(tmpdir(), name, 'owner.pid');
    if (!existsSync(owner)) continue;
    const pid = Number.parseInt(readFileSync(owner, 'utf8'), 10);
    if (!existsSync(`/proc/${pid}`)) await stopGateway(join(tmpdir(), name));
  }
}
