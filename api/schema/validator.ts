import type { FieldError } from '../field-errors.ts';
import { CelSchema, type RuleCompileError } from './cel.ts';
import { applyDefaults, isPlainObject } from './defaults.ts';
import { compileOpenApi, type OpenApiValidator } from './openapi.ts';
import { RuleEvaluator } from './rules.ts';
import type { CustomResourceDefinition, JSONSchemaProps } from './types.ts';

/**
 * The API server's admission of a custom resource, for any CRD: defaulting, object-meta checks, OpenAPI schema
 * validation with strict field validation, and the CRD's CEL rules (transition rules against `old` on update).
 * One instance per CRD version; the API emulator builds one for every CRD it is given.
 */
export class CustomResourceValidator {
  readonly schema: JSONSchemaProps;
  readonly apiVersion: string;
  readonly kind: string;
  private readonly openApi: OpenApiValidator;
  private readonly rules: RuleEvaluator;

  constructor(
    readonly crd: CustomResourceDefinition,
    version: string,
  ) {
    const v = crd.spec.versions.find((x) => x.name === version);
    if (!v?.schema) throw new Error(`CRD ${crd.metadata.name} has no schema for version ${version}`);
    this.schema = v.schema.openAPIV3Schema;
    this.apiVersion = `${crd.spec.group}/${version}`;
    this.kind = crd.spec.names.kind;
    this.openApi = compileOpenApi(withoutMetadata(this.schema));
    this.rules = new RuleEvaluator(new CelSchema(this.schema, true));
  }

  /** CEL rules that failed to compile; the API server refuses such a CRD. */
  get compileErrors(): readonly RuleCompileError[] {
    return this.rules.compileErrors;
  }

  /** The object with the schema's defaults applied (a copy). */
  applyDefaults<T>(obj: T): T {
    return applyDefaults(this.schema, obj);
  }

  /**
   * Field errors of an object that has already been defaulted. Pass the stored object as `old` on update so that
   * transition rules (immutability) run.
   */
  validate(obj: unknown, old?: unknown): FieldError[] {
    const metaErrors = [...typeMetaErrors(obj, this.apiVersion, this.kind), ...objectMetaErrors(obj)];
    const schemaErrors = this.openApi.validate(obj);
    const errors = [...metaErrors, ...schemaErrors];
    const unsafe = errors
      .filter((e) => e.type === 'FieldValueRequired' || e.type === 'FieldValueTypeInvalid')
      .map((e) => e.field);
    errors.push(...this.rules.evaluate(obj, old, unsafe));
    return errors;
  }
}

/**
 * apiVersion, kind and metadata are always allowed at the root, declared or not; metadata is validated as
 * ObjectMeta, not by the CRD schema (which may only restrict the name).
 */
function withoutMetadata(schema: JSONSchemaProps): JSONSchemaProps {
  const props: Record<string, JSONSchemaProps> = {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    ...schema.properties,
    metadata: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
  };
  return { ...schema, properties: props };
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN_HELP =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_HELP =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

function typeMetaErrors(obj: unknown, apiVersion: string, kind: string): FieldError[] {
  if (!isPlainObject(obj))
    return [{ field: '', type: 'FieldValueTypeInvalid', badValue: typeof obj, detail: 'must be an object' }];
  const errors: FieldError[] = [];
  if (obj.apiVersion !== apiVersion) {
    errors.push({
      field: 'apiVersion',
      type: 'FieldValueNotSupported',
      badValue: obj.apiVersion ?? '',
      detail: `supported values: "${apiVersion}"`,
    });
  }
  if (obj.kind !== kind)
    errors.push({
      field: 'kind',
      type: 'FieldValueNotSupported',
      badValue: obj.kind ?? '',
      detail: `supported values: "${kind}"`,
    });
  return errors;
}

function objectMetaErrors(obj: unknown): FieldError[] {
  const meta = isPlainObject(obj) ? obj.metadata : undefined;
  if (!isPlainObject(meta)) return [{ field: 'metadata', type: 'FieldValueRequired', detail: '' }];
  const errors: FieldError[] = [];
  const { name, generateName, namespace } = meta;
  if (name === undefined && generateName === undefined) {
    errors.push({ field: 'metadata.name', type: 'FieldValueRequired', detail: 'name or generateName is required' });
  }
  if (name !== undefined && (typeof name !== 'string' || name.length > 253 || !DNS1123_SUBDOMAIN.test(name))) {
    errors.push({ field: 'metadata.name', type: 'FieldValueInvalid', badValue: name, detail: SUBDOMAIN_HELP });
  }
  if (
    namespace !== undefined &&
    (typeof namespace !== 'string' || namespace.length > 63 || !DNS1123_LABEL.test(namespace))
  ) {
    errors.push({ field: 'metadata.namespace', type: 'FieldValueInvalid', badValue: namespace, detail: LABEL_HELP });
  }
  return errors;
}
