/** ObjectMeta validation every kind shares (names, labels, annotations, owner references, finalizers). */
import type { FieldError } from '../../../api/index.ts';
import { isPlainObject, type KubeObject } from '../core/index.ts';
import type { NameRule } from '../registry/types.ts';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

const SUBDOMAIN_HELP =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_HELP =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

export function nameErrors(name: string, rule: NameRule, field = 'metadata.name'): FieldError[] {
  const bad = (detail: string): FieldError[] => [{ field, type: 'FieldValueInvalid', badValue: name, detail }];
  if (rule === 'path-segment') {
    if (name === '.' || name === '..') return bad(`may not be '${name}'`);
    return /[/%]/.test(name) ? bad("may not contain '/' or '%'") : [];
  }
  if (rule === 'label') {
    if (name.length > 63) return bad('must be no more than 63 characters');
    return DNS1123_LABEL.test(name) ? [] : bad(LABEL_HELP);
  }
  if (name.length > 253) return bad('must be no more than 253 characters');
  return DNS1123_SUBDOMAIN.test(name) ? [] : bad(SUBDOMAIN_HELP);
}

export function metaErrors(obj: KubeObject, rule: NameRule): FieldError[] {
  const m = obj.metadata;
  const errors: FieldError[] = [];
  if (!m.name)
    errors.push({ field: 'metadata.name', type: 'FieldValueRequired', detail: 'name or generateName is required' });
  else errors.push(...nameErrors(m.name, rule));
  for (const [k, v] of Object.entries(m.labels ?? {})) {
    if (!QUALIFIED_NAME.test(k) || k.length > 316)
      errors.push({
        field: 'metadata.labels',
        type: 'FieldValueInvalid',
        badValue: k,
        detail: 'name part must consist of alphanumeric characters',
      });
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v))
      errors.push({
        field: `metadata.labels`,
        type: 'FieldValueInvalid',
        badValue: v,
        detail:
          "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
      });
  }
  for (const [i, ref] of (m.ownerReferences ?? []).entries()) errors.push(...ownerRefErrors(ref, i));
  if ((m.ownerReferences ?? []).filter((r) => r.controller).length > 1) {
    errors.push({
      field: 'metadata.ownerReferences',
      type: 'FieldValueInvalid',
      badValue: 'multiple',
      detail: 'Only one reference can have Controller set to true',
    });
  }
  for (const f of m.finalizers ?? []) {
    if (!QUALIFIED_NAME.test(f))
      errors.push({
        field: 'metadata.finalizers',
        type: 'FieldValueInvalid',
        badValue: f,
        detail: 'name part must consist of alphanumeric characters',
      });
  }
  return errors;
}

function ownerRefErrors(ref: unknown, i: number): FieldError[] {
  const at = `metadata.ownerReferences[${i}]`;
  if (!isPlainObject(ref))
    return [{ field: at, type: 'FieldValueInvalid', badValue: ref, detail: 'must be an object' }];
  return (['apiVersion', 'kind', 'name', 'uid'] as const)
    .filter((k) => typeof ref[k] !== 'string' || ref[k] === '')
    .map((k) => ({
      field: `${at}.${k}`,
      type: 'FieldValueInvalid' as const,
      badValue: ref[k] ?? '',
      detail: `${k} must not be empty`,
    }));
}

/** Changes the API server forbids on update of any object. */
export function metaUpdateErrors(obj: KubeObject, old: KubeObject): FieldError[] {
  const errors: FieldError[] = [];
  const immutable = ['uid', 'creationTimestamp', 'namespace'] as const;
  for (const k of immutable) {
    if (obj.metadata[k] !== old.metadata[k]) {
      errors.push({
        field: `metadata.${k}`,
        type: 'FieldValueInvalid',
        badValue: obj.metadata[k] ?? '',
        detail: 'field is immutable',
      });
    }
  }
  if (old.metadata.deletionTimestamp) {
    const added = (obj.metadata.finalizers ?? []).filter((f) => !(old.metadata.finalizers ?? []).includes(f));
    if (added.length > 0) {
      errors.push({
        field: 'metadata.finalizers',
        type: 'FieldValueForbidden',
        detail: `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`,
      });
    }
  }
  return errors;
}
