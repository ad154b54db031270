/**
 * LIST with label and field selectors and limit/continue paging, and WATCH from a resourceVersion: replay from the
 * history, then live events, translated through the selectors (an object that stops matching is DELETED for this
 * watcher, one that starts matching is ADDED), with optional initial events and bookmarks.
 */
import { Errors, type KubeObject } from '../core/index.ts';
import type { ResourceType } from '../registry/index.ts';
import { parseFieldSelector, parseLabelSelector, SelectorParseError } from '../select/index.ts';
import type { StoreEvent } from '../store/index.ts';
import type { Deps } from './context.ts';

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continueToken?: string;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continueToken?: string;
  remaining?: number;
}

export type Matcher = (obj: KubeObject) => boolean;

export function matcher(t: ResourceType, namespace: string | undefined, o: ListOptions): Matcher {
  try {
    const labels = parseLabelSelector(o.labelSelector);
    const fields = parseFieldSelector(o.fieldSelector, t.selectableFields);
    return (obj) =>
      (namespace === undefined || obj.metadata.namespace === namespace) &&
      labels(obj.metadata.labels) &&
      fields(t.fieldValues(obj));
  } catch (err) {
    if (err instanceof SelectorParseError) throw Errors.badRequest(err.message);
    throw err;
  }
}

export function list(d: Deps, t: ResourceType, namespace: string | undefined, o: ListOptions): ListResult {
  const match = matcher(t, namespace, o);
  const rv = String(d.store.resourceVersion);
  let items = d.store.list(t.storage, namespace, match);
  const after = o.continueToken ? decodeContinue(o.continueToken) : undefined;
  if (after) items = items.filter((i) => keyOf(i) > after);
  if (!o.limit || items.length <= o.limit) return { items, resourceVersion: rv };
  const page = items.slice(0, o.limit);
  return {
    items: page,
    resourceVersion: rv,
    continueToken: Buffer.from(JSON.stringify({ rv, start: keyOf(page.at(-1)!) })).toString('base64url'),
    remaining: items.length - o.limit,
  };
}

function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

function decodeContinue(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString()) as { start?: unknown };
    if (typeof parsed.start === 'string') return parsed.start;
  } catch {
    // fall through to the error below
  }
  throw Errors.badRequest('continue key is not valid: illegal base64 data');
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
export interface WatchEvent {
  type: WatchEventType;
  object: unknown;
}

/** A store event as this watcher sees it through its selectors, or undefined when it does not concern it. */
export function translate(event: StoreEvent, match: Matcher): WatchEvent | undefined {
  const now = match(event.object);
  const before = event.old ? match(event.old) : false;
  if (event.type === 'ADDED') return now ? { type: 'ADDED', object: event.object } : undefined;
  if (event.type === 'DELETED') return now || before ? { type: 'DELETED', object: event.object } : undefined;
  if (now && before) return { type: 'MODIFIED', object: event.object };
  if (now) return { type: 'ADDED', object: event.object };
  if (before) return { type: 'DELETED', object: event.object };
  return undefined;
}

export interface WatchOptions extends ListOptions {
  resourceVersion?: string;
  sendInitialEvents?: boolean;
}

/**
 * Starts a watch: `emit` receives events synchronously. Throws 410 Gone (the HTTP layer sends it as an ERROR
 * event, as the API server does) when the resourceVersion is older than the history.
 */
export function watch(
  d: Deps,
  t: ResourceType,
  namespace: string | undefined,
  o: WatchOptions,
  emit: (e: WatchEvent) => void,
): () => void {
  const match = matcher(t, namespace, o);
  const rv = o.resourceVersion;
  const fromScratch = rv === undefined || rv === '' || rv === '0' || o.sendInitialEvents === true;
  let from: number;
  if (fromScratch) {
    from = d.store.resourceVersion;
    for (const obj of d.store.list(t.storage, namespace, match)) emit({ type: 'ADDED', object: obj });
    if (o.sendInitialEvents) {
      emit({
        type: 'BOOKMARK',
        object: {
          kind: t.kind,
          apiVersion: t.group ? `${t.group}/${t.version}` : t.version,
          metadata: { resourceVersion: String(from), annotations: { 'k8s.io/initial-events-end': 'true' } },
        },
      });
    }
  } else {
    from = Number(rv);
    if (!Number.isInteger(from)) throw Errors.badRequest(`invalid resource version: ${rv}`);
  }
  const handle = d.store.watchFrom(t.storage, from, (e) => {
    const out = translate(e, match);
    if (out) emit(out);
  });
  return () => handle.stop();
}
