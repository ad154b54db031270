/**
 * What a worker does on a stop signal. The first asks for a graceful stop (finish the work in hand, save state, exit
 * 75); a second one forces an immediate exit — except a different signal within a moment of the first: a terminal's
 * Ctrl-C reaches `id3 run`'s workers both directly (SIGINT to the foreground process group) and through the runner
 * (SIGTERM), and those two are one request, not an impatient second.
 */
export type SignalAction = 'stop' | 'ignore' | 'exit';

/** How close two different signals must be to count as one request. */
export const SAME_REQUEST_MS = 2000;

export function signalAction(
  first: { signal: string; at: number } | undefined,
  signal: string,
  now: number,
): SignalAction {
  if (!first) return 'stop';
  if (signal !== first.signal && now - first.at < SAME_REQUEST_MS) return 'ignore';
  return 'exit';
}
