/**
 * CustomResourceDefinitions: the API server refuses one whose schema is not structural or whose CEL rules do not
 * compile (the same checks `api/` runs), and answers with NamesAccepted and Established conditions at once.
 */
import {
  type CustomResourceDefinition,
  CustomResourceValidator,
  checkStructural,
  type FieldError,
} from '../../../api/index.ts';
import { clone, isPlainObject, type Json, type KubeObject } from '../core/index.ts';
import type { Strategy } from '../registry/types.ts';

function asCrd(obj: KubeObject): CustomResourceDefinition {
  return obj as unknown as CustomResourceDefinition;
}

function specErrors(crd: CustomResourceDefinition): FieldError[] {
  const errors: FieldError[] = [];
  const spec = crd.spec;
  if (!isPlainObject(spec)) return [{ field: 'spec', type: 'FieldValueRequired', detail: '' }];
  const plural = spec.names?.plural;
  if (crd.metadata.name !== `${plural}.${spec.group}`)
    errors.push({
      field: 'metadata.name',
      type: 'FieldValueInvalid',
      badValue: crd.metadata.name,
      detail: 'must be spec.names.plural+"."+spec.group',
    });
  if (!['Namespaced', 'Cluster'].includes(spec.scope))
    errors.push({
      field: 'spec.scope',
      type: 'FieldValueNotSupported',
      badValue: spec.scope,
      detail: 'supported values: "Cluster", "Namespaced"',
    });
  if (!spec.names?.kind) errors.push({ field: 'spec.names.kind', type: 'FieldValueRequired', detail: '' });
  const versions = spec.versions ?? [];
  if (versions.filter((v) => v.storage).length !== 1)
    errors.push({
      field: 'spec.versions',
      type: 'FieldValueInvalid',
      badValue: versions.map((v) => v.name),
      detail: 'must have exactly one version marked as storage version',
    });
  for (const [i, v] of versions.entries()) errors.push(...versionErrors(crd, v, `spec.versions[${i}]`));
  return errors;
}

function versionErrors(
  crd: CustomResourceDefinition,
  v: CustomResourceDefinition['spec']['versions'][number],
  at: string,
): FieldError[] {
  const schema = v.schema?.openAPIV3Schema;
  if (!schema)
    return [{ field: `${at}.schema.openAPIV3Schema`, type: 'FieldValueRequired', detail: 'schemas are required' }];
  const errors: FieldError[] = checkStructural(schema).map((issue) => ({
    field: `${at}.schema.openAPIV3Schema${issue.path === '<root>' ? '' : `.properties[${issue.path}]`}`,
    type: 'FieldValueInvalid',
    badValue: '',
    detail: issue.problem,
  }));
  try {
    const validator = new CustomResourceValidator(crd, v.name);
    for (const e of validator.compileErrors) {
      errors.push({
        field: `${at}.schema.openAPIV3Schema${e.schemaPath ? `.${e.schemaPath}` : ''}.x-kubernetes-validations`,
        type: 'FieldValueInvalid',
        badValue: e.rule,
        detail: `compilation failed: ${e.error}`,
      });
    }
  } catch (err) {
    errors.push({
      field: `${at}.schema.openAPIV3Schema`,
      type: 'FieldValueInvalid',
      badValue: '',
      detail: err instanceof Error ? err.message : String(err),
    });
  }
  return errors;
}

function establishedStatus(crd: CustomResourceDefinition, now: string): Json {
  const condition = (type: string, reason: string, message: string) => ({
    type,
    status: 'True',
    lastTransitionTime: now,
    reason,
    message,
  });
  return {
    conditions: [
      condition('NamesAccepted', 'NoConflicts', 'no conflicts found'),
      condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted'),
    ],
    acceptedNames: clone(crd.spec.names),
    storedVersions: crd.spec.versions.filter((v) => v.storage).map((v) => v.name),
  };
}

/** Held by a CRD until its custom resources are gone. */
export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

export function crdStrategy(now: () => string): Strategy {
  return {
    defaults(obj) {
      const o = clone(obj);
      const spec = o.spec as Json | undefined;
      const names = spec?.names as Json | undefined;
      if (names?.kind && !names.listKind) names.listKind = `${names.kind}List`;
      if (names?.kind && !names.singular) names.singular = String(names.kind).toLowerCase();
      if (spec) spec.conversion ??= { strategy: 'None' };
      return o;
    },
    prepareCreate(obj) {
      obj.metadata.finalizers = [...new Set([...(obj.metadata.finalizers ?? []), CRD_CLEANUP_FINALIZER])];
      obj.status = establishedStatus(asCrd(obj), now());
    },
    validate(obj, old) {
      const errors = specErrors(asCrd(obj));
      if (old && (old.spec as Json).group !== (obj.spec as Json).group)
        errors.push({
          field: 'spec.group',
          type: 'FieldValueInvalid',
          badValue: (obj.spec as Json).group,
          detail: 'field is immutable',
        });
      return errors;
    },
    validateStatus: () => [],
  };
}
