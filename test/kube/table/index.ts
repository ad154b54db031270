/**
 * Server-side printing for `kubectl get`: meta.k8s.io/v1 Tables from CRD printer columns (with the JSONPath subset
 * they use) and from the built-in kinds' columns; ages as kubectl prints them.
 */
export { BUILTIN_COLUMNS, DEFAULT_COLUMNS, podStatusText } from './builtin-columns.ts';
export { age, humanDuration } from './duration.ts';
export { compileJsonPath, JsonPathError } from './jsonpath.ts';
export {
  AGE_COLUMN,
  crdColumns,
  type IncludeObject,
  NAME_COLUMN,
  type PrinterColumnSpec,
  type TableColumn,
  toTable,
} from './table.ts';
