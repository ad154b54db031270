/**
 * Starts one Ceph RADOS Gateway for the whole test run, through the same code as `npm run s3 -- start`, and provides
 * its endpoint and keys as `inject('s3')`. A gateway that cannot start fails the run: the S3 tests never skip.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { type GatewayInfo, startGateway, stopGateway } from '../../../scripts/s3.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    s3: GatewayInfo;
  }
}

const PREFIX = 'id3-s3-test-';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await sweepAbandoned();
  const dir = mkdtempSync(join(tmpdir(), PREFIX));
  const info = await startGateway({ dir, bucket: 'id3-test' });
  writeFileSync(join(dir, 'owner.pid'), String(process.pid));
  project.provide('s3', info);
  return () => stopGateway(dir);
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
