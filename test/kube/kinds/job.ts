/** batch/v1 Jobs: defaults, the generated selector and labels, and the validation the Job docs describe. */
import type { FieldError } from '../../../api/index.ts';
import { clone, isPlainObject, type Json, jsonEqual, type KubeObject } from '../core/index.ts';
import type { Strategy } from '../registry/types.ts';
import { labelSelectorPredicate } from '../select/index.ts';
import { defaultPodSpec, podSpecErrors } from './pod.ts';

export const LABEL_CONTROLLER_UID = 'batch.kubernetes.io/controller-uid';
export const LABEL_JOB_NAME = 'batch.kubernetes.io/job-name';
export const INT32_MAX = 2147483647;

type JobSpec = Json & {
  parallelism?: number;
  completions?: number;
  backoffLimit?: number;
  backoffLimitPerIndex?: number;
  maxFailedIndexes?: number;
  completionMode?: string;
  podFailurePolicy?: { rules?: Json[] };
  template?: Json & { metadata?: Json; spec?: Json };
  selector?: Json;
  manualSelector?: boolean;
};

function specOf(obj: KubeObject): JobSpec {
  return (isPlainObject(obj.spec) ? obj.spec : {}) as JobSpec;
}

function defaults(obj: KubeObject): KubeObject {
  const o = clone(obj);
  if (!isPlainObject(o.spec)) return o;
  const s = o.spec as JobSpec;
  if (s.completions === undefined && s.parallelism === undefined) s.completions = 1;
  s.parallelism ??= 1;
  s.backoffLimit ??= s.backoffLimitPerIndex !== undefined ? INT32_MAX : 6;
  s.completionMode ??= 'NonIndexed';
  s.suspend ??= false;
  s.podReplacementPolicy ??= s.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  if (isPlainObject(s.template)) defaultPodSpec(s.template.spec);
  return o;
}

function prepareCreate(obj: KubeObject): void {
  const s = specOf(obj);
  const uid = obj.metadata.uid!;
  const name = obj.metadata.name!;
  if (!s.manualSelector) s.selector = { matchLabels: { [LABEL_CONTROLLER_UID]: uid } };
  if (isPlainObject(s.template)) {
    s.template.metadata = isPlainObject(s.template.metadata) ? s.template.metadata : {};
    const labels = (s.template.metadata.labels ?? {}) as Record<string, string>;
    s.template.metadata.labels = {
      ...labels,
      [LABEL_CONTROLLER_UID]: uid,
      [LABEL_JOB_NAME]: name,
      'controller-uid': uid,
      'job-name': name,
    };
  }
  obj.status = {};
}

const nonNegative = ['parallelism', 'completions', 'backoffLimit', 'backoffLimitPerIndex', 'maxFailedIndexes'] as const;

function validate(obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  const s = specOf(obj);
  const errors: FieldError[] = [];
  for (const k of nonNegative) {
    const v = s[k];
    if (v !== undefined && (typeof v !== 'number' || v < 0))
      errors.push({
        field: `spec.${k}`,
        type: 'FieldValueInvalid',
        badValue: v,
        detail: 'must be greater than or equal to 0',
      });
  }
  const template = isPlainObject(s.template) ? s.template : undefined;
  errors.push(...podSpecErrors(template?.spec, 'spec.template.spec', ['OnFailure', 'Never']));
  errors.push(...modeErrors(s));
  errors.push(...failurePolicyErrors(s));
  errors.push(...selectorErrors(s));
  if (old) errors.push(...immutableErrors(s, specOf(old)));
  return errors;
}

function modeErrors(s: JobSpec): FieldError[] {
  const errors: FieldError[] = [];
  if (!['NonIndexed', 'Indexed'].includes(String(s.completionMode))) {
    errors.push({
      field: 'spec.completionMode',
      type: 'FieldValueNotSupported',
      badValue: s.completionMode,
      detail: 'supported values: "NonIndexed", "Indexed"',
    });
  }
  const indexed = s.completionMode === 'Indexed';
  if (indexed && s.completions === undefined)
    errors.push({ field: 'spec.completions', type: 'FieldValueRequired', detail: 'when completion mode is Indexed' });
  if (!indexed && s.backoffLimitPerIndex !== undefined)
    errors.push({
      field: 'spec.backoffLimitPerIndex',
      type: 'FieldValueForbidden',
      detail: 'requires indexed completion mode',
    });
  if (s.maxFailedIndexes !== undefined && s.backoffLimitPerIndex === undefined)
    errors.push({
      field: 'spec.maxFailedIndexes',
      type: 'FieldValueForbidden',
      detail: 'cannot set maxFailedIndexes when backoffLimitPerIndex is nil',
    });
  if (s.maxFailedIndexes !== undefined && s.completions !== undefined && s.maxFailedIndexes > s.completions)
    errors.push({
      field: 'spec.maxFailedIndexes',
      type: 'FieldValueInvalid',
      badValue: s.maxFailedIndexes,
      detail: 'must be less than or equal to completions',
    });
  return errors;
}

