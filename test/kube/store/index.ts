/**
 * Storage with a global resourceVersion, synchronous change listeners and a bounded event history for watches that
 * resume (410 Gone beyond it).
 */
export {
  type EventType,
  Store,
  type StoreEvent,
  type StoreListener,
  type StoreOptions,
  type StoreWatch,
} from './store.ts';
