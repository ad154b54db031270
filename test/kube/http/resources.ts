/**
 * The REST handlers of a resource: verbs and subresources on top of apiserver/, with the representation the client
 * asked for (object, Table, PartialObjectMetadata) and the query parameters the API server reads.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import {
  create,
  type Deps,
  type FieldValidation,
  get,
  list,
  parseDeleteOptions,
  patch,
  remove,
  update,
  type WriteContext,
} from '../apiserver/index.ts';
import { ADMIN_USER, authorize, type UserInfo } from '../auth/index.ts';
import { Errors, type Json, type KubeObject, timestamp } from '../core/index.ts';
import { apiVersionOf, type ResourceType } from '../registry/index.ts';
import { type IncludeObject, toTable } from '../table/index.ts';
import { patchTypeOf, type Representation, representation } from './negotiate.ts';
import { decodeKubernetesProtobuf, ProtobufError } from './protobuf.ts';
import type { ResourceRequest } from './request-info.ts';
import { writeJson } from './respond.ts';
import { type OpenWatch, serveWatch } from './watch-stream.ts';

export interface PodLogOptions {
  container?: string;
  follow: boolean;
  previous: boolean;
  tailLines?: number;
}

export interface ResourceHandlerDeps extends Deps {
  /** Enforce RBAC for callers other than the admin. */
  rbac: boolean;
  watches: Set<OpenWatch>;
  bookmarkIntervalMs: number;
  podLogs(namespace: string, name: string, o: PodLogOptions, req: IncomingMessage, res: ServerResponse): void;
  issueToken(namespace: string, serviceAccount: string): string;
}

export interface Call {
  info: ResourceRequest;
  t: ResourceType;
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  body: string;
  rawBody: Buffer;
  user: UserInfo;
}

function writeContext(call: Call): WriteContext {
  const q = call.query;
  const agent = String(call.req.headers['user-agent'] ?? 'unknown').split('/')[0] || 'unknown';
  const validation = (q.get('fieldValidation') ?? 'Warn') as FieldValidation;
  if (!['Strict', 'Warn', 'Ignore'].includes(validation))
    throw Errors.badRequest(
      `fieldValidation: Unsupported value: "${validation}": supported values: "Ignore", "Strict", "Warn"`,
    );
  return {
    manager: q.get('fieldManager') ?? agent,
    explicitManager: q.has('fieldManager'),
    fieldValidation: validation,
    dryRun: q.get('dryRun') === 'All',
    warnings: [],
  };
}

