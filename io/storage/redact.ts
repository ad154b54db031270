/**
 * Scrubbing of credentials from errors. SDK errors carry the raw response (headers, and for signature errors the
 * string-to-sign and the access key ID as the server echoed them); an error that leaves the storage layer keeps only
 * name, message, code and HTTP status, with every known secret replaced.
 */

const MASK = '[REDACTED]';

export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length > 0) out = out.split(s).join(MASK);
  return out;
}

export interface ScrubbedError extends Error {
  code?: string;
  httpStatusCode?: number;
  /** Kept in the SDK's shape so that the same classifiers read scrubbed and raw errors. */
  $metadata?: { httpStatusCode?: number };
}

/** A plain Error with the original's name, message, code and status, every secret masked. */
export function scrubError(err: unknown, secrets: readonly string[]): ScrubbedError {
  const src = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as {
    name?: unknown;
    message?: unknown;
    code?: unknown;
    stack?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  const out: ScrubbedError = new Error(redactText(String(src.message ?? ''), secrets));
  out.name = typeof src.name === 'string' ? src.name : 'Error';
  if (typeof src.code === 'string') out.code = src.code;
  const status = src.$metadata?.httpStatusCode;
  if (typeof status === 'number') {
    out.httpStatusCode = status;
    out.$metadata = { httpStatusCode: status };
  }
  out.stack = typeof src.stack === 'string' ? redactText(src.stack, secrets) : out.stack;
  return out;
}
