import { describe, expect, it } from 'vitest';
import { warningOf } from './pool.ts';

describe('warningOf (which worker log lines the run summary repeats)', () => {
  it('takes the message of a pino warn line', () => {
    expect(warningOf('{"level":40,"time":"t","stage":"plan","msg":"cannot hold"}')).toBe('cannot hold');
  });

  it('ignores other levels, even when their text mentions level 40, and lines that are not JSON', () => {
    expect(warningOf('{"level":30,"msg":"saw \\"level\\":40 in a file"}')).toBeUndefined();
    expect(warningOf('{"level":50,"msg":"failed"}')).toBeUndefined();
    expect(warningOf('"level":40 but not JSON')).toBeUndefined();
  });
});
