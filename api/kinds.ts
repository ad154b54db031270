import { API_VERSION, type JobKind, KIND_DATASET, KIND_TRAINING } from './constants.ts';
import { type FieldError, ValidationError } from './field-errors.ts';
import { id3TrainingJobCrd, syntheticDatasetJobCrd } from './generated/crds.ts';
import type {
  ID3TrainingJobSpec,
  ID3TrainingJobStatus,
  SyntheticDatasetJobSpec,
  SyntheticDatasetJobStatus,
} from './generated/types.ts';
import { isPlainObject } from './schema/defaults.ts';
import { CustomResourceValidator } from './schema/validator.ts';

/** The part of metav1.ObjectMeta this project reads and writes. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ID3TrainingJob {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND_TRAINING;
  metadata: ObjectMeta;
  spec: ID3TrainingJobSpec;
  status?: ID3TrainingJobStatus;
}

export interface SyntheticDatasetJob {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND_DATASET;
  metadata: ObjectMeta;
  spec: SyntheticDatasetJobSpec;
  status?: SyntheticDatasetJobStatus;
}

export type Id3Job = ID3TrainingJob | SyntheticDatasetJob;

export const CRDS = [id3TrainingJobCrd, syntheticDatasetJobCrd] as const;

let validators: Map<string, CustomResourceValidator> | undefined;

/** One validator per kind, built on first use (compiling the CEL rules takes a few milliseconds). */
export function validatorFor(kind: JobKind): CustomResourceValidator {
  validators ??= new Map(CRDS.map((crd) => [crd.spec.names.kind, new CustomResourceValidator(crd, 'v1alpha1')]));
  const v = validators.get(kind);
  if (!v) throw new Error(`no validator for ${kind}`);
  return v;
}

export function isJobKind(kind: unknown): kind is JobKind {
  return kind === KIND_TRAINING || kind === KIND_DATASET;
}

/** `SyntheticDatasetJob/name`, the way kubectl names objects in messages. */
export function objectRef(obj: unknown): string {
  const o = isPlainObject(obj) ? obj : {};
  const meta = isPlainObject(o.metadata) ? o.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '<unnamed>';
  return `${typeof o.kind === 'string' ? o.kind : '<no kind>'}/${name}`;
}

export interface AdmissionResult<T> {
  /** The object with defaults applied; valid only when errors is empty. */
  object: T;
  errors: FieldError[];
}

/**
 * Defaults and validates one of the two kinds exactly as the API server would on create (or on update, given the
 * stored object). An object of another kind or version gets an apiVersion/kind error.
 */
export function admit(obj: unknown, old?: unknown): AdmissionResult<Id3Job> {
  const o = isPlainObject(obj) ? obj : {};
  if (o.apiVersion !== API_VERSION || !isJobKind(o.kind)) {
    return { object: obj as Id3Job, errors: typeMetaErrors(o) };
  }
  const v = validatorFor(o.kind);
  const object = v.applyDefaults(obj) as Id3Job;
  return { object, errors: v.validate(object, old) };
}

/** Like admit, but throws ValidationError: for code paths that only proceed with a valid job. */
export function admitOrThrow(obj: unknown, old?: unknown): Id3Job {
  const { object, errors } = admit(obj, old);
  if (errors.length > 0) throw new ValidationError(objectRef(obj), errors);
  return object;
}

function typeMetaErrors(o: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  const kinds = [KIND_TRAINING, KIND_DATASET].map((k) => `"${k}"`).join(', ');
  if (o.apiVersion === undefined)
    errors.push({ field: 'apiVersion', type: 'FieldValueRequired', detail: `must be "${API_VERSION}"` });
  else if (o.apiVersion !== API_VERSION) {
    errors.push({
      field: 'apiVersion',
      type: 'FieldValueNotSupported',
      badValue: o.apiVersion,
      detail: `supported values: "${API_VERSION}"`,
    });
  }
  if (o.kind === undefined)
    errors.push({ field: 'kind', type: 'FieldValueRequired', detail: `must be one of ${kinds}` });
  else if (!isJobKind(o.kind))
    errors.push({
      field: 'kind',
      type: 'FieldValueNotSupported',
      badValue: o.kind,
      detail: `supported values: ${kinds}`,
    });
  return errors;
}
