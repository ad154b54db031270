import { describe, expect, it } from 'vitest';
import { BadOptionValue, integer, numberList, oneOf, parseDuration, positiveInteger } from './options.ts';

function reason(parse: () => unknown): { message: string; exitCode: number } {
  try {
    parse();
  } catch (err) {
    expect(err).toBeInstanceOf(BadOptionValue);
    return { message: (err as BadOptionValue).message, exitCode: (err as BadOptionValue).exitCode };
  }
  throw new Error('expected a BadOptionValue');
}

describe('integer', () => {
  it('takes plain whole numbers, signed or not', () => {
    expect(integer()('42')).toBe(42);
    expect(integer()('-3')).toBe(-3);
    expect(integer()('+7')).toBe(7);
    expect(integer()(' 8 ')).toBe(8);
    expect(positiveInteger('1')).toBe(1);
  });

  it.each(['', ' ', 'abc', '1.5', '1.0', '1e3', '0x10', 'Infinity', 'NaN', '12abc', '99999999999999999999'])(
    'rejects %j as not an integer, with exit code 65',
    (text) => {
      expect(reason(() => integer()(text))).toEqual({ message: 'not an integer', exitCode: 65 });
    },
  );

  it('keeps to its range', () => {
    expect(reason(() => positiveInteger('0')).message).toBe('must be at least 1');
    expect(reason(() => integer({ max: 10 })('11')).message).toBe('must be at most 10');
    expect(integer({ min: 0, max: 10 })('0')).toBe(0);
  });
});

describe('numberList', () => {
  it('takes exactly that many finite numbers', () => {
    expect(numberList(3)('0.485, 0.456,0.406')).toEqual([0.485, 0.456, 0.406]);
    expect(numberList(3)('-1,0,1e-2')).toEqual([-1, 0, 0.01]);
    for (const text of ['0.5,0.5', '0.5,0.5,0.5,0.5', '0.5,,0.5', 'a,b,c', '0.5,Infinity,0.5', ''])
      expect(reason(() => numberList(3)(text)).message).toMatch(/must be 3 comma-separated numbers/);
  });

  it('keeps each number above a bound when given one', () => {
    expect(numberList(3, { above: 0 })('0.1,0.2,0.3')).toEqual([0.1, 0.2, 0.3]);
    expect(reason(() => numberList(3, { above: 0 })('0.1,0,0.3')).message).toBe('each number must be greater than 0');
  });
});

describe('oneOf', () => {
  it('takes a listed word in any case and gives it as listed', () => {
    expect(oneOf('RGB', 'BGR')('bgr')).toBe('BGR');
    expect(reason(() => oneOf('RGB', 'BGR')('GBR')).message).toBe('must be RGB or BGR');
  });
});

describe('parseDuration', () => {
  it('reads units', () => {
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('500')).toBe(500);
  });
});