function decodeBody(call: Call): unknown {
  const type = String(call.req.headers['content-type'] ?? 'application/json');
  if (type.includes('protobuf')) {
    try {
      return decodeKubernetesProtobuf(call.rawBody);
    } catch (err) {
      if (err instanceof ProtobufError)
        throw Errors.unsupportedMediaType(type, ['application/json', 'application/yaml']);
      throw err;
    }
  }
  if (type.includes('cbor')) throw Errors.unsupportedMediaType(type, ['application/json', 'application/yaml']);
  try {
    return type.includes('yaml') ? parseYaml(call.body) : JSON.parse(call.body || 'null');
  } catch (err) {
    throw Errors.badRequest(`error decoding body: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function present(
  h: ResourceHandlerDeps,
  call: Call,
  rep: Representation,
  objects: KubeObject[],
  listMeta: Json,
): unknown {
  if (rep === 'table') {
    const include = (call.query.get('includeObject') ?? 'Metadata') as IncludeObject;
    return toTable(call.t.columns, objects, listMeta, include, h.clock.now());
  }
  if (rep === 'metadata') {
    const items = objects.map((o) => ({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: o.metadata,
    }));
    return call.info.name
      ? items[0]
      : { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: listMeta, items };
  }
  if (call.info.name) return objects[0];
  return { kind: call.t.listKind, apiVersion: apiVersionOf(call.t), metadata: listMeta, items: objects };
}

export function handleResource(h: ResourceHandlerDeps, call: Call): void {
  const { info, t } = call;
  if (info.subresource && !t.subresources.includes(info.subresource)) throw Errors.pageNotFound(call.req.url ?? '');
  if (t.namespaced && !info.namespace && !['list', 'watch', 'deletecollection'].includes(info.verb)) {
    throw Errors.pageNotFound(call.req.url ?? '');
  }
  const ns = t.namespaced ? (info.namespace ?? '') : '';
  const rep = ['get', 'list', 'watch'].includes(info.verb) ? representation(call.req.headers.accept) : 'json';
  const verbs: Record<string, () => void> = {
    get: () => getOne(h, call, ns, rep),
    list: () => listAll(h, call, rep),
    watch: () => watchAll(h, call, rep),
    create: () => createOne(h, call, ns),
    update: () => {
      const ctx = writeContext(call);
      writeJson(call.res, 200, update(h, t, ns, info.name!, decodeBody(call), ctx, info.subresource), ctx.warnings);
    },
    patch: () => {
      const ctx = writeContext(call);
      const type = patchTypeOf(call.req.headers['content-type']);
      const force = call.query.get('force') === 'true';
      const existed = h.store.get(t.storage, ns, info.name!) !== undefined;
      const out = patch(h, t, ns, info.name!, type, call.body, ctx, { subresource: info.subresource, force });
      writeJson(call.res, existed ? 200 : 201, out, ctx.warnings);
    },
    delete: () => {
      const ctx = writeContext(call);
      const out = remove(h, t, ns, info.name!, parseDeleteOptions(decodeBody(call), call.query), ctx);
      writeJson(call.res, 200, out, ctx.warnings);
    },
    deletecollection: () => deleteCollection(h, call, ns),
  };
  const run = verbs[info.verb];
  if (!run) throw Errors.methodNotSupported({ group: t.group, resource: t.resource }, info.verb);
  run();
}

function getOne(h: ResourceHandlerDeps, call: Call, ns: string, rep: Representation): void {
  if (call.info.subresource === 'log') {
    const q = call.query;
    const tail = q.get('tailLines');
    const o: PodLogOptions = {
      container: q.get('container') ?? undefined,
      follow: q.get('follow') === 'true',
      previous: q.get('previous') === 'true',
      tailLines: tail === null ? undefined : Number(tail),
    };
    get(h, call.t, ns, call.info.name!);
    h.podLogs(ns, call.info.name!, o, call.req, call.res);
    return;
  }
  const obj = get(h, call.t, ns, call.info.name!);
  writeJson(call.res, 200, present(h, call, rep, [obj], { resourceVersion: obj.metadata.resourceVersion }));
}

function listOptions(q: URLSearchParams) {
  const limit = q.get('limit');
  return {
    labelSelector: q.get('labelSelector') ?? undefined,
    fieldSelector: q.get('fieldSelector') ?? undefined,
    limit: limit ? Number(limit) : undefined,
    continueToken: q.get('continue') ?? undefined,
  };
}

function listAll(h: ResourceHandlerDeps, call: Call, rep: Representation): void {
  const r = list(h, call.t, call.t.namespaced ? call.info.namespace : undefined, listOptions(call.query));
  const meta: Json = { resourceVersion: r.resourceVersion };
  if (r.continueToken) {
    meta.continue = r.continueToken;
    meta.remainingItemCount = r.remaining;
  }
  writeJson(call.res, 200, present(h, call, rep, r.items, meta));
}

function watchAll(h: ResourceHandlerDeps, call: Call, rep: Representation): void {
  const q = call.query;
  const timeout = q.get('timeoutSeconds');
  serveWatch(
    h,
    call.t,
    call.t.namespaced ? call.info.namespace : undefined,
    call.req,
    call.res,
    {
      ...listOptions(q),
      resourceVersion: q.get('resourceVersion') ?? undefined,
      sendInitialEvents: q.get('sendInitialEvents') === 'true',
      allowBookmarks: q.get('allowWatchBookmarks') === 'true',
      bookmarkIntervalMs: h.bookmarkIntervalMs,
      timeoutSeconds: timeout ? Number(timeout) : undefined,
      present: (obj, first) => {
        const out = present(h, { ...call, info: { ...call.info, name: 'x' } }, rep, [obj as KubeObject], {});
        if (rep === 'table' && !first) (out as Json).columnDefinitions = [];
        return out;
      },
    },
    h.watches,
  );
}

function createOne(h: ResourceHandlerDeps, call: Call, ns: string): void {
  if (call.info.subresource === 'token') {
    tokenRequest(h, call, ns);
    return;
  }
  if (call.t.group === 'authorization.k8s.io') {
    accessReview(h, call);
    return;
  }
  if (call.info.name) throw Errors.methodNotSupported({ group: call.t.group, resource: call.t.resource }, 'create');
  const ctx = writeContext(call);
  writeJson(call.res, 201, create(h, call.t, ns, decodeBody(call), ctx), ctx.warnings);
}

/** SelfSubjectAccessReview: may the caller do this? Answered from RBAC (everything is allowed without RBAC). */
function accessReview(h: ResourceHandlerDeps, call: Call): void {
  const body = (decodeBody(call) ?? {}) as Json;
  const attrs = (((body.spec ?? {}) as Json).resourceAttributes ?? {}) as Json;
  const str = (k: string) => (typeof attrs[k] === 'string' && attrs[k] !== '' ? (attrs[k] as string) : undefined);
  const allowed =
    !h.rbac ||
    call.user === ADMIN_USER ||
    authorize(h.store, call.user, {
      verb: str('verb') ?? '',
      apiGroup: str('group') ?? '',
      resource: str('resource') ?? '',
      subresource: str('subresource'),
      namespace: str('namespace'),
      name: str('name'),
    });
  writeJson(call.res, 201, {
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec: body.spec ?? {},
    status: { allowed, ...(allowed ? { reason: 'RBAC: allowed by kube-sim' } : {}) },
  });
}

function tokenRequest(h: ResourceHandlerDeps, call: Call, ns: string): void {
  get(h, call.t, ns, call.info.name!);
  const body = (decodeBody(call) ?? {}) as Json;
  const spec = (body.spec ?? {}) as Json;
  const seconds = typeof spec.expirationSeconds === 'number' ? spec.expirationSeconds : 3600;
  const token = h.issueToken(ns, call.info.name!);
  writeJson(call.res, 201, {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name: call.info.name, namespace: ns, creationTimestamp: null },
    spec: { audiences: spec.audiences ?? [], expirationSeconds: seconds, boundObjectRef: null },
    status: { token, expirationTimestamp: timestamp(new Date(h.clock.now().getTime() + seconds * 1000)) },
  });
}

function deleteCollection(h: ResourceHandlerDeps, call: Call, ns: string): void {
  const ctx = writeContext(call);
  const options = parseDeleteOptions(decodeBody(call), call.query);
  const r = list(h, call.t, call.t.namespaced ? call.info.namespace : undefined, listOptions(call.query));
  const items = r.items.map((o) => remove(h, call.t, o.metadata.namespace ?? ns, o.metadata.name!, options, ctx));
  writeJson(
    call.res,
    200,
    { kind: call.t.listKind, apiVersion: apiVersionOf(call.t), metadata: {}, items },
    ctx.warnings,
  );
}
