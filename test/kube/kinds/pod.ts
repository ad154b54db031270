/** Pods: defaults, initial status and validation (the parts the Job controller and the kubelet rely on). */
import type { FieldError } from '../../../api/index.ts';
import { clone, isPlainObject, type Json, jsonEqual, type KubeObject } from '../core/index.ts';
import type { Strategy } from '../registry/types.ts';

/** PodSpec defaults (also used for Job templates). */
export function defaultPodSpec(spec: unknown): void {
  if (!isPlainObject(spec)) return;
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  for (const c of [...asList(spec.containers), ...asList(spec.initContainers)]) {
    if (!isPlainObject(c)) continue;
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    c.resources ??= {};
    if (c.imagePullPolicy === undefined && typeof c.image === 'string') {
      c.imagePullPolicy = c.image.endsWith(':latest') || !c.image.includes(':') ? 'Always' : 'IfNotPresent';
    }
  }
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function podSpecErrors(spec: unknown, at: string, restartPolicies: string[]): FieldError[] {
  if (!isPlainObject(spec)) return [{ field: at, type: 'FieldValueRequired', detail: '' }];
  const errors: FieldError[] = [];
  const containers = asList(spec.containers);
  if (containers.length === 0) errors.push({ field: `${at}.containers`, type: 'FieldValueRequired', detail: '' });
  const seen = new Set<string>();
  for (const [i, c] of containers.entries()) {
    const cat = `${at}.containers[${i}]`;
    const name = isPlainObject(c) ? c.name : undefined;
    if (typeof name !== 'string' || name === '')
      errors.push({ field: `${cat}.name`, type: 'FieldValueRequired', detail: '' });
    else if (seen.has(name))
      errors.push({ field: `${cat}.name`, type: 'FieldValueDuplicate', badValue: name, detail: '' });
    else seen.add(name);
    if (!isPlainObject(c) || typeof c.image !== 'string' || c.image === '')
      errors.push({ field: `${cat}.image`, type: 'FieldValueRequired', detail: '' });
  }
  if (!restartPolicies.includes(String(spec.restartPolicy))) {
    errors.push({
      field: `${at}.restartPolicy`,
      type: spec.restartPolicy === undefined ? 'FieldValueRequired' : 'FieldValueNotSupported',
      badValue: spec.restartPolicy,
      detail: `supported values: ${restartPolicies.map((p) => `"${p}"`).join(', ')}`,
    });
  }
  return errors;
}

/** Fields of a pod's spec that may change after creation (a subset of upstream's list). */
const MUTABLE_SPEC = ['activeDeadlineSeconds', 'tolerations', 'terminationGracePeriodSeconds', 'schedulingGates'];

function podUpdateErrors(obj: KubeObject, old: KubeObject): FieldError[] {
  const strip = (spec: unknown) => {
    const s = clone((spec ?? {}) as Json);
    for (const k of MUTABLE_SPEC) delete s[k];
    if (!old.spec || !(old.spec as Json).nodeName) delete s.nodeName;
    for (const c of asList(s.containers)) if (isPlainObject(c)) delete c.image;
    return s;
  };
  if (jsonEqual(strip(obj.spec), strip(old.spec))) return [];
  return [
    {
      field: 'spec',
      type: 'FieldValueForbidden',
      detail:
        'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
    },
  ];
}

export const podStrategy: Strategy = {
  defaults(obj) {
    const o = clone(obj);
    defaultPodSpec(o.spec);
    if (isPlainObject(o.spec)) o.spec.serviceAccountName ??= 'default';
    return o;
  },
  prepareCreate(obj) {
    obj.status = { phase: 'Pending', qosClass: 'BestEffort' };
  },
  validate(obj, old) {
    const errors = podSpecErrors(obj.spec, 'spec', ['Always', 'OnFailure', 'Never']);
    return old ? [...errors, ...podUpdateErrors(obj, old)] : errors;
  },
  validateStatus() {
    return [];
  },
};
