/** The operator table: every ONNX operator (default domain) the converter implements. */
import { CONV_OPS } from './conv.ts';
import { ELEMENTWISE_OPS } from './elementwise.ts';
import { LINEAR_OPS } from './linear.ts';
import type { OpDef } from './op.ts';
import { PAD_OPS } from './pad.ts';
import { POOL_OPS } from './pool.ts';
import { REDUCE_OPS } from './reduce.ts';
import { SHAPE_OPS } from './shape.ts';

export const OPS: Readonly<Record<string, OpDef>> = {
  ...CONV_OPS,
  ...ELEMENTWISE_OPS,
  ...LINEAR_OPS,
  ...PAD_OPS,
  ...POOL_OPS,
  ...REDUCE_OPS,
  ...SHAPE_OPS,
};

export { Constants, type OpContext, type OpDef, OpError } from './op.ts';
