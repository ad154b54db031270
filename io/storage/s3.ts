import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ObjectNotFoundError, PreconditionFailedError } from './errors.ts';
import { bodyBytes, isStreamBody, watchSource } from './io.ts';
import { scrubError } from './redact.ts';
import { type Clock, DEFAULT_RETRY_POLICY, type RetryPolicy, type Rng, systemClock, withRetry } from './retry.ts';
import type { S3Settings } from './s3-config.ts';
import { secretsOf } from './s3-config.ts';
import { isNotImplemented, isRetryableS3Error, translateS3Error } from './s3-errors.ts';
import { sdkRetryStrategy } from './sdk-retry.ts';
import type { Body, ObjectInfo, PutOptions, StorageLogger, Store } from './store.ts';
import { checkKey, checkPrefix, formatUri, joinKey, type StorageLocation } from './uri.ts';

type S3Location = Extract<StorageLocation, { scheme: 's3' }>;

export interface S3StoreOptions {
  clock?: Clock;
  rng?: Rng;
  policy?: RetryPolicy;
  logger?: StorageLogger;
  /** Part size of multipart uploads (S3's minimum is 5 MiB). */
  partSize?: number;
  /** Parts uploaded at once; memory use is about partSize × queueSize per upload. */
  queueSize?: number;
  /** Byte bodies larger than this go multipart, in parallel parts each retried on its own. */
  multipartThreshold?: number;
  /**
   * How putIfAbsent creates: `native` sends `If-None-Match: *` and falls back to `head-then-put` by itself when the
   * server answers 501 Not Implemented. `head-then-put` is a HEAD then a plain PUT: racy, so two writers can both
   * "create"; the workflow tolerates that because each task is the only writer of its keys and a task's retries run
   * one after another.
   */
  conditionalWrites?: 'native' | 'head-then-put';
  /** The SDK's HTTP handler; tests pass one that injects faults at the client boundary. */
  requestHandler?: S3ClientConfig['requestHandler'];
  /**
   * Limits of the default handler (the SDK sets none: a server that accepts a connection and never answers would
   * hang a worker for ever). A connection must open within `connectMs`, and a socket may sit idle at most `idleMs`
   * — not a limit on a request's length, so multi-GB transfers and slow stream consumers are unaffected. Either
   * ends in a retryable TimeoutError. Defaults: 10 s, 5 min.
   */
  timeouts?: { connectMs?: number; idleMs?: number };
}

const MiB = 1024 * 1024;

/**
 * An S3 bucket (and optional prefix) on any S3-compatible endpoint. Each call is one request retried with jittered
 * exponential backoff on throttling, 5xx and network errors (the SDK's own retries are off, so that the schedule is
 * ours and testable); multipart uploads go through lib-storage with the same policy shaped for the SDK.
 */
export class S3Store implements Store {
  readonly root: string;
  private readonly client: S3Client;
  private readonly uploadClient: S3Client;
  private readonly secrets: string[];
  private readonly clock: Clock;
  private readonly rng: Rng;
  private readonly policy: RetryPolicy;
  private conditionalWrites: 'native' | 'head-then-put';

  constructor(
    private readonly loc: S3Location,
    settings: S3Settings,
    private readonly opts: S3StoreOptions = {},
  ) {
    this.root = formatUri(loc, '');
    this.secrets = secretsOf(settings);
    this.clock = opts.clock ?? systemClock;
    this.rng = opts.rng ?? Math.random;
    this.policy = opts.policy ?? DEFAULT_RETRY_POLICY;
    this.conditionalWrites = opts.conditionalWrites ?? 'native';
    this.client = new S3Client({ ...clientConfig(settings, opts), maxAttempts: 1 });
    const onRetry = (attempt: number, delayMs: number, error: unknown) =>
      this.logRetry('upload part', loc.prefix, attempt, delayMs, error);
    this.uploadClient = new S3Client({
      ...clientConfig(settings, opts),
      retryStrategy: sdkRetryStrategy(this.policy, this.rng, isRetryableS3Error, onRetry),
    });
  }

  uri(key: string): string {
    return formatUri(this.loc, key);
  }

