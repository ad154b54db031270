import { createServer, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ObjectNotFoundError, PreconditionFailedError, StorageError } from './errors.ts';
import type { Clock } from './retry.ts';
import { S3Store } from './s3.ts';
import { resolveS3Settings } from './s3-config.ts';
import { parseStorageUri } from './uri.ts';

/** What the fake server answers, one entry per request: a response or a network error. */
type Reply = { status: number; body?: string; headers?: Record<string, string> } | Error;

interface SeenRequest {
  method: string;
  path: string;
  query: Record<string, unknown>;
  headers: Record<string, string>;
}

/** An HTTP handler under the real SDK client: faults are injected at the client boundary, the SDK does the rest. */
function fakeServer(replies: Reply[]) {
  const seen: SeenRequest[] = [];
  const handler = {
    handle: async (req: SeenRequest) => {
      seen.push({ method: req.method, path: req.path, query: { ...req.query }, headers: { ...req.headers } });
      const reply = replies.shift() ?? { status: 200 };
      if (reply instanceof Error) throw reply;
      const body = Readable.from([Buffer.from(reply.body ?? '')]);
      return { response: { statusCode: reply.status, reason: '', headers: reply.headers ?? {}, body } };
    },
  };
  return { handler, seen };
}

const xmlError = (status: number, code: string, message = code): Reply => ({
  status,
  headers: { 'content-type': 'application/xml' },
  body: `<?xml version="1.0"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
});

function fakeClock(): Clock & { slept: number[] } {
  const slept: number[] = [];
  return { slept, now: () => 0, sleep: async (ms) => void slept.push(ms) };
}

const SECRET = 'wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY';
const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';

function storeWith(replies: Reply[], uri = 's3://bucket/pre') {
  const { handler, seen } = fakeServer(replies);
  const clock = fakeClock();
  const settings = resolveS3Settings(
    { region: 'us-east-1', endpoint: 'http://s3.test:9000' },
    { AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET },
  );
  const loc = parseStorageUri(uri) as Extract<ReturnType<typeof parseStorageUri>, { scheme: 's3' }>;
  const logged: unknown[] = [];
  const store = new S3Store(loc, settings, {
    clock,
    rng: () => 0.5,
    policy: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 },
    // biome-ignore lint/suspicious/noExplicitAny: the SDK's handler type wants its HttpRequest class; ours is structural
    requestHandler: handler as any,
    logger: { warn: (obj, msg) => logged.push({ ...obj, msg }) },
  });
  return { store, seen, clock, logged };
}

describe('S3Store against a scripted server', () => {
  it('retries 503 and a reset connection with jittered backoff, then returns the body', async () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const { store, seen, clock, logged } = storeWith([xmlError(503, 'SlowDown'), reset, { status: 200, body: 'hi' }]);
    expect(Buffer.from(await store.get('a/b.txt')).toString()).toBe('hi');
    expect(seen.map((r) => `${r.method} ${r.path}`)).toEqual(Array(3).fill('GET /bucket/pre/a/b.txt'));
    expect(clock.slept).toEqual([50, 100]);
    expect(logged).toHaveLength(2);
  });

  it('does not retry 403 and reports it without credentials', async () => {
    const { store, seen } = storeWith([xmlError(403, 'SignatureDoesNotMatch', `bad signature for ${KEY_ID}`)]);
    const err = await store.put('k', 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).retryable).toBe(false);
    expect(seen).toHaveLength(1);
    const everything = `${(err as Error).message}\n${inspect(err, { depth: 10 })}`;
    expect(everything).toContain('SignatureDoesNotMatch');
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(KEY_ID);
  });

  it('gives up after maxAttempts with a retryable StorageError', async () => {
    const { store, seen } = storeWith(Array.from({ length: 4 }, () => xmlError(500, 'InternalError')));
    const err = await store.get('k').catch((e: unknown) => e);
    expect((err as StorageError).retryable).toBe(true);
    expect(seen).toHaveLength(4);
  });

  it('maps 404 to ObjectNotFoundError, and HEAD 404 to undefined', async () => {
    const { store } = storeWith([xmlError(404, 'NoSuchKey'), { status: 404 }]);
    await expect(store.get('k')).rejects.toBeInstanceOf(ObjectNotFoundError);
    expect(await store.head('k')).toBeUndefined();
  });

  it('sends If-None-Match: * for putIfAbsent and maps 412 to PreconditionFailedError', async () => {
    const { store, seen } = storeWith([xmlError(412, 'PreconditionFailed')]);
    await expect(store.putIfAbsent('m', 'x')).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(seen[0]?.headers['if-none-match']).toBe('*');
  });

  it('treats 412 after a lost response as its own create when the bytes match', async () => {
    const md5OfX = '9dd4e461268c8034f5c8564e155c67a6';
    const lost = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const { store } = storeWith([
      lost,
      xmlError(412, 'PreconditionFailed'),
      { status: 200, headers: { etag: `"${md5OfX}"` } },
    ]);
    await expect(store.putIfAbsent('m', 'x')).resolves.toBeUndefined();
  });

  it('falls back to HEAD-then-PUT when the server has no conditional PUT (501)', async () => {
    const { store, seen } = storeWith([
      xmlError(501, 'NotImplemented'),
      { status: 404 },
      { status: 200 },
      { status: 200 },
    ]);
    await store.putIfAbsent('m', 'x');
    await expect(store.putIfAbsent('m', 'x')).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(seen.map((r) => r.method)).toEqual(['PUT', 'HEAD', 'PUT', 'HEAD']);
  });

  it('lists page by page with continuation tokens, keys relative to the prefix', async () => {
    const page = (keys: string[], next?: string) => ({
      status: 200,
      headers: { 'content-type': 'application/xml' },
      body: `<?xml version="1.0"?><ListBucketResult><Name>bucket</Name><IsTruncated>${next ? 'true' : 'false'}</IsTruncated>${
        next ? `<NextContinuationToken>${next}</NextContinuationToken>` : ''
      }${keys.map((k) => `<Contents><Key>pre/${k}</Key><Size>1</Size><ETag>"e"</ETag></Contents>`).join('')}</ListBucketResult>`,
    });
    const { store, seen } = storeWith([page(['a/1', 'a/2'], 'tok'), page(['a/3'])]);
    const keys: string[] = [];
    for await (const o of store.list('a/')) keys.push(o.key);
    expect(keys).toEqual(['a/1', 'a/2', 'a/3']);
    expect(seen.map((r) => [r.query.prefix, r.query['continuation-token']])).toEqual([
      ['pre/a/', undefined],
      ['pre/a/', 'tok'],
    ]);
  });
});

describe('S3Store against a server that accepts and never answers', () => {
  it('gives up on the idle socket with a retryable error instead of hanging', async () => {
    const sockets: Socket[] = [];
    const server = createServer((socket) => void sockets.push(socket)); // reads the request, answers nothing
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const settings = resolveS3Settings(
        { region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, forcePathStyle: true },
        { AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET },
      );
      const loc = parseStorageUri('s3://bucket/pre') as Extract<ReturnType<typeof parseStorageUri>, { scheme: 's3' }>;
      const store = new S3Store(loc, settings, {
        policy: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
        timeouts: { idleMs: 200 },
      });
      const err = await store.get('a.txt').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StorageError);
      expect((err as StorageError).retryable).toBe(true);
      expect(sockets.length).toBe(2); // both attempts reached the server and timed out there
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });
});
