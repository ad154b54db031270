import { describe, expect, it } from 'vitest';
import { EventCorrelator } from './event-correlator.ts';

const key = { uid: 'u1', type: 'Normal', reason: 'Generating', message: 'generate: 3/8 tasks' };

describe('EventCorrelator', () => {
  it('creates the first Event, then counts repeats on it', () => {
    const c = new EventCorrelator(60_000);
    expect(c.correlate(key, 0)).toEqual({ action: 'create' });
    c.remember(key, 'job.17a', 1, 0);
    expect(c.correlate(key, 1000)).toEqual({ action: 'patch', name: 'job.17a', count: 2 });
    c.remember(key, 'job.17a', 2, 1000);
    expect(c.correlate(key, 2000)).toEqual({ action: 'patch', name: 'job.17a', count: 3 });
  });

  it.each([
    { name: 'another message', other: { ...key, message: 'generate: 4/8 tasks' } },
    { name: 'another reason', other: { ...key, reason: 'Finalizing' } },
    { name: 'another type', other: { ...key, type: 'Warning' } },
    { name: 'another object', other: { ...key, uid: 'u2' } },
  ])('keeps $name apart', ({ other }) => {
    const c = new EventCorrelator();
    c.remember(key, 'job.17a', 1, 0);
    expect(c.correlate(other, 10)).toEqual({ action: 'create' });
  });

  it('starts afresh after the window, or once the Event is gone', () => {
    const c = new EventCorrelator(60_000);
    c.remember(key, 'job.17a', 5, 0);
    expect(c.correlate(key, 60_001)).toEqual({ action: 'create' });
    c.remember(key, 'job.17b', 1, 70_000);
    c.forget(key);
    expect(c.correlate(key, 70_001)).toEqual({ action: 'create' });
  });

  it('remembers at most its capacity, forgetting the least recently used', () => {
    const c = new EventCorrelator(60_000, 2);
    const k = (uid: string) => ({ ...key, uid });
    c.remember(k('a'), 'a.1', 1, 0);
    c.remember(k('b'), 'b.1', 1, 0);
    c.remember(k('a'), 'a.1', 2, 1);
    c.remember(k('c'), 'c.1', 1, 2);
    expect(c.correlate(k('b'), 3)).toEqual({ action: 'create' });
    expect(c.correlate(k('a'), 3)).toEqual({ action: 'patch', name: 'a.1', count: 3 });
  });
});
