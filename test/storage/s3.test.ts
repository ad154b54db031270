import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { openStore, StorageError } from '../../io/storage/index.ts';
import { startRadosgw, stopRadosgw, waitForGateway } from '../../scripts/s3.ts';
import { storeContract } from './contract.ts';
import { datasetContract } from './dataset-contract.ts';

const s3 = inject('s3');
// The gateway boots in the background from the global setup; a failed start fails here, with its error.
beforeAll(() => waitForGateway(s3), 180_000);
const env = {
  AWS_ENDPOINT_URL_S3: s3.endpoint,
  AWS_ACCESS_KEY_ID: s3.accessKeyId,
  AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
  AWS_REGION: s3.region,
};
const run = randomBytes(4).toString('hex');
let n = 0;

const gateway = {
  name: 'Ceph RADOS Gateway (S3)',
  freshUri: () => `s3://${s3.bucket}/${run}/${n++}`,
  open: (uri: string) => openStore(uri, undefined, env),
  childEnv: env,
  multipartEtags: true,
};

storeContract(gateway);
datasetContract(gateway);

describe('S3 store against the gateway', () => {
  it('rides out a gateway restart mid-run: writes retry with backoff, then succeed', async () => {
    const retries: unknown[] = [];
    const policy = { maxAttempts: 40, baseDelayMs: 100, maxDelayMs: 1000 };
    const store = openStore(gateway.freshUri(), undefined, env, { policy, logger: { warn: (o) => retries.push(o) } });
    await store.put('before', 'x');
    await stopRadosgw(s3.dir);
    try {
      const big = Buffer.alloc(7 * 1024 * 1024, 7); // multipart: its parts retry through the SDK with our policy
      const writes = Promise.all([store.put('during/small', 'written while down'), store.put('during/big', big)]);
      await until(() => retries.length >= 2);
      await startRadosgw(s3.dir);
      await writes;
    } finally {
      await startRadosgw(s3.dir); // returns at once when it is up; restores the gateway if the test failed early
    }
    expect(Buffer.from(await store.get('during/small')).toString()).toBe('written while down');
    expect((await store.head('during/big'))?.size).toBe(7 * 1024 * 1024);
    const codes = retries.map((r) => (r as { error: { code?: string } }).error.code);
    expect(codes).toContain('ECONNREFUSED'); // the gateway really was down while the writes were retried
  });

  it('names a bad secret without ever showing a credential', async () => {
    const secret = `not-the-secret-${randomBytes(8).toString('hex')}`;
    const store = openStore(gateway.freshUri(), undefined, { ...env, AWS_SECRET_ACCESS_KEY: secret });
    const err = await store.put('k', 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).retryable).toBe(false);
    const shown = `${(err as Error).message}\n${inspect(err, { depth: 20 })}\n${JSON.stringify(err)}`;
    expect(shown).toMatch(/SignatureDoesNotMatch|AccessDenied|InvalidAccessKeyId/);
    expect(shown).not.toContain(secret);
    expect(shown).not.toContain(s3.accessKeyId);
  });
});

async function until(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((done) => setTimeout(done, 50));
  }
}
