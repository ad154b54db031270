/**
 * The HTTP front of the emulator on loopback: authentication, injected latency and faults, RBAC for
 * ServiceAccount callers, then discovery, OpenAPI and the resource handlers.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ADMIN_USER,
  type Authenticator,
  authorize,
  forbiddenMessage,
  impersonated,
  type UserInfo,
} from '../auth/index.ts';
import { ApiError, Errors } from '../core/index.ts';
import {
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  openApiDocument,
  openApiRoot,
  versionInfo,
} from '../discovery/index.ts';
import type { Faults } from '../faults/index.ts';
import { parseRequestInfo, type ResourceRequest } from './request-info.ts';
import { type Call, handleResource, type ResourceHandlerDeps } from './resources.ts';
import { writeError, writeJson } from './respond.ts';

export interface HttpDeps extends ResourceHandlerDeps {
  authn: Authenticator;
  faults: Faults;
  /** Called with every request served (method, path, status), for debugging tests. */
  onRequest?: (method: string, path: string, status: number) => void;
}

/** An http server, or https with the given key and certificate. */
export function createApiHttpServer(h: HttpDeps, tls?: { key: string; cert: string }): Server {
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    serve(h, req, res).catch((err: unknown) => writeError(res, err));
    res.on('finish', () => h.onRequest?.(req.method ?? '', req.url ?? '', res.statusCode));
  };
  return tls ? createTlsServer(tls, handler) : createServer(handler);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function serve(h: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const body = await readBody(req);
  const caller = h.authn.authenticate(req.headers.authorization);
  if (!caller) throw Errors.unauthorized();
  const user = impersonated(caller, header(req.headers['impersonate-user']), req.headers['impersonate-group']);
  if (!user)
    throw Errors.forbidden(
      { group: '', resource: 'users' },
      String(req.headers['impersonate-user']),
      `User "${caller.name}" cannot impersonate resource "users" in API group "" at the cluster scope`,
    );
  if (h.faults.latencyMs > 0) await sleep(h.faults.latencyMs);
  const info = parseRequestInfo(req.method ?? 'GET', url);
  if (info.kind === 'other') return serveNonResource(h, url, req, res);
  const t = h.registry.find(info.group, info.version, info.resource);
  if (!t) throw Errors.pageNotFound(url.pathname);
  const fault = h.faults.errorFor({
    method: req.method ?? '',
    verb: info.verb,
    resource: info.resource,
    subresource: info.subresource,
    namespace: info.namespace,
    name: info.name,
    userAgent: String(req.headers['user-agent'] ?? ''),
  });
  if (fault) throw fault;
  checkAccess(h, user, info);
  const call: Call = { info, t, req, res, query: url.searchParams, body: body.toString('utf8'), rawBody: body, user };
  handleResource(h, call);
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function checkAccess(h: HttpDeps, user: UserInfo, info: ResourceRequest): void {
  if (!h.rbac || user === ADMIN_USER) return;
  // Every authenticated user may ask what it may do (upstream's system:basic-user role).
  if (info.group === 'authorization.k8s.io' && info.resource === 'selfsubjectaccessreviews') return;
  const attrs = {
    verb: info.verb,
    apiGroup: info.group,
    resource: info.resource,
    subresource: info.subresource,
    namespace: info.namespace,
    name: info.name,
  };
  if (authorize(h.store, user, attrs)) return;
  const gr = { group: info.group, resource: info.resource };
  throw Errors.forbidden(gr, info.name ?? '', forbiddenMessage(user, attrs));
}

function serveNonResource(h: HttpDeps, url: URL, req: IncomingMessage, res: ServerResponse): void {
  const p = url.pathname.replace(/\/+$/, '') || '/';
  const parts = p.split('/').filter(Boolean);
  const host = req.headers.host ?? '127.0.0.1';
  if (req.method !== 'GET' && req.method !== 'HEAD')
    throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  let body: unknown;
  if (p === '/version') body = versionInfo();
  else if (['/healthz', '/livez', '/readyz'].includes(p)) {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('ok');
    return;
  } else if (p === '/api') body = apiVersions(host);
  else if (p === '/apis') body = apiGroupList(h.registry);
  else if (parts[0] === 'api' && parts.length === 2) body = apiResourceList(h.registry, '', parts[1]!);
  else if (parts[0] === 'apis' && parts.length === 2) body = apiGroup(h.registry, parts[1]!);
  else if (parts[0] === 'apis' && parts.length === 3) body = apiResourceList(h.registry, parts[1]!, parts[2]!);
  else if (p === '/openapi/v3') body = openApiRoot(h.registry);
  else if (parts[0] === 'openapi' && parts[1] === 'v3') body = openApiV3Doc(h, parts.slice(2));
  if (body === undefined) throw Errors.pageNotFound(p);
  writeJson(res, 200, body);
}

function openApiV3Doc(h: HttpDeps, parts: string[]): unknown {
  if (parts[0] === 'api' && parts.length === 2) return openApiDocument(h.registry, '', parts[1]!);
  if (parts[0] === 'apis' && parts.length === 3) return openApiDocument(h.registry, parts[1]!, parts[2]!);
  return undefined;
}
