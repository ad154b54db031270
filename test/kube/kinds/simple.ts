/** Strategies of the simpler built-in kinds: namespaces, secrets, services, RBAC bindings, events. */
import type { FieldError } from '../../../api/index.ts';
import { clone, isPlainObject, type Json, jsonEqual } from '../core/index.ts';
import type { Strategy } from '../registry/types.ts';

export const namespaceStrategy: Strategy = {
  prepareCreate(obj) {
    obj.spec = { finalizers: ['kubernetes'] };
    obj.status = { phase: 'Active' };
  },
  normalize(obj) {
    const labels = obj.metadata.labels ?? {};
    obj.metadata.labels = { ...labels, 'kubernetes.io/metadata.name': obj.metadata.name! };
  },
};

export const secretStrategy: Strategy = {
  defaults(obj) {
    const o = clone(obj);
    o.type ??= 'Opaque';
    return o;
  },
  normalize(obj) {
    if (!isPlainObject(obj.stringData)) return;
    const data = (isPlainObject(obj.data) ? obj.data : {}) as Record<string, string>;
    for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(String(v)).toString('base64');
    obj.data = data;
    delete obj.stringData;
  },
  validate(obj, old) {
    const errors: FieldError[] = [];
    for (const [k, v] of Object.entries((obj.data ?? {}) as Json)) {
      if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v))
        errors.push({
          field: `data[${k}]`,
          type: 'FieldValueInvalid',
          badValue: '<secret contents redacted>',
          detail: 'illegal base64 data',
        });
    }
    if (old && old.type !== obj.type)
      errors.push({ field: 'type', type: 'FieldValueInvalid', badValue: obj.type, detail: 'field is immutable' });
    return errors;
  },
};

let nextServiceIp = 10;
export const serviceStrategy: Strategy = {
  defaults(obj) {
    const o = clone(obj);
    const spec = (isPlainObject(o.spec) ? o.spec : {}) as Json;
    spec.type ??= 'ClusterIP';
    spec.sessionAffinity ??= 'None';
    o.spec = spec;
    return o;
  },
  prepareCreate(obj) {
    const spec = obj.spec as Json;
    if (spec.clusterIP === undefined) {
      nextServiceIp++;
      spec.clusterIP = `10.96.${Math.floor(nextServiceIp / 250)}.${nextServiceIp % 250}`;
      spec.clusterIPs = [spec.clusterIP];
    }
    obj.status = { loadBalancer: {} };
  },
};

export const bindingStrategy: Strategy = {
  validate(obj, old) {
    const ref = obj.roleRef as Json | undefined;
    const errors: FieldError[] = [];
    if (!isPlainObject(ref) || !ref.name || !ref.kind)
      errors.push({ field: 'roleRef', type: 'FieldValueRequired', detail: '' });
    if (old && !jsonEqual(old.roleRef, obj.roleRef))
      errors.push({
        field: 'roleRef',
        type: 'FieldValueInvalid',
        badValue: obj.roleRef,
        detail: 'cannot change roleRef',
      });
    return errors;
  },
};

export const eventStrategy: Strategy = {
  validate(obj) {
    const ref = obj.involvedObject as Json | undefined;
    if (!isPlainObject(ref)) return [{ field: 'involvedObject', type: 'FieldValueRequired', detail: '' }];
    if (ref.namespace !== undefined && ref.namespace !== obj.metadata.namespace)
      return [
        {
          field: 'involvedObject.namespace',
          type: 'FieldValueInvalid',
          badValue: ref.namespace,
          detail: 'does not match event.namespace',
        },
      ];
    return [];
  },
};
