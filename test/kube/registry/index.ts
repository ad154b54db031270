/**
 * The resources the emulator serves: built-in kinds and the kinds CRDs add, each with its discovery names, schema,
 * table columns, selectable fields and strategy.
 */
export { builtinTypes } from './builtins.ts';
export { customTypes } from './custom.ts';
export { Registry } from './registry.ts';
export { apiVersionOf, groupResource, type NameRule, type ResourceType, type Strategy } from './types.ts';