const ACTIONS = ['FailJob', 'FailIndex', 'Ignore', 'Count'];

function failurePolicyErrors(s: JobSpec): FieldError[] {
  if (!s.podFailurePolicy) return [];
  const errors: FieldError[] = [];
  const restart = (s.template?.spec as Json | undefined)?.restartPolicy;
  if (restart !== 'Never') {
    errors.push({
      field: 'spec.template.spec.restartPolicy',
      type: 'FieldValueInvalid',
      badValue: restart,
      detail: 'only "Never" is supported when podFailurePolicy is specified',
    });
  }
  for (const [i, rule] of (s.podFailurePolicy.rules ?? []).entries())
    errors.push(...ruleErrors(s, rule, `spec.podFailurePolicy.rules[${i}]`));
  return errors;
}

function ruleErrors(s: JobSpec, rule: Json, at: string): FieldError[] {
  const errors: FieldError[] = [];
  const supported = `supported values: ${ACTIONS.map((a) => `"${a}"`).join(', ')}`;
  if (!ACTIONS.includes(String(rule.action)))
    errors.push({ field: `${at}.action`, type: 'FieldValueNotSupported', badValue: rule.action, detail: supported });
  if (rule.action === 'FailIndex' && s.backoffLimitPerIndex === undefined)
    errors.push({
      field: `${at}.action`,
      type: 'FieldValueInvalid',
      badValue: 'FailIndex',
      detail: 'requires the backoffLimitPerIndex to be set',
    });
  if ((rule.onExitCodes === undefined) === (rule.onPodConditions === undefined))
    errors.push({
      field: at,
      type: 'FieldValueInvalid',
      badValue: 'specifying one of OnExitCodes and OnPodConditions is required',
      detail: '',
    });
  const codes = rule.onExitCodes as { operator?: string; values?: number[] } | undefined;
  if (codes && !['In', 'NotIn'].includes(String(codes.operator)))
    errors.push({
      field: `${at}.onExitCodes.operator`,
      type: 'FieldValueNotSupported',
      badValue: codes.operator,
      detail: 'supported values: "In", "NotIn"',
    });
  if (codes?.operator === 'In' && codes.values?.includes(0))
    errors.push({
      field: `${at}.onExitCodes.values[${codes.values.indexOf(0)}]`,
      type: 'FieldValueInvalid',
      badValue: 0,
      detail: 'must not be 0 for the In operator',
    });
  return errors;
}

function selectorErrors(s: JobSpec): FieldError[] {
  if (!s.selector) return [{ field: 'spec.selector', type: 'FieldValueRequired', detail: '' }];
  const labels = ((s.template?.metadata as Json | undefined)?.labels ?? {}) as Record<string, string>;
  if (!labelSelectorPredicate(s.selector)(labels))
    return [
      {
        field: 'spec.template.metadata.labels',
        type: 'FieldValueInvalid',
        badValue: labels,
        detail: '`selector` does not match template `labels`',
      },
    ];
  const name = labels[LABEL_JOB_NAME];
  if (name && name.length > 63)
    return [
      {
        field: 'spec.template.labels',
        type: 'FieldValueInvalid',
        badValue: name,
        detail: 'must be no more than 63 characters',
      },
    ];
  return [];
}

function immutableErrors(s: JobSpec, old: JobSpec): FieldError[] {
  const errors: FieldError[] = [];
  const same = (k: keyof JobSpec) => jsonEqual(s[k], old[k]);
  for (const k of ['selector', 'template', 'completionMode', 'backoffLimitPerIndex', 'podFailurePolicy'] as const) {
    if (!same(k))
      errors.push({
        field: `spec.${k}`,
        type: 'FieldValueInvalid',
        badValue: k === 'template' ? 'core.PodTemplateSpec{...}' : s[k],
        detail: 'field is immutable',
      });
  }
  const elastic =
    s.completionMode === 'Indexed' && s.completions === s.parallelism && old.completions === old.parallelism;
  if (!same('completions') && !elastic)
    errors.push({
      field: 'spec.completions',
      type: 'FieldValueInvalid',
      badValue: s.completions,
      detail: 'field is immutable',
    });
  return errors;
}

export const jobStrategy: Strategy = {
  defaults,
  prepareCreate,
  validate,
  validateStatus: () => [],
};
