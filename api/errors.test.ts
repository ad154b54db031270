import { describe, expect, it } from 'vitest';
import { describeError, ErrorKind, errorKind, exitCodeFor, PermanentInputError } from './errors.ts';

class Kinded extends Error {
  constructor(readonly kind: string) {
    super(kind);
  }
}

describe('exitCodeFor', () => {
  it.each([
    { name: 'bad input', given: new PermanentInputError('x'), want: 65 },
    { name: 'a subclass of bad input', given: new (class extends PermanentInputError {})('x'), want: 65 },
    { name: 'stopped with state saved', given: new Kinded(ErrorKind.RetryLater), want: 75 },
    { name: 'a new process may help', given: new Kinded(ErrorKind.Restart), want: 1 },
    { name: 'an unknown kind', given: new Kinded('sometimes'), want: 1 },
    { name: 'a bug', given: new TypeError('undefined is not a function'), want: 1 },
    { name: 'not an error', given: 'boom', want: 1 },
    {
      name: 'a wrapper without a kind around bad input',
      given: new Error('loading failed', { cause: new PermanentInputError('no such model') }),
      want: 65,
    },
  ])('$name → $want', ({ given, want }) => {
    expect(exitCodeFor(given)).toBe(want);
  });

  it('takes the outermost kind: a wrapper that knows better wins over its cause', () => {
    const inner = new PermanentInputError('x');
    expect(errorKind(Object.assign(new Error('outer', { cause: inner }), { kind: ErrorKind.Restart }))).toBe('restart');
  });
});

describe('describeError', () => {
  it('gives the message and its direct cause in one line', () => {
    expect(describeError(new Error('could not read plan', { cause: new Error('timeout') }))).toBe(
      'could not read plan (timeout)',
    );
    expect(describeError(42)).toBe('42');
  });
});
