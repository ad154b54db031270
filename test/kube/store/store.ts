/**
 * The storage: objects by resource, namespace and name, one global resourceVersion that every write advances, and a
 * bounded history of events so that a watch can start from a recent resourceVersion. A watch from a version older
 * than the history answers 410 Gone, as an etcd compaction makes the API server do. Everything is synchronous: one
 * write is one atomic step of the event loop.
 */
import { clone, Errors, type KubeObject } from '../core/index.ts';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  /** Storage key of the resource, `group/resource` (`/pods` for the core group). */
  resource: string;
  rv: number;
  object: KubeObject;
  /** The object before a MODIFIED or DELETED event. */
  old?: KubeObject;
}

export type StoreListener = (event: StoreEvent) => void;

export interface StoreWatch {
  stop(): void;
}

export interface StoreOptions {
  /** Events kept for watches that resume from an older resourceVersion (default 2000). */
  historySize?: number;
}

/** Values an object is found by in a secondary index (an owner's uid, an involved object's uid, …). */
export type IndexValues = (o: KubeObject) => readonly string[];

interface Index {
  resource: string;
  values: IndexValues;
  keys: Map<string, Set<string>>;
}

export class Store {
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly indexes = new Map<string, Index>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<StoreListener>();
  private readonly historySize: number;
  private rv = 1;
  /** Watches may resume from any version >= this one. */
  private oldestResumable = 1;

  constructor(options: StoreOptions = {}) {
    this.historySize = options.historySize ?? 2000;
  }

  get resourceVersion(): number {
    return this.rv;
  }

  get(resource: string, namespace: string, name: string): KubeObject | undefined {
    const o = this.bucket(resource).get(key(namespace, name));
    return o ? clone(o) : undefined;
  }

  /**
   * Copies of the objects of a resource (in one namespace, or all), sorted by namespace and name. `where` sees the
   * stored objects themselves and must not change them; filtering before copying is what keeps controllers that look
   * for a few objects among thousands (events of one object, pods of one Job) from copying them all.
   */
  list(resource: string, namespace?: string, where?: (o: KubeObject) => boolean): KubeObject[] {
    const items = [...this.bucket(resource).entries()]
      .filter(([k, o]) => (namespace === undefined || k.startsWith(`${namespace}/`)) && (!where || where(o)))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => clone(o));
    return items;
  }

  /**
   * Declares a secondary index of a resource (idempotent by name), as client-go's indexers do for controllers: a
   * controller that looks up the few pods of one Job or the events of one object among thousands then reads only
   * those, instead of scanning the resource on every reconcile.
   */
  index(name: string, resource: string, values: IndexValues): void {
    if (this.indexes.has(name)) return;
    const index: Index = { resource, values, keys: new Map() };
    for (const [k, o] of this.bucket(resource)) indexAdd(index, k, o);
    this.indexes.set(name, index);
  }

  /** Copies of the objects an index files under `value`, in key order. */
  listBy(name: string, value: string): KubeObject[] {
    const index = this.indexes.get(name);
    if (!index) throw new Error(`store: no index named ${name}`);
    const bucket = this.bucket(index.resource);
    return [...(index.keys.get(value) ?? [])].sort().map((k) => clone(bucket.get(k)!));
  }

  /** Like list, but each copy holds only apiVersion, kind and metadata: for the garbage collector's sweeps. */
  listMetadata(resource: string): KubeObject[] {
    return [...this.bucket(resource).entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => ({ apiVersion: o.apiVersion, kind: o.kind, metadata: clone(o.metadata) }));
  }

  create(resource: string, obj: KubeObject): KubeObject {
    const k = key(obj.metadata.namespace ?? '', obj.metadata.name ?? '');
    const stored = this.stamp(obj);
    this.bucket(resource).set(k, stored);
    this.reindex(resource, k, undefined, stored);
    this.emit({ type: 'ADDED', resource, rv: this.rv, object: stored });
    return clone(stored);
  }

  update(resource: string, obj: KubeObject): KubeObject {
    const bucket = this.bucket(resource);
    const k = key(obj.metadata.namespace ?? '', obj.metadata.name ?? '');
    const old = bucket.get(k);
    const stored = this.stamp(obj);
    bucket.set(k, stored);
    this.reindex(resource, k, old, stored);
    this.emit({ type: 'MODIFIED', resource, rv: this.rv, object: stored, old });
    return clone(stored);
  }

  /** Removes an object; `last` is its final state (e.g. with its last finalizer gone), by default the stored one. */
  remove(resource: string, namespace: string, name: string, last?: KubeObject): KubeObject | undefined {
    const bucket = this.bucket(resource);
    const k = key(namespace, name);
    const old = bucket.get(k);
    if (!old) return undefined;
    bucket.delete(k);
    this.reindex(resource, k, old, undefined);
    const gone = this.stamp(last ?? old);
    this.emit({ type: 'DELETED', resource, rv: this.rv, object: gone, old });
    return clone(gone);
  }

  /** Every event of every resource, synchronously after each write (controllers use this). */
  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Events of one resource after `fromRV`, then live ones. Throws 410 Gone when `fromRV` is older than the history.
   * The replay and the subscription happen in the same step, so no event is lost or repeated.
   */
  watchFrom(resource: string, fromRV: number, listener: StoreListener): StoreWatch {
    if (fromRV < this.oldestResumable - 1 || fromRV > this.rv) {
      if (fromRV > this.rv) throw Errors.gone(`too large resource version: ${fromRV}, current: ${this.rv}`);
      throw Errors.gone(`too old resource version: ${fromRV} (${this.oldestResumable - 1})`);
    }
    for (const e of this.history) if (e.rv > fromRV && e.resource === resource) listener(e);
    const filtered: StoreListener = (e) => {
      if (e.resource === resource) listener(e);
    };
    this.listeners.add(filtered);
    return { stop: () => this.listeners.delete(filtered) };
  }

  /** Forgets the history, as an etcd compaction does: watches from any earlier version now get 410 Gone. */
  compact(): void {
    this.history.length = 0;
    this.oldestResumable = this.rv + 1;
  }

  private stamp(obj: KubeObject): KubeObject {
    this.rv++;
    const stored = clone(obj);
    stored.metadata.resourceVersion = String(this.rv);
    return stored;
  }

  private emit(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length > this.historySize) {
      const dropped = this.history.shift()!;
      this.oldestResumable = dropped.rv + 1;
    }
    for (const l of [...this.listeners]) l(event);
  }

  private reindex(resource: string, k: string, before: KubeObject | undefined, after: KubeObject | undefined): void {
    for (const index of this.indexes.values()) {
      if (index.resource !== resource) continue;
      if (before) indexRemove(index, k, before);
      if (after) indexAdd(index, k, after);
    }
  }

  private bucket(resource: string): Map<string, KubeObject> {
    let b = this.objects.get(resource);
    if (!b) {
      b = new Map();
      this.objects.set(resource, b);
    }
    return b;
  }
}

function key(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function indexAdd(index: Index, k: string, o: KubeObject): void {
  for (const v of index.values(o)) {
    let keys = index.keys.get(v);
    if (!keys) {
      keys = new Set();
      index.keys.set(v, keys);
    }
    keys.add(k);
  }
}

function indexRemove(index: Index, k: string, o: KubeObject): void {
  for (const v of index.values(o)) {
    const keys = index.keys.get(v);
    keys?.delete(k);
    if (keys?.size === 0) index.keys.delete(v);
  }
}
