/**
 * Schemas of the kinds the emulator serves, as one small type system (struct, map, list with its merge strategy,
 * scalar, any) built from the client library's models for built-ins and from CRD schemas for custom kinds, and the
 * walks over objects that admission needs (unknown fields, pruning, type mismatches).
 */
export { builtinSchema } from './builtin.ts';
export { crdSchema } from './crd.ts';
export {
  ANY,
  type AnyNode,
  childOf,
  type ListNode,
  type ListType,
  lazyStruct,
  type MapNode,
  type ScalarNode,
  type ScalarType,
  type SchemaNode,
  type StructNode,
} from './node.ts';
export { prune, type TypeMismatch, typeMismatches, unknownFields } from './walk.ts';
