/** Parsing of option values shared by several commands. */
import { InvalidArgumentError } from 'commander';
import { EXIT_BAD_INPUT } from '../api/index.ts';

/** "15s", "2m", "500ms", "1h" or plain milliseconds → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${JSON.stringify(text)} (use e.g. 500ms, 15s, 2m, 1h)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}

/**
 * A bad option value. Commander prints "error: option '--flag <n>' argument 'VALUE' is invalid. MESSAGE" and exits
 * with EXIT_BAD_INPUT (65), as the commands do for any other input they cannot use.
 */
export class BadOptionValue extends InvalidArgumentError {
  constructor(message: string) {
    super(message);
    this.exitCode = EXIT_BAD_INPUT;
  }
}

/** Commander's argument parser for whole numbers in [min, max]: `.option('--n <n>', 'help', integer({ min: 1 }))`. */
export function integer(range: { min?: number; max?: number } = {}): (text: string) => number {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = range;
  return (text) => {
    // Number() alone takes "", " ", "0x10", "1e3" and "1.0"; a count on the command line is plain digits.
    const n = /^[+-]?\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(n)) throw new BadOptionValue('not an integer');
    if (n < min) throw new BadOptionValue(`must be at least ${min}`);
    if (n > max) throw new BadOptionValue(`must be at most ${max}`);
    return n;
  };
}

/** A positive whole number: a count, a size, a number of workers. */
export const positiveInteger = integer({ min: 1 });

/** Commander's argument parser for "a,b,c": exactly `count` finite numbers, each above `above` when given. */
export function numberList(count: number, range: { above?: number } = {}): (text: string) => number[] {
  return (text) => {
    const parts = text.split(',').map((p) => p.trim());
    const values = parts.map((p) => (p === '' ? Number.NaN : Number(p)));
    if (parts.length !== count || values.some((v) => !Number.isFinite(v))) {
      throw new BadOptionValue(`must be ${count} comma-separated numbers, e.g. ${Array(count).fill('0.5').join(',')}`);
    }
    if (range.above !== undefined && values.some((v) => v <= (range.above as number))) {
      throw new BadOptionValue(`each number must be greater than ${range.above}`);
    }
    return values;
  };
}

/** Commander's argument parser for one of a few words, in any letter case; gives the word as listed. */
export function oneOf<const T extends string>(...choices: T[]): (text: string) => T {
  return (text) => {
    const found = choices.find((c) => c.toLowerCase() === text.trim().toLowerCase());
    if (found === undefined) throw new BadOptionValue(`must be ${choices.join(' or ')}`);
    return found;
  };
}
