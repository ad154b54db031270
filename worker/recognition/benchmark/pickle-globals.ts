/**
 * The globals that real verification files contain, each mapped to a data constructor written here — the
 * `find_class` whitelist that Python's pickle documentation recommends, except that nothing is imported or run.
 *
 * Why any globals at all: insightface's packing scripts append `cv2.imencode(...)[1]`, a numpy uint8 array of shape
 * (n, 1), rather than `bytes` (its `arcface_mxnet/common/build_eval_pack.py`, and the `small_lfw.bin` shipped in its
 * `arcface_paddle/test_tipc/data/` is made that way), and `mx.image.imdecode` takes either. numpy pickles an array as
 * `_reconstruct(ndarray, (0,), b'b')` + BUILD(state) (protocols 2–4) or `_frombuffer(buffer, dtype, shape, order)`
 * (protocol 5), under `numpy.core` (numpy 1) or `numpy._core` (numpy 2). Python 3 writing protocol ≤ 2 has no bytes
 * opcode and pickles bytes as `_codecs.encode(latin-1 text, 'latin1')`. A label list may hold numpy bools
 * (`numpy.core.multiarray.scalar(dtype('bool'), b'\x01')`). Only one-byte dtypes (uint8, bool) are built; anything
 * else is refused.
 */
import { type GlobalResolver, PickleValueError, PyObject, PyTuple, type PyValue, typeName } from './pickle.ts';

/** A one-byte numpy dtype: `u1` (encoded image bytes) or `b1` (labels). */
export class NumpyDtype extends PyObject {
  readonly pyType = 'numpy.dtype';
  constructor(readonly code: 'u1' | 'b1') {
    super();
  }

  override setState(state: PyValue): void {
    // (version, byteorder, subdtype, names, fields, elsize, alignment, flags[, metadata]); fields only for records.
    if (!(state instanceof PyTuple) || state.items.length < 5) throw new PickleValueError('malformed dtype state');
    if (state.items[3] !== null || state.items[4] !== null) throw new PickleValueError('structured dtypes are refused');
  }
}

/** A numpy array of a one-byte dtype; `data` is a view of the pickle's bytes. */
export class NumpyArray extends PyObject {
  readonly pyType = 'numpy.ndarray';
  dtype: NumpyDtype | undefined;
  shape: number[] = [];
  data: Uint8Array | undefined;

  /** numpy's `ndarray.__setstate__`: (version, shape, dtype, is_fortran, rawdata), or the same without version. */
  override setState(state: PyValue): void {
    if (!(state instanceof PyTuple))
      throw new PickleValueError(`ndarray state must be a tuple, found ${typeName(state)}`);
    const items = state.items.length === 5 ? state.items.slice(1) : state.items;
    if (items.length !== 4)
      throw new PickleValueError(`ndarray state has ${state.items.length} items, expected 4 or 5`);
    const [shape, dtype, , raw] = items;
    this.fill(shape!, dtype!, raw!);
  }

  fill(shape: PyValue, dtype: PyValue, raw: PyValue): void {
    if (!(dtype instanceof NumpyDtype)) throw new PickleValueError(`ndarray dtype is ${typeName(dtype)}`);
    if (!(raw instanceof Uint8Array)) throw new PickleValueError(`ndarray data is ${typeName(raw)}, not bytes`);
    const dims = intTuple(shape, 'ndarray shape');
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== raw.length) throw new PickleValueError(`ndarray of shape (${dims}) has ${raw.length} data bytes`);
    this.dtype = dtype;
    this.shape = dims;
    this.data = raw;
  }
}

/** The `numpy.ndarray` type object: only ever an argument of `_reconstruct`. */
class NumpyArrayType extends PyObject {
  readonly pyType = 'type numpy.ndarray';
}

/** A whitelisted callable. */
class Constructor extends PyObject {
  constructor(
    readonly pyType: string,
    private readonly make: (args: readonly PyValue[]) => PyValue,
  ) {
    super();
  }

