import type { StorageSpec } from '../../api/index.ts';
import { StorageError } from './errors.ts';

export type Env = Readonly<Record<string, string | undefined>>;

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Everything needed to build an S3 client, resolved from a job's `spec.storage` and the worker's environment. */
export interface S3Settings {
  region: string;
  endpoint?: string;
  forcePathStyle: boolean;
  /** Unset means the SDK's ambient chain (instance role, IRSA, web identity, shared config). */
  credentials?: S3Credentials;
}

/**
 * Resolves the S3 client settings.
 * - endpoint: `AWS_ENDPOINT_URL_S3`, then `AWS_ENDPOINT_URL`, then `spec.endpoint` — the environment overrides the
 *   spec so that one job file can run against a port-forwarded or local gateway without editing it;
 * - region: `spec.region` (which the CRD defaults to us-east-1), else `AWS_REGION`/`AWS_DEFAULT_REGION`, else us-east-1;
 * - path style: `spec.forcePathStyle` when set, otherwise path style exactly when an endpoint is set (the CRD's rule);
 * - credentials: `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`), which the operator fills from
 *   the job's credentials Secret; neither set means ambient credentials.
 */
export function resolveS3Settings(spec: Partial<StorageSpec> | undefined, env: Env): S3Settings {
  const endpoint = nonEmpty(env.AWS_ENDPOINT_URL_S3) ?? nonEmpty(env.AWS_ENDPOINT_URL) ?? nonEmpty(spec?.endpoint);
  if (endpoint !== undefined) checkEndpoint(endpoint);
  const region = nonEmpty(spec?.region) ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION) ?? 'us-east-1';
  const settings: S3Settings = { region, forcePathStyle: spec?.forcePathStyle ?? endpoint !== undefined };
  if (endpoint !== undefined) settings.endpoint = endpoint;
  const credentials = credentialsFromEnv(env);
  if (credentials) settings.credentials = credentials;
  return settings;
}

function credentialsFromEnv(env: Env): S3Credentials | undefined {
  const accessKeyId = nonEmpty(env.AWS_ACCESS_KEY_ID);
  const secretAccessKey = nonEmpty(env.AWS_SECRET_ACCESS_KEY);
  if (accessKeyId === undefined && secretAccessKey === undefined) return undefined;
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    // Name the variables, never their values.
    const missing = accessKeyId === undefined ? 'AWS_ACCESS_KEY_ID' : 'AWS_SECRET_ACCESS_KEY';
    throw new StorageError(`incomplete S3 credentials: ${missing} is not set`, { uri: 's3://' });
  }
  const sessionToken = nonEmpty(env.AWS_SESSION_TOKEN);
  return sessionToken === undefined ? { accessKeyId, secretAccessKey } : { accessKeyId, secretAccessKey, sessionToken };
}

function checkEndpoint(endpoint: string): void {
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) {
    // No echo of the value: a URL with user:password@ would leak a credential into logs.
    throw new StorageError('the S3 endpoint must be an http:// or https:// URL without user information', {
      uri: 's3://',
    });
  }
}

/** The strings that must never appear in logs or error messages. */
export function secretsOf(settings: S3Settings): string[] {
  const c = settings.credentials;
  if (!c) return [];
  return [c.secretAccessKey, c.accessKeyId, c.sessionToken].filter((s): s is string => s !== undefined && s !== '');
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s.trim() === '' ? undefined : s.trim();
}
