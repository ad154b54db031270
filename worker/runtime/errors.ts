import { ErrorKind } from '../../api/index.ts';

/**
 * The task stopped because it was asked to (SIGTERM: preemption, suspend, Ctrl-C) after saving its state: exit 75,
 * retried without counting a failure. Bad input and the exit-code mapping itself are api/errors.ts's.
 */
export class PreemptedError extends Error {
  override name = 'PreemptedError';
  readonly kind = ErrorKind.RetryLater;
  constructor(
    message = 'stopped on request; finished work is saved',
    /** Records the stop where the next attempt will see it (the task's progress report). */
    private readonly record: () => Promise<void> | undefined = () => undefined,
  ) {
    super(message);
  }

  async saved(): Promise<void> {
    await this.record();
  }
}
