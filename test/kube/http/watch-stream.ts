/**
 * Serving a watch over HTTP: newline-delimited JSON events on a chunked response, BOOKMARK events when asked for,
 * `timeoutSeconds`, and an ERROR event with a 410 Status when the resourceVersion is too old (the API server sends
 * that inside a 200 response, not as the HTTP status).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Deps, matcher, type WatchEvent, type WatchOptions, watch } from '../apiserver/index.ts';
import { ApiError, type Json } from '../core/index.ts';
import type { ResourceType } from '../registry/index.ts';

export interface OpenWatch {
  close(): void;
}

export interface WatchStreamOptions extends WatchOptions {
  allowBookmarks: boolean;
  bookmarkIntervalMs: number;
  timeoutSeconds?: number;
  /** Turns each event's object into what the client asked for (a Table row, metadata only). */
  present: (obj: Json, first: boolean) => unknown;
}

export function serveWatch(
  d: Deps,
  t: ResourceType,
  namespace: string | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  o: WatchStreamOptions,
  registry: Set<OpenWatch>,
): void {
  // A malformed selector is a plain 400 response; only errors after the stream opens travel as ERROR events.
  matcher(t, namespace, o);
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Transfer-Encoding': 'chunked',
    'Cache-Control': 'no-cache, private',
  });
  res.flushHeaders();
  let first = true;
  const write = (e: WatchEvent) => {
    const object = e.type === 'ERROR' || e.type === 'BOOKMARK' ? e.object : o.present(e.object as Json, first);
    first = false;
    res.write(`${JSON.stringify({ type: e.type, object })}\n`);
  };
  let stop: () => void;
  try {
    stop = watch(d, t, namespace, o, write);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    write({ type: 'ERROR', object: err.toStatus() });
    res.end();
    return;
  }
  const timers = startTimers(d, t, o, write, () => entry.close());
  const entry: OpenWatch = {
    close: () => {
      stop();
      for (const timer of timers) clearInterval(timer);
      registry.delete(entry);
      if (!res.writableEnded) res.end();
    },
  };
  registry.add(entry);
  req.on('close', entry.close);
  res.on('close', entry.close);
}

/** BOOKMARK events every interval when the client allows them, and the end of the watch after timeoutSeconds. */
function startTimers(
  d: Deps,
  t: ResourceType,
  o: WatchStreamOptions,
  write: (e: WatchEvent) => void,
  finish: () => void,
): NodeJS.Timeout[] {
  const timers: NodeJS.Timeout[] = [];
  if (o.allowBookmarks) {
    const apiVersion = t.group ? `${t.group}/${t.version}` : t.version;
    const bookmark = () =>
      write({
        type: 'BOOKMARK',
        object: { kind: t.kind, apiVersion, metadata: { resourceVersion: String(d.store.resourceVersion) } },
      });
    timers.push(setInterval(bookmark, o.bookmarkIntervalMs));
  }
  if (o.timeoutSeconds && o.timeoutSeconds > 0) timers.push(setTimeout(finish, o.timeoutSeconds * 1000));
  return timers;
}
