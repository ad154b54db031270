/** Time as a parameter: controllers and the API take a Clock so that tests could drive time if they need to. */

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** RFC 3339 with second precision, as metav1.Time serialises. */
export function timestamp(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

/** RFC 3339 with microseconds, as metav1.MicroTime serialises (events, leases). */
export function microTimestamp(d: Date): string {
  return `${d.toISOString().slice(0, 23)}000Z`;
}
