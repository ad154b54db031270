/** Events that controllers record (core/v1, as `kubectl describe` reads them); a repeat bumps the count. */
import { create, type Deps, internalContext } from '../apiserver/index.ts';
import { type KubeObject, timestamp } from '../core/index.ts';
import { mutate } from './runtime.ts';

/** Events by the uid of the object they are about (declared on first use; later declarations are no-ops). */
const EVENTS_BY_OBJECT = 'events-by-involved-uid';

export interface EventSource {
  component: string;
}

export function recordEvent(
  d: Deps,
  obj: KubeObject,
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
  source: EventSource,
): void {
  const t = d.registry.byStorage('/events');
  const namespace = obj.metadata.namespace ?? 'default';
  if (!t || !d.store.get('/namespaces', '', namespace)) return;
  const now = timestamp(d.clock.now());
  d.store.index(EVENTS_BY_OBJECT, '/events', (e) => {
    const uid = (e.involvedObject as { uid?: string } | undefined)?.uid;
    return uid ? [uid] : [];
  });
  const same = obj.metadata.uid
    ? d.store
        .listBy(EVENTS_BY_OBJECT, obj.metadata.uid)
        .find((e) => e.metadata.namespace === namespace && e.reason === reason && e.message === message)
    : undefined;
  if (!same) {
    create(
      d,
      t,
      namespace,
      newEvent(obj, namespace, type, reason, message, source, now),
      internalContext(source.component),
    );
    return;
  }
  mutate(d, t, namespace, same.metadata.name!, source.component, (e) => {
    e.count = ((e.count as number | undefined) ?? 1) + 1;
    e.lastTimestamp = now;
    return true;
  });
}

function newEvent(
  obj: KubeObject,
  namespace: string,
  type: string,
  reason: string,
  message: string,
  source: EventSource,
  now: string,
): KubeObject {
  const suffix = `${Date.now().toString(16)}${Math.floor(Math.random() * 4096).toString(16)}`;
  const m = obj.metadata;
  return {
    metadata: { name: `${m.name}.${suffix}`, namespace },
    involvedObject: {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
    },
    type,
    reason,
    message,
    source: { component: source.component },
    reportingComponent: source.component,
    reportingInstance: '',
    firstTimestamp: now,
    lastTimestamp: now,
    eventTime: null,
    count: 1,
  };
}
