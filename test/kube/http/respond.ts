/** Writing responses: JSON bodies, Status errors, and the Warning header the API server uses for warnings. */
import type { ServerResponse } from 'node:http';
import { ApiError, Errors } from '../core/index.ts';

export function writeJson(res: ServerResponse, code: number, body: unknown, warnings: readonly string[] = []): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | string[]> = {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-cache, private',
  };
  if (warnings.length > 0) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(text);
}

export function writeError(res: ServerResponse, err: unknown): void {
  const apiError = err instanceof ApiError ? err : Errors.internal(err instanceof Error ? err.message : String(err));
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = {};
  if (apiError.code === 429) headers['Retry-After'] = String(apiError.details?.retryAfterSeconds ?? 1);
  const text = JSON.stringify(apiError.toStatus());
  res.writeHead(apiError.code, {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}
