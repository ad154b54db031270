/**
 * A reader for the subset of Python's pickle format that face-verification files use: a stack machine over the
 * opcodes of CPython's `Lib/pickle.py` (documented in `Lib/pickletools.py`), protocols 2–5 plus the protocol 0/1
 * opcodes those protocols still emit. It builds plain data — None, bools, ints, str, bytes, lists, tuples — and
 * executes nothing: GLOBAL / STACK_GLOBAL only name a callable, which must be one the caller's `resolve` maps to a
 * data constructor written here (numpy arrays, see pickle-globals.ts); any other global, and every opcode outside
 * the subset, is refused with its name and byte offset. Bytes values are views into the input, never copies.
 */
import { BenchmarkFormatError } from './errors.ts';

export type PyValue = null | boolean | number | string | Uint8Array | PyList | PyTuple | PyObject;

/** A Python list (mutable: APPEND fills it after it is memoised). */
export class PyList {
  constructor(readonly items: PyValue[] = []) {}
}

export class PyTuple {
  constructor(readonly items: readonly PyValue[]) {}
}

/** Something a whitelisted global made: a constructor itself, or the data object it returned. */
export abstract class PyObject {
  abstract readonly pyType: string;
  /** REDUCE: the callable applied to an argument tuple. Undefined for objects that are not callable. */
  call?(args: readonly PyValue[]): PyValue;
  /** BUILD: the object's `__setstate__`. Undefined for objects that take no state. */
  setState?(state: PyValue): void;
}

/** Maps a global's module and name to a data constructor, or undefined to refuse it. */
export type GlobalResolver = (module: string, name: string) => PyObject | undefined;

/** A constructor that errors without knowing where it is in the file; the machine adds the opcode and offset. */
export class PickleValueError extends Error {}

// Every opcode pickletools documents (code, name), so that a refusal can name what it saw.
const OPCODE_NAMES: Record<number, string> = Object.fromEntries(
  `28 MARK 2e STOP 30 POP 31 POP_MARK 32 DUP 46 FLOAT 49 INT 4a BININT 4b BININT1 4c LONG 4d BININT2 4e NONE
   50 PERSID 51 BINPERSID 52 REDUCE 53 STRING 54 BINSTRING 55 SHORT_BINSTRING 56 UNICODE 58 BINUNICODE 61 APPEND
   62 BUILD 63 GLOBAL 64 DICT 7d EMPTY_DICT 65 APPENDS 67 GET 68 BINGET 69 INST 6a LONG_BINGET 6c LIST 5d EMPTY_LIST
   6f OBJ 70 PUT 71 BINPUT 72 LONG_BINPUT 73 SETITEM 74 TUPLE 29 EMPTY_TUPLE 75 SETITEMS 47 BINFLOAT 80 PROTO
   81 NEWOBJ 82 EXT1 83 EXT2 84 EXT4 85 TUPLE1 86 TUPLE2 87 TUPLE3 88 NEWTRUE 89 NEWFALSE 8a LONG1 8b LONG4
   42 BINBYTES 43 SHORT_BINBYTES 8c SHORT_BINUNICODE 8d BINUNICODE8 8e BINBYTES8 8f EMPTY_SET 90 ADDITEMS
   91 FROZENSET 92 NEWOBJ_EX 93 STACK_GLOBAL 94 MEMOIZE 95 FRAME 96 BYTEARRAY8 97 NEXT_BUFFER 98 READONLY_BUFFER`
    .trim()
    .split(/\s+/)
    .flatMap((word, k, words) => (k % 2 === 0 ? [[Number.parseInt(word, 16), words[k + 1]!]] : [])),
);

/** Protocol 0's text opcodes: a file made of them is an old pickle, not a corrupt one. */
const TEXT_OPCODES = new Set(['FLOAT', 'INT', 'LONG', 'STRING', 'UNICODE', 'GET', 'PUT', 'DICT']);

/** The highest protocol CPython writes (3.8 and later). */
const HIGHEST_PROTOCOL = 5;

/** Longest GLOBAL argument read; module paths are far shorter. */
const MAX_LINE = 256;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The machine's state while one pickle is read. */
class Machine {
  pos = 0;
  /** Offset of the opcode being executed, for messages. */
  at = 0;
  op = 0;
  stack: PyValue[] = [];
  /** Stack heights at each MARK (CPython keeps a metastack; heights are the same information). */
  marks: number[] = [];
  memo = new Map<number, PyValue>();
  result: PyValue | undefined;
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly resolve: GlobalResolver,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(reason: string): never {
    throw new BenchmarkFormatError(`pickle: ${opcodeName(this.op)} at byte ${this.at}: ${reason}`, this.at);
  }