  async get(key: string): Promise<Uint8Array> {
    return this.call('GET', key, async () => {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.loc.bucket, Key: this.full(key) }));
      return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
    });
  }

  async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    if (length <= 0) {
      if (!(await this.exists(key))) throw new ObjectNotFoundError(this.uri(key));
      return new Uint8Array();
    }
    const Range = `bytes=${offset}-${offset + length - 1}`;
    return this.call('GET', key, async () => {
      try {
        const cmd = new GetObjectCommand({ Bucket: this.loc.bucket, Key: this.full(key), Range });
        const out = await this.client.send(cmd);
        return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
      } catch (err) {
        if (rangeNotSatisfiable(err)) return new Uint8Array(); // offset at or past the end
        throw err;
      }
    });
  }

  async getStream(key: string): Promise<Readable> {
    return this.call('GET', key, async () => {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.loc.bucket, Key: this.full(key) }));
      // In Node the SDK's body is an IncomingMessage, i.e. already a Readable.
      return out.Body instanceof Readable ? out.Body : Readable.from([]);
    });
  }

  async put(key: string, body: Body, opts: PutOptions = {}): Promise<void> {
    const Key = this.full(key);
    if (isStreamBody(body)) {
      const source = watchSource(body);
      try {
        return await this.upload(key, Readable.from(source.stream), opts);
      } catch (err) {
        throw source.failure()?.error ?? err;
      }
    }
    const bytes = bodyBytes(body);
    if (bytes.byteLength > (this.opts.multipartThreshold ?? 16 * MiB)) return this.upload(key, bytes, opts);
    await this.call('PUT', key, () =>
      this.client.send(
        new PutObjectCommand({ Bucket: this.loc.bucket, Key, Body: bytes, ContentType: opts.contentType }),
      ),
    );
  }

  async putIfAbsent(key: string, body: Uint8Array | string, opts: PutOptions = {}): Promise<void> {
    const bytes = bodyBytes(body);
    if (this.conditionalWrites === 'head-then-put') return this.headThenPut(key, bytes, opts);
    let retried = false;
    try {
      await this.call(
        'PUT',
        key,
        () => this.conditionalPut(key, bytes, opts),
        () => {
          retried = true;
        },
      );
    } catch (err) {
      if (isNotImplemented(err instanceof Error ? err.cause : err)) {
        this.conditionalWrites = 'head-then-put';
        return this.headThenPut(key, bytes, opts);
      }
      // A retry after a lost response finds our own object; identical bytes mean this call created it.
      if (err instanceof PreconditionFailedError && retried && (await this.sameBytes(key, bytes))) return;
      throw err;
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      return await this.call('HEAD', key, async () => {
        const out = await this.client.send(new HeadObjectCommand({ Bucket: this.loc.bucket, Key: this.full(key) }));
        return { key, size: out.ContentLength ?? 0, etag: unquote(out.ETag), lastModified: out.LastModified };
      });
    } catch (err) {
      if (err instanceof ObjectNotFoundError) return undefined;
      throw err;
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.head(key)) !== undefined;
  }

  async *list(prefix = ''): AsyncIterable<ObjectInfo> {
    checkPrefix(prefix);
    const base = this.loc.prefix === '' ? '' : `${this.loc.prefix}/`;
    let token: string | undefined;
    do {
      const page = await this.call('LIST', prefix, () =>
        this.client.send(
          new ListObjectsV2Command({ Bucket: this.loc.bucket, Prefix: base + prefix, ContinuationToken: token }),
        ),
      );
      for (const o of page.Contents ?? []) {
        if (!o.Key) continue;
        yield { key: o.Key.slice(base.length), size: o.Size ?? 0, etag: unquote(o.ETag), lastModified: o.LastModified };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async delete(key: string): Promise<void> {
    await this.call('DELETE', key, () =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.loc.bucket, Key: this.full(key) })),
    );
  }

  /** Closes the clients' sockets; a long-running worker never needs to. */
  destroy(): void {
    this.client.destroy();
    this.uploadClient.destroy();
  }

  private conditionalPut(key: string, bytes: Uint8Array, opts: PutOptions) {
    return this.client.send(
      new PutObjectCommand({
        Bucket: this.loc.bucket,
        Key: this.full(key),
        Body: bytes,
        ContentType: opts.contentType,
        IfNoneMatch: '*',
      }),
    );
  }

  private async headThenPut(key: string, bytes: Uint8Array, opts: PutOptions): Promise<void> {
    if (await this.exists(key)) throw new PreconditionFailedError(this.uri(key));
    await this.put(key, bytes, opts);
  }

  private async sameBytes(key: string, bytes: Uint8Array): Promise<boolean> {
    const info = await this.head(key);
    return info?.etag === createHash('md5').update(bytes).digest('hex');
  }

  private async upload(key: string, body: Readable | Uint8Array, opts: PutOptions): Promise<void> {
    const upload = new Upload({
      client: this.uploadClient,
      params: { Bucket: this.loc.bucket, Key: this.full(key), Body: body, ContentType: opts.contentType },
      partSize: Math.max(5 * MiB, this.opts.partSize ?? 8 * MiB),
      queueSize: this.opts.queueSize ?? 4,
      leavePartsOnError: false, // abort the multipart upload on failure so no orphan parts stay billed
    });
    try {
      await upload.done();
    } catch (err) {
      throw translateS3Error(err, 'PUT', this.uri(key), this.secrets);
    }
  }

  private full(key: string): string {
    return joinKey(this.loc.prefix, checkKey(key));
  }

  private async call<T>(op: string, key: string, fn: () => Promise<T>, onRetry?: () => void): Promise<T> {
    try {
      return await withRetry(fn, {
        policy: this.policy,
        clock: this.clock,
        rng: this.rng,
        isRetryable: isRetryableS3Error,
        onRetry: ({ attempt, delayMs, error }) => {
          onRetry?.();
          this.logRetry(op, key, attempt, delayMs, error);
        },
      });
    } catch (err) {
      throw translateS3Error(err, op, this.uri(key), this.secrets);
    }
  }

  private logRetry(op: string, key: string, attempt: number, delayMs: number, error: unknown): void {
    const e = scrubError(error, this.secrets);
    this.opts.logger?.warn(
      { op, uri: this.uri(key), attempt, delayMs, error: { name: e.name, code: e.code, status: e.httpStatusCode } },
      'storage request failed; retrying',
    );
  }
}

function clientConfig(settings: S3Settings, opts: S3StoreOptions): S3ClientConfig {
  return {
    region: settings.region,
    endpoint: settings.endpoint,
    forcePathStyle: settings.forcePathStyle,
    credentials: settings.credentials,
    // Non-AWS servers (Ceph RGW, MinIO, R2) reject or corrupt the SDK's default flexible checksums on streamed bodies.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: opts.requestHandler ?? {
      connectionTimeout: opts.timeouts?.connectMs ?? 10_000,
      socketTimeout: opts.timeouts?.idleMs ?? 300_000,
    },
  };
}

function unquote(etag: string | undefined): string | undefined {
  return etag?.replace(/^"|"$/g, '');
}

function rangeNotSatisfiable(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.$metadata?.httpStatusCode === 416 || e.name === 'InvalidRange';
}
