import { describe, expect, it } from 'vitest';
import { SAME_REQUEST_MS, signalAction } from './signals.ts';

describe('signalAction', () => {
  const first = { signal: 'SIGINT', at: 1000 };
  it.each([
    { name: 'the first signal stops gracefully', given: [undefined, 'SIGTERM', 0] as const, want: 'stop' },
    {
      name: "Ctrl-C's SIGINT, then the runner's SIGTERM at once: one request",
      given: [first, 'SIGTERM', 1050] as const,
      want: 'ignore',
    },
    { name: 'Ctrl-C twice: stop now', given: [first, 'SIGINT', 1200] as const, want: 'exit' },
    {
      name: 'a different signal much later: stop now',
      given: [first, 'SIGTERM', 1000 + SAME_REQUEST_MS] as const,
      want: 'exit',
    },
  ])('$name', ({ given: [f, signal, now], want }) => {
    expect(signalAction(f, signal, now)).toBe(want);
  });
});
