/**
 * Repeated Events become one Event with a count, as client-go's recorder does (EventCorrelator's event logger): the
 * same type, reason and message about the same object within `windowMs` patches the Event recorded first — `count`
 * up, `lastTimestamp` now — instead of creating another. A job that flaps between two phases, or a cleanup that
 * keeps failing, leaves a handful of Events rather than thousands. Pure bookkeeping: the client does the calls.
 */
export interface EventKey {
  uid: string;
  type: string;
  reason: string;
  message: string;
}

export type Correlation = { action: 'create' } | { action: 'patch'; name: string; count: number };

interface Seen {
  name: string;
  count: number;
  at: number;
}

export class EventCorrelator {
  private readonly seen = new Map<string, Seen>();

  constructor(
    private readonly windowMs = 10 * 60_000,
    /** Keys remembered (least recently used go first), as client-go's LRU of 4096. */
    private readonly capacity = 4096,
  ) {}

  /** What to do with an Event about to be recorded at `now` (ms). */
  correlate(key: EventKey, now: number): Correlation {
    const k = keyOf(key);
    const s = this.seen.get(k);
    if (!s || now - s.at > this.windowMs) return { action: 'create' };
    return { action: 'patch', name: s.name, count: s.count + 1 };
  }

  /** Records the Event the client created or patched (`name`, its count now). */
  remember(key: EventKey, name: string, count: number, now: number): void {
    const k = keyOf(key);
    this.seen.delete(k);
    this.seen.set(k, { name, count, at: now });
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value!);
  }

  /** The Event is gone (deleted, or its TTL passed): the next one is created afresh. */
  forget(key: EventKey): void {
    this.seen.delete(keyOf(key));
  }
}

function keyOf(k: EventKey): string {
  return JSON.stringify([k.uid, k.type, k.reason, k.message]);
}
