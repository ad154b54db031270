import { describe, expect, it } from 'vitest';
import { StorageError } from './errors.ts';
import { resolveS3Settings, type S3Settings, secretsOf } from './s3-config.ts';

describe('resolveS3Settings', () => {
  it.each<{ name: string; given: { spec?: object; env: Record<string, string> }; want: S3Settings }>([
    {
      name: 'AWS defaults: virtual-hosted style, ambient credentials',
      given: { spec: { region: 'eu-west-1' }, env: {} },
      want: { region: 'eu-west-1', forcePathStyle: false },
    },
    {
      name: 'an endpoint in the spec implies path style',
      given: { spec: { region: 'us-east-1', endpoint: 'http://rgw:8080' }, env: {} },
      want: { region: 'us-east-1', endpoint: 'http://rgw:8080', forcePathStyle: true },
    },
    {
      name: 'forcePathStyle false wins over the endpoint rule',
      given: { spec: { region: 'auto', endpoint: 'https://r2.example', forcePathStyle: false }, env: {} },
      want: { region: 'auto', endpoint: 'https://r2.example', forcePathStyle: false },
    },
    {
      name: 'the environment overrides the endpoint and brings keys',
      given: {
        spec: { region: 'us-east-1', endpoint: 'http://rgw:8080' },
        env: { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000', AWS_ACCESS_KEY_ID: 'AK', AWS_SECRET_ACCESS_KEY: 'SK' },
      },
      want: {
        region: 'us-east-1',
        endpoint: 'http://127.0.0.1:9000',
        forcePathStyle: true,
        credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' },
      },
    },
    {
      name: 'no spec: region and generic endpoint from the environment, session token kept',
      given: {
        env: {
          AWS_REGION: 'ap-south-1',
          AWS_ENDPOINT_URL: 'http://minio:9000',
          AWS_ACCESS_KEY_ID: 'AK',
          AWS_SECRET_ACCESS_KEY: 'SK',
          AWS_SESSION_TOKEN: 'TOK',
        },
      },
      want: {
        region: 'ap-south-1',
        endpoint: 'http://minio:9000',
        forcePathStyle: true,
        credentials: { accessKeyId: 'AK', secretAccessKey: 'SK', sessionToken: 'TOK' },
      },
    },
  ])('$name', ({ given, want }) => {
    expect(resolveS3Settings(given.spec, given.env)).toEqual(want);
  });

  it('refuses half a key pair, naming the variable but not the value', () => {
    const run = () => resolveS3Settings(undefined, { AWS_ACCESS_KEY_ID: 'AKIDSECRETISH' });
    expect(run).toThrow(StorageError);
    expect(run).toThrow(/AWS_SECRET_ACCESS_KEY is not set/);
    expect(run).not.toThrow(/AKIDSECRETISH/);
  });

  it('refuses an endpoint with user information without echoing it', () => {
    const run = () => resolveS3Settings({ endpoint: 'http://user:hunter2@rgw:8080' }, {});
    expect(run).toThrow(StorageError);
    expect(run).not.toThrow(/hunter2/);
  });

  it('lists the secrets to redact', () => {
    const s = resolveS3Settings(undefined, {
      AWS_ACCESS_KEY_ID: 'A',
      AWS_SECRET_ACCESS_KEY: 'S',
      AWS_SESSION_TOKEN: 'T',
    });
    expect(secretsOf(s)).toEqual(['S', 'A', 'T']);
  });
});
