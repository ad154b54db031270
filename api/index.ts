/**
 * The API of id3-operator: the two kinds' types (generated from crds/), their admission (defaults, OpenAPI schema and
 * the CRDs' own CEL rules, exactly as the API server applies them), field errors in the API server's words, and the
 * names shared by the control and data planes (labels, stages, exit codes, conditions). Pure data and functions: no
 * I/O, no imports from operator/ or worker/.
 */
export {
  type ConditionInput,
  type ConditionStatus,
  findCondition,
  isConditionTrue,
  Reason,
  setCondition,
} from './conditions.ts';
export * from './constants.ts';
export { FIELD_CLASSES, type FieldClasses } from './defining-fields.ts';
export { describeError, ErrorKind, errorKind, exitCodeFor, PermanentInputError } from './errors.ts';
export { EventReason, type EventSpec, type EventType, phaseEvent } from './events.ts';
export {
  causeMessage,
  type FieldError,
  type FieldErrorType,
  formatFieldError,
  joinPath,
  locateFieldErrors,
  type SourcePosition,
  ValidationError,
} from './field-errors.ts';
export { definingPaths, type Fingerprint, fingerprintDifferences, fingerprintOf } from './fingerprint.ts';
export type * from './generated/types.ts';
export {
  type AdmissionResult,
  admit,
  admitOrThrow,
  CRDS,
  type ID3TrainingJob,
  type Id3Job,
  isJobKind,
  type ObjectMeta,
  type OwnerReference,
  objectRef,
  type SyntheticDatasetJob,
  validatorFor,
} from './kinds.ts';
export { checkManifests, type ManifestCheck, type ManifestDocument, parseManifests } from './manifests.ts';
export { CelSchema, type CompiledRule, type RuleCompileError } from './schema/cel.ts';
export { applyDefaults } from './schema/defaults.ts';
export { checkStructural, type SchemaIssue } from './schema/structural.ts';
export type { CustomResourceDefinition, JSONSchemaProps, PrinterColumn, ValidationRule } from './schema/types.ts';
export { CustomResourceValidator } from './schema/validator.ts';