  override call(args: readonly PyValue[]): PyValue {
    return this.make(args);
  }
}

function intTuple(v: PyValue, what: string): number[] {
  if (!(v instanceof PyTuple) || !v.items.every((x) => typeof x === 'number'))
    throw new PickleValueError(`${what} must be a tuple of ints, found ${typeName(v)}`);
  return v.items as number[];
}

/** A short str or (Python 2) bytes argument as text. */
function text(v: PyValue | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array && v.length <= 64) return String.fromCharCode(...v);
  return undefined;
}

function latin1(args: readonly PyValue[]): Uint8Array {
  const [s, encoding] = args;
  if (typeof s !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1'))
    throw new PickleValueError("only _codecs.encode(str, 'latin1') is read (Python 3's protocol ≤ 2 bytes)");
  const out = new Uint8Array(s.length);
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c > 0xff) throw new PickleValueError(`character U+${c.toString(16)} is not latin-1`);
    out[k] = c;
  }
  return out;
}

function emptyBytes(args: readonly PyValue[]): Uint8Array {
  if (args.length !== 0) throw new PickleValueError('only bytes() with no arguments is read');
  return new Uint8Array(0);
}

const DTYPE_NAMES: Record<string, 'u1' | 'b1'> = {
  u1: 'u1',
  '|u1': 'u1',
  uint8: 'u1',
  b1: 'b1',
  '|b1': 'b1',
  bool: 'b1',
  '?': 'b1',
};

function dtype(args: readonly PyValue[]): NumpyDtype {
  const name = text(args[0]);
  const code = name === undefined ? undefined : DTYPE_NAMES[name];
  if (!code)
    throw new PickleValueError(`numpy dtype ${name ?? typeName(args[0]!)} refused: only uint8 and bool are read`);
  return new NumpyDtype(code);
}

function reconstruct(args: readonly PyValue[]): NumpyArray {
  if (!(args[0] instanceof NumpyArrayType)) throw new PickleValueError('_reconstruct of anything but numpy.ndarray');
  return new NumpyArray();
}

function fromBuffer(args: readonly PyValue[]): NumpyArray {
  const [buffer, type, shape, order] = args;
  if (order !== 'C' && order !== 'F') throw new PickleValueError(`_frombuffer order ${String(order)}`);
  const array = new NumpyArray();
  array.fill(shape ?? null, type ?? null, buffer ?? null);
  return array;
}

/** numpy scalar from (dtype, raw bytes): a bool label becomes a boolean, a uint8 a number. */
function scalar(args: readonly PyValue[]): PyValue {
  const [type, raw] = args;
  if (!(type instanceof NumpyDtype) || !(raw instanceof Uint8Array) || raw.length !== 1)
    throw new PickleValueError('numpy scalar of a dtype other than bool or uint8');
  return type.code === 'b1' ? raw[0] !== 0 : raw[0]!;
}

const CONSTRUCTORS: Record<string, () => PyObject> = {
  '_codecs.encode': () => new Constructor('_codecs.encode', latin1),
  '__builtin__.bytes': () => new Constructor('bytes', emptyBytes),
  'builtins.bytes': () => new Constructor('bytes', emptyBytes),
  'numpy.ndarray': () => new NumpyArrayType(),
  'numpy.dtype': () => new Constructor('numpy.dtype', dtype),
};
for (const core of ['numpy.core', 'numpy._core']) {
  CONSTRUCTORS[`${core}.multiarray._reconstruct`] = () => new Constructor('_reconstruct', reconstruct);
  CONSTRUCTORS[`${core}.multiarray.scalar`] = () => new Constructor('numpy scalar', scalar);
  CONSTRUCTORS[`${core}.numeric._frombuffer`] = () => new Constructor('_frombuffer', fromBuffer);
}

/** The resolver for verification files: the constructors above, nothing else. */
export const verificationGlobals: GlobalResolver = (module, name) => CONSTRUCTORS[`${module}.${name}`]?.();