  need(n: number): void {
    const left = this.bytes.length - this.pos;
    if (n > left) this.fail(`needs ${n} more bytes but the file ends after ${left} (truncated?)`);
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  i32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  u64(): number {
    this.need(8);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`length ${v} is larger than any file`);
    return Number(v);
  }

  /** A view of the next n bytes (no copy). */
  take(n: number): Uint8Array {
    if (n < 0) this.fail(`negative length ${n}`);
    this.need(n);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  text(n: number): string {
    try {
      return utf8.decode(this.take(n));
    } catch (err) {
      this.fail(`string is not valid UTF-8 (${(err as Error).message})`);
    }
  }

  /** A newline-terminated ASCII argument (GLOBAL's module and name: dotted identifiers, short). */
  line(): string {
    const end = this.bytes.subarray(this.pos, this.pos + MAX_LINE).indexOf(0x0a) + this.pos;
    if (end < this.pos) this.fail(`line argument has no newline within ${MAX_LINE} bytes`);
    const s = String.fromCharCode(...this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  }

  push(v: PyValue): void {
    this.stack.push(v);
  }

  pop(): PyValue {
    if (this.stack.length <= (this.marks.at(-1) ?? 0)) this.fail('stack underflow (malformed pickle)');
    return this.stack.pop()!;
  }

  top(): PyValue {
    if (this.stack.length <= (this.marks.at(-1) ?? 0)) this.fail('empty stack (malformed pickle)');
    return this.stack.at(-1)!;
  }

  /** Everything pushed since the last MARK, removing the mark. */
  popMark(): PyValue[] {
    const height = this.marks.pop();
    if (height === undefined) this.fail('no MARK to pop to (malformed pickle)');
    return this.stack.splice(height);
  }

  memoGet(key: number): PyValue {
    if (!this.memo.has(key)) this.fail(`memo key ${key} was never stored`);
    return this.memo.get(key)!;
  }

  global(module: string, name: string): void {
    const value = this.resolve(module, name);
    if (!value) this.fail(`refusing global ${module}.${name}: this reader only builds data and never imports code`);
    this.push(value);
  }
}

function opcodeName(op: number): string {
  return OPCODE_NAMES[op] ?? `unknown opcode 0x${op.toString(16).padStart(2, '0')}`;
}

function asList(m: Machine, v: PyValue): PyList {
  if (!(v instanceof PyList)) m.fail(`expects a list under its items, found ${typeName(v)}`);
  return v;
}

function tuple(m: Machine, n: number): void {
  const items: PyValue[] = [];
  for (let k = 0; k < n; k++) items.unshift(m.pop());
  m.push(new PyTuple(items));
}

/** Runs a whitelisted constructor, giving its complaints the opcode and offset. */
function construct(m: Machine, fn: () => PyValue | undefined): void {
  try {
    const v = fn();
    if (v !== undefined) m.push(v);
  } catch (err) {
    if (err instanceof PickleValueError) m.fail(err.message);
    throw err;
  }
}

type Handler = (m: Machine) => void;

/** The subset, by opcode name. */
const HANDLERS: Record<string, Handler> = {
  PROTO: (m) => {
    const version = m.u8();
    if (version > HIGHEST_PROTOCOL) m.fail(`unsupported pickle protocol ${version} (at most ${HIGHEST_PROTOCOL})`);
  },
  // A frame only groups opcodes for buffered reading; the whole file is in memory, so skip its length.
  FRAME: (m) => void m.u64(),
  STOP: (m) => {
    m.result = m.pop();
  },
  MARK: (m) => void m.marks.push(m.stack.length),
  NONE: (m) => m.push(null),
  NEWTRUE: (m) => m.push(true),
  NEWFALSE: (m) => m.push(false),
  BININT: (m) => m.push(m.i32()),
  BININT1: (m) => m.push(m.u8()),
  BININT2: (m) => m.push(m.u16()),
  // Python 2 `str` (and numpy's raw data from Python 2): bytes, as `pickle.load(f, encoding='bytes')` reads them.
  BINSTRING: (m) => m.push(m.take(m.i32())),
  SHORT_BINSTRING: (m) => m.push(m.take(m.u8())),
  BINBYTES: (m) => m.push(m.take(m.u32())),
  SHORT_BINBYTES: (m) => m.push(m.take(m.u8())),
  BINBYTES8: (m) => m.push(m.take(m.u64())),
  // In-band pickled buffers (numpy arrays under protocol 5) are bytearrays; for reading, bytes.
  BYTEARRAY8: (m) => m.push(m.take(m.u64())),
  BINUNICODE: (m) => m.push(m.text(m.u32())),
  SHORT_BINUNICODE: (m) => m.push(m.text(m.u8())),
  BINUNICODE8: (m) => m.push(m.text(m.u64())),
  EMPTY_LIST: (m) => m.push(new PyList()),
  LIST: (m) => m.push(new PyList(m.popMark())),
  APPEND: (m) => {
    const item = m.pop();
    asList(m, m.top()).items.push(item);
  },
  APPENDS: (m) => {
    const items = m.popMark();
    const list = asList(m, m.top());
    for (const item of items) list.items.push(item);
  },
  EMPTY_TUPLE: (m) => m.push(new PyTuple([])),
  TUPLE: (m) => m.push(new PyTuple(m.popMark())),
  TUPLE1: (m) => tuple(m, 1),
  TUPLE2: (m) => tuple(m, 2),
  TUPLE3: (m) => tuple(m, 3),
  MEMOIZE: (m) => void m.memo.set(m.memo.size, m.top()),
  BINPUT: (m) => void m.memo.set(m.u8(), m.top()),
  LONG_BINPUT: (m) => void m.memo.set(m.u32(), m.top()),
  BINGET: (m) => m.push(m.memoGet(m.u8())),
  LONG_BINGET: (m) => m.push(m.memoGet(m.u32())),
  GLOBAL: (m) => {
    const module = m.line();
    m.global(module, m.line());
  },
  STACK_GLOBAL: (m: Machine) => {
    const name = m.pop();
    const module = m.pop();
    if (typeof module !== 'string' || typeof name !== 'string') m.fail('module and name must be strings');
    m.global(module, name);
  },
  REDUCE: (m: Machine) => {
    const args = m.pop();
    const fn = m.pop();
    if (!(args instanceof PyTuple)) m.fail(`arguments must be a tuple, found ${typeName(args)}`);
    if (!(fn instanceof PyObject) || !fn.call) m.fail(`${typeName(fn)} is not a callable this reader knows`);
    construct(m, () => fn.call!(args.items));
  },
  BUILD: (m: Machine) => {
    const state = m.pop();
    const target = m.top();
    if (!(target instanceof PyObject) || !target.setState) m.fail(`cannot set the state of ${typeName(target)}`);
    construct(m, () => {
      target.setState!(state);
      return undefined;
    });
  },
};

export function typeName(v: PyValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'int';
  if (typeof v === 'string') return 'str';
  if (v instanceof Uint8Array) return 'bytes';
  if (v instanceof PyList) return 'list';
  if (v instanceof PyTuple) return 'tuple';
  return v.pyType;
}

/**
 * Reads one pickle from `bytes`. Data after STOP is ignored, as `pickle.load` leaves it unread. Throws
 * BenchmarkFormatError naming the opcode and byte offset for anything outside the subset or malformed.
 */
export function unpickle(bytes: Uint8Array, resolve: GlobalResolver): PyValue {
  const m = new Machine(bytes, resolve);
  while (m.result === undefined) {
    m.at = m.pos;
    if (m.pos >= bytes.length)
      throw new BenchmarkFormatError(`pickle: the file ends at byte ${m.pos} before STOP (truncated?)`, m.pos);
    m.op = m.u8();
    const handler = HANDLERS[OPCODE_NAMES[m.op] ?? ''];
    if (!handler) m.fail(refusal(m.op));
    handler(m);
  }
  return m.result;
}

function refusal(op: number): string {
  const name = OPCODE_NAMES[op];
  if (!name) return 'not a pickle opcode (is this a pickle file?)';
  if (TEXT_OPCODES.has(name))
    return 'a protocol 0 text opcode; this reader takes protocols 2–5 (re-save with pickle.HIGHEST_PROTOCOL)';
  return 'not part of the subset verification files use (lists of image bytes and bools); refusing it';
}
